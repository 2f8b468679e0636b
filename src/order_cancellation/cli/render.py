"""The JSON documents and text lines of the library's values.

JSON keys are stable (scripts rely on them): amounts are ``{"minor", "currency",
"display"}``, times ISO 8601 with their offset, enums their lower-case value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from order_cancellation.cli.console import JSON, JSONObject
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order, OrderLine
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import LineQuantity


def money(amount: Money) -> JSONObject:
    return {"minor": amount.minor, "currency": amount.currency, "display": str(amount)}


def moment(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


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
        "total": money(line.total),
        "fulfilled": line.fulfilled,
        "returned": line.returned,
    }


def order_text(value: Order) -> list[str]:
    paid = f"{value.payment.provider} {value.payment.reference}" if value.payment else "nothing"
    lines = [
        f"order {value.id} (shop {value.shop})",
        f"  status   {value.status!r} (state {value.state.value}, version {value.version})",
        f"  placed   {value.placed_at.isoformat()}",
        f"  payment  {paid}",
        f"  total    {value.total}",
    ]
    lines += [
        f"  {line.id:<4} {line.sku:<16} {line.quantity} x {line.unit_price} = {line.total}"
        f"  (fulfilled {line.fulfilled}, returned {line.returned})"
        for line in value.lines
    ]
    if value.cancellation is not None and value.cancellation.reason:
        lines.append(f"  reason   {value.cancellation.reason}")
    return lines


# -- refund orders ---------------------------------------------------------------------------


def refund(value: RefundOrder) -> JSONObject:
    return {
        "id": value.id,
        "shop": value.shop,
        "order_id": value.order_id,
        "kind": value.kind.value,
        "amount": money(value.amount),
        "lines": [_refund_line(line) for line in value.lines],
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
        "amount": money(line.amount),
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
        "totals": [
            {
                "currency": row.currency,
                "gross": money(row.gross),
                "refunds": money(row.refunds),
                "net": money(row.net),
                "orders": row.orders,
                "refund_orders": row.refund_orders,
            }
            for row in value.totals
        ],
    }


def report_text(value: SalesReport) -> list[str]:
    lines = [f"sales from {value.start.isoformat()} to {value.end.isoformat()}"]
    if not value.totals:
        lines.append("no sales and no refunds in this period")
    lines += [
        f"{row.currency}: gross {row.gross}, refunds {row.refunds}, net {row.net} "
        f"({row.orders} orders, {row.refund_orders} refund orders)"
        for row in value.totals
    ]
    return lines
