"""The sales report: a sale counts on the order's date, a refund on the refund order's date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import attrs

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.values import check_aware


@attrs.frozen(kw_only=True)
class CurrencyTotals:
    currency: str
    gross: Money
    refunds: Money
    orders: int
    refund_orders: int

    @property
    def net(self) -> Money:
        return self.gross - self.refunds


@attrs.frozen(kw_only=True)
class SalesReport:
    """Sales in ``[start, end)``, one row per currency."""

    start: datetime
    end: datetime
    totals: tuple[CurrencyTotals, ...]

    def currency(self, currency: str) -> CurrencyTotals:
        for row in self.totals:
            if row.currency == currency:
                return row
        zero = Money.zero(currency)
        return CurrencyTotals(
            currency=currency, gross=zero, refunds=zero, orders=0, refund_orders=0
        )


def check_period(start: datetime, end: datetime) -> None:
    check_aware(start, "the start of the report")
    check_aware(end, "the end of the report")
    if end <= start:
        raise InvalidInput("a report's end must come after its start.")


def build_report(
    orders: Iterable[Order], refunds: Iterable[RefundOrder], *, start: datetime, end: datetime
) -> SalesReport:
    check_period(start, end)
    gross: dict[str, Money] = {}
    returned: dict[str, Money] = {}
    order_count: dict[str, int] = {}
    refund_count: dict[str, int] = {}
    for order in orders:
        if start <= order.placed_at < end:
            gross[order.currency] = gross.get(order.currency, Money.zero(order.currency)) + (
                order.total
            )
            order_count[order.currency] = order_count.get(order.currency, 0) + 1
    for refund in refunds:
        if start <= refund.created_at < end:
            currency = refund.amount.currency
            returned[currency] = returned.get(currency, Money.zero(currency)) + refund.amount
            refund_count[currency] = refund_count.get(currency, 0) + 1
    rows = tuple(
        CurrencyTotals(
            currency=currency,
            gross=gross.get(currency, Money.zero(currency)),
            refunds=returned.get(currency, Money.zero(currency)),
            orders=order_count.get(currency, 0),
            refund_orders=refund_count.get(currency, 0),
        )
        for currency in sorted(gross.keys() | returned.keys())
    )
    return SalesReport(start=start, end=end, totals=rows)
