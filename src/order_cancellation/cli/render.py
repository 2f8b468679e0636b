"""The JSON documents and text lines of the library's values.

Orders, refund orders and reports are written in their public JSON forms
(:mod:`order_cancellation.forms`, one source of truth): amounts are ``{"minor", "currency",
"display"}``, tax rates ``{"basis_points", "percent"}``, times RFC 3339 in UTC, enums their
lower-case value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from order_cancellation import forms
from order_cancellation.cli.console import JSON, JSONObject
from order_cancellation.domain.charges import AppliedDiscount
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport
from order_cancellation.domain.states import OrderState
from order_cancellation.forms.convert import encode, moment_text


def money(amount: Money) -> JSONObject:
    document: JSONObject = encode(Money, amount)
    return document


def moment(at: datetime | None) -> str | None:
    return None if at is None else moment_text(at)


def _taxes_text(by_rate: Mapping[TaxRate, Money]) -> str:
    return ", ".join(f"{amount} at {key}" for key, amount in by_rate.items()) or "none"


def _pricing(value: Order | RefundOrder) -> str:
    return "prices include tax" if value.prices_include_tax else "prices exclude tax"


# -- orders ----------------------------------------------------------------------------------


def order(value: Order) -> JSONObject:
    """The order's public JSON form (:mod:`order_cancellation.forms`)."""
    return forms.to_json(value)


def order_text(value: Order) -> list[str]:
    paid = f"{value.payment.provider} {value.payment.reference}" if value.payment else "nothing"
    if len(value.tenders) > 1:
        paid = ", ".join(
            f"{t.payment.provider} {t.payment.reference} {t.authorized}"
            f" (captured {t.captured}, refunded {t.refunded}, released {t.released})"
            for t in value.tenders
        )
    lines = [
        f"order {value.id} (shop {value.shop})",
        f"  status   {value.status!r} (state {value.state.value}, version {value.version})",
        f"  placed   {value.placed_at.isoformat()}",
        f"  payment  {paid}",
        f"  total    {value.total} ({_pricing(value)})",
        f"  tax      {_taxes_text(value.tax_by_rate)}",
    ]
    lines += [
        f"  {line.id:<4} {line.sku:<16} {line.quantity} x {line.unit_price} = {line.list_price}"
        f"{_discounted(line.discount)}  tax {line.tax} at {line.tax_rate}  total {line.total}"
        f"  (fulfilled {line.fulfilled}, returned {line.returned})"
        for line in value.lines
    ]
    lines += [
        f"  {fee.id:<4} shipping {fee.name}: {fee.amount}  tax {fee.tax} at {fee.tax_rate}"
        f"  total {fee.total}  (refunded {fee.refunded})"
        for fee in value.shipping
    ]
    lines += [f"  discount {_discount_text(applied)}" for applied in value.discounts]
    if value.cancellation is not None and value.cancellation.reason:
        lines.append(f"  reason   {value.cancellation.reason}")
    return lines


def _discounted(discount: Money) -> str:
    return f" - discount {discount}" if discount.minor else ""


def _discount_text(applied: AppliedDiscount) -> str:
    kind = "" if applied.basis_points is None else f" ({TaxRate(applied.basis_points)})"
    shares = ", ".join(f"{share.line_id} {share.amount}" for share in applied.per_line)
    return f"{applied.code}{kind}: {applied.amount} off ({shares})"


# -- refund orders ---------------------------------------------------------------------------


def refund(value: RefundOrder) -> JSONObject:
    """The refund order's public JSON form (:mod:`order_cancellation.forms`)."""
    return forms.to_json(value)


def refunds(values: Iterable[RefundOrder]) -> list[JSON]:
    return [refund(value) for value in values]


def refund_text(value: RefundOrder) -> str:
    settled = [f"refunded {value.refunded}"]
    if not value.released.is_zero():
        settled.append(f"released {value.released}")
    if not value.manual_amount.is_zero():
        settled.append(f"owed by hand {value.manual_amount}")
    payment_error = f"; payment error: {value.payment_error}" if value.payment_error else ""
    stock_error = f"; stock error: {value.stock_error}" if value.stock_error else ""
    return (
        f"{value.id}  {value.kind.value:<12} {value.amount!s:>12}  order {value.order_id}  "
        f"payment {value.payment_status.value} ({', '.join(settled)})  "
        f"stock {value.stock_status.value}{payment_error}{stock_error}"
    )


def refund_detail_text(value: RefundOrder, indent: str) -> list[str]:
    """What a refund order gives back, line by line, then its tax per rate."""
    lines = [
        f"{indent}{line.line_id:<4} {line.sku:<16} {line.quantity} x {line.unit_price}"
        f"{_discounted(line.discount)}  tax {line.tax} at {line.tax_rate}  total {line.total}"
        for line in value.lines
    ]
    lines += [
        f"{indent}{part.shipping_id:<4} shipping {part.name}: tax {part.tax} at {part.tax_rate}"
        f"  total {part.amount}"
        for part in value.shipping
    ]
    lines.append(f"{indent}tax  {_taxes_text(value.tax_by_rate)} ({_pricing(value)})")
    lines += [
        f"{indent}paid back through {part.payment.provider} {part.payment.reference}: "
        f"{part.amount} ({part.status.value}"
        + (f", {part.manual} owed by hand" if part.manual.minor else "")
        + ")"
        for part in value.tenders
    ]
    return lines


# -- stock, labels, report -------------------------------------------------------------------


def stock_text(levels: Mapping[str, int]) -> list[str]:
    if not levels:
        return ["no stock recorded"]
    width = max(len(sku) for sku in levels)
    return [f"{sku:<{width}}  {levels[sku]}" for sku in sorted(levels)]


def labels(catalog: Mapping[str, OrderState]) -> list[JSON]:
    return [{"label": label, "means": state.value} for label, state in sorted(catalog.items())]


def labels_text(catalog: Mapping[str, OrderState]) -> list[str]:
    return [f"{label!r} means {state.value}" for label, state in sorted(catalog.items())]


def report(value: SalesReport) -> JSONObject:
    """The report's public JSON form (:mod:`order_cancellation.forms`)."""
    return forms.to_json(value)


def report_text(value: SalesReport) -> list[str]:
    lines = [f"sales from {value.start.isoformat()} to {value.end.isoformat()}"]
    if not value.totals:
        lines.append("no sales and no refunds in this period")
    for row in value.totals:
        lines += [
            f"{row.currency}: gross {row.gross}, refunds {row.refunds}, net {row.net} "
            f"({row.orders} orders, {row.refund_orders} refund orders)",
            f"  sales    goods {row.goods} - discounts {row.discounts} + shipping {row.shipping}"
            f" = {row.gross}",
            f"  refunds  goods {row.refunded_goods} - discounts reversed "
            f"{row.discounts_reversed} + shipping {row.refunded_shipping}"
            + (f" - fees kept {row.fees_kept}" if row.fees_kept.minor else "")
            + (f" + goodwill {row.adjustments}" if row.adjustments.minor else "")
            + f" = {row.refunds}",
            *(
                f"  tax {totals.rate}: collected {totals.collected}, refunded "
                f"{totals.refunded}, net {totals.net}"
                for totals in row.taxes
            ),
            f"  tax, all rates: net {row.tax}",
        ]
    return lines
