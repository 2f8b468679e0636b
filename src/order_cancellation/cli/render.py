"""The JSON documents and text lines of the library's values.

JSON keys are stable (scripts rely on them): amounts are ``{"minor", "currency",
"display"}``, tax rates ``{"basis_points", "percent"}``, times ISO 8601 with their offset,
enums their lower-case value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from order_cancellation.cli.console import JSON, JSONObject
from order_cancellation.domain.charges import AppliedDiscount, ShippingLine, ShippingPortion
from order_cancellation.domain.lines import OrderLine
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import CurrencyTotals, SalesReport, TaxTotals
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import LineQuantity


def money(amount: Money) -> JSONObject:
    return {"minor": amount.minor, "currency": amount.currency, "display": str(amount)}


def moment(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def rate(value: TaxRate) -> JSONObject:
    return {"basis_points": value.basis_points, "percent": f"{value.as_percent.normalize():f}"}


def taxes(by_rate: Mapping[TaxRate, Money]) -> list[JSON]:
    return [{"rate": rate(key), "tax": money(amount)} for key, amount in by_rate.items()]


def _taxes_text(by_rate: Mapping[TaxRate, Money]) -> str:
    return ", ".join(f"{amount} at {key}" for key, amount in by_rate.items()) or "none"


def _pricing(value: Order | RefundOrder) -> str:
    return "prices include tax" if value.prices_include_tax else "prices exclude tax"


# -- orders ----------------------------------------------------------------------------------


def order(value: Order) -> JSONObject:
    payment = value.payment
    cancellation = value.cancellation
    return {
        "id": value.id,
        "shop": value.shop,
        "state": value.state.value,
        "status": value.status,
        "version": value.version,
        "currency": value.currency,
        "total": money(value.total),
        "prices_include_tax": value.prices_include_tax,
        "tax": money(sum(value.tax_by_rate.values(), Money.zero(value.currency))),
        "tax_by_rate": taxes(value.tax_by_rate),
        "placed_at": moment(value.placed_at),
        "payment": None
        if payment is None
        else {
            "provider": payment.provider,
            "reference": payment.reference,
            "auto_capture": payment.auto_capture,
            "authorization_expires_at": moment(payment.authorization_expires_at),
        },
        "lines": [_order_line(line) for line in value.lines],
        "shipping": [_shipping_line(fee) for fee in value.shipping],
        "discounts": [_discount(applied) for applied in value.discounts],
        "cancellation": None
        if cancellation is None
        else {
            "status": cancellation.status,
            "reason": cancellation.reason,
            "reason_code": cancellation.reason_code.value if cancellation.reason_code else None,
            "actor": cancellation.actor,
            "at": moment(cancellation.at),
            "refund_order_id": cancellation.refund_order_id,
        },
    }


def _order_line(line: OrderLine) -> JSONObject:
    return {
        "id": line.id,
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_price": money(line.unit_price),
        "list_price": money(line.list_price),
        "discount": money(line.discount),
        "subtotal": money(line.subtotal),
        "tax_rate": rate(line.tax_rate),
        "tax": money(line.tax),
        "total": money(line.total),
        "fulfilled": line.fulfilled,
        "returned": line.returned,
    }


def _shipping_line(fee: ShippingLine) -> JSONObject:
    return {
        "id": fee.id,
        "name": fee.name,
        "amount": money(fee.amount),
        "tax_rate": rate(fee.tax_rate),
        "tax": money(fee.tax),
        "total": money(fee.total),
        "refunded": money(fee.refunded),
    }


def _discount(applied: AppliedDiscount) -> JSONObject:
    share = None if applied.basis_points is None else TaxRate(applied.basis_points)
    return {
        "code": applied.code,
        "percent": None if share is None else rate(share)["percent"],
        "amount": money(applied.amount),
        "lines": [
            {"line_id": share.line_id, "amount": money(share.amount)} for share in applied.per_line
        ],
    }


def order_text(value: Order) -> list[str]:
    paid = f"{value.payment.provider} {value.payment.reference}" if value.payment else "nothing"
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
    return {
        "id": value.id,
        "shop": value.shop,
        "order_id": value.order_id,
        "kind": value.kind.value,
        "amount": money(value.amount),
        "goods": money(value.goods),
        "discount_reversed": money(value.discount_reversed),
        "shipping_refunded": money(value.shipping_refunded),
        "tax": money(value.tax),
        "tax_by_rate": taxes(value.tax_by_rate),
        "prices_include_tax": value.prices_include_tax,
        "lines": [_refund_line(line) for line in value.lines],
        "shipping": [_shipping_portion(part) for part in value.shipping],
        "fees_kept": money(value.fees_kept),
        "adjustments": money(value.adjustments),
        "fees": [
            {
                "name": fee.name,
                "tax_rate": rate(fee.tax_rate),
                "amount": money(fee.amount),
                "tax": money(fee.tax),
            }
            for fee in value.fees
        ],
        "reason": value.reason,
        "reason_code": value.reason_code.value if value.reason_code else None,
        "created_at": moment(value.created_at),
        "restock": value.restock,
        "stock_status": value.stock_status.value,
        "payment_status": value.payment_status.value,
        "refunded": money(value.refunded),
        "released": money(value.released),
        "manual_amount": money(value.manual_amount),
        "provider_reference": value.provider_reference,
        "payment_detail": value.payment_detail,
        "payment_unrefunded": money(value.payment_unrefunded)
        if value.payment_unrefunded is not None
        else None,
        "payment_attempts": value.payment_attempts,
        "last_error": value.last_error,
        "stock_error": value.stock_error,
        "payment_error": value.payment_error,
        "manual_refund_note": value.manual_refund_note,
        "version": value.version,
    }


def refunds(values: Iterable[RefundOrder]) -> list[JSON]:
    return [refund(value) for value in values]


def _refund_line(line: LineQuantity) -> JSONObject:
    return {
        "line_id": line.line_id,
        "sku": line.sku,
        "quantity": line.quantity,
        "unit_price": money(line.unit_price),
        "discount": money(line.discount),
        "tax_rate": rate(line.tax_rate),
        "tax": money(line.tax),
        "total": money(line.total),
        "amount": money(line.amount),
    }


def _shipping_portion(part: ShippingPortion) -> JSONObject:
    return {
        "shipping_id": part.shipping_id,
        "name": part.name,
        "tax_rate": rate(part.tax_rate),
        "tax": money(part.tax),
        "amount": money(part.amount),
    }


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
    return {
        "start": moment(value.start),
        "end": moment(value.end),
        "totals": [_report_row(row) for row in value.totals],
    }


def _report_row(row: CurrencyTotals) -> JSONObject:
    return {
        "currency": row.currency,
        "gross": money(row.gross),
        "refunds": money(row.refunds),
        "net": money(row.net),
        "orders": row.orders,
        "refund_orders": row.refund_orders,
        "goods": money(row.goods),
        "discounts": money(row.discounts),
        "shipping": money(row.shipping),
        "refunded_goods": money(row.refunded_goods),
        "discounts_reversed": money(row.discounts_reversed),
        "refunded_shipping": money(row.refunded_shipping),
        "fees_kept": money(row.fees_kept),
        "adjustments": money(row.adjustments),
        "tax": money(row.tax),
        "taxes": [_tax_row(totals) for totals in row.taxes],
    }


def _tax_row(totals: TaxTotals) -> JSONObject:
    return {
        "rate": rate(totals.rate),
        "collected": money(totals.collected),
        "refunded": money(totals.refunded),
        "net": money(totals.net),
    }


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
