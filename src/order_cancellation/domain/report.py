"""The sales report: a sale counts on the order's date, a refund on the refund order's date."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.values import check_aware, shown


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
    try:
        # Stores compare moments in UTC; a moment at the edge of the calendar has none.
        start.astimezone(UTC), end.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(
            "a report's start and end must lie between the years 1 and 9999 in UTC; "
            "give a narrower period."
        ) from None
    if end <= start:
        raise InvalidInput("a report's end must come after its start.")


def report_period(
    day: object, start: datetime | None, end: datetime | None, tz: object
) -> tuple[datetime, datetime]:
    """The ``[start, end)`` a report covers: one ``day`` (a date, or ISO text such as
    ``"2026-11-02"``) midnight to midnight in ``tz`` (a tzinfo or a zone name), or the
    period given."""
    if day is not None:
        if start is not None or end is not None:
            raise InvalidInput("give either a day, or start and end, not both.")
        zone = _zone(tz)
        first = datetime.combine(_day(day), time.min, tzinfo=zone)
        try:
            start, end = first, first + timedelta(days=1)
        except OverflowError:
            raise InvalidInput(
                "a report's day must be before 9999-12-31; give an earlier date."
            ) from None
    if start is None or end is None:
        raise InvalidInput("a report needs a day, or both start and end.")
    check_period(start, end)
    return start, end


def _day(day: object) -> date:
    if isinstance(day, str):
        try:
            return date.fromisoformat(day)
        except ValueError:
            pass
    elif isinstance(day, date) and not isinstance(day, datetime):
        return day
    raise InvalidInput(
        f"day is a date such as date(2026, 11, 2) or ISO text such as '2026-11-02', "
        f"not {shown(day)}; for a period between two moments, give start and end."
    )


def _zone(tz: object) -> tzinfo:
    if isinstance(tz, tzinfo):
        return tz
    if isinstance(tz, str):
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise InvalidInput(
        f"tz is a time zone such as ZoneInfo('Europe/Helsinki') or its name "
        f"'Europe/Helsinki', not {shown(tz)}."
    )


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
