"""The sales report: a sale counts on the order's date, a refund on the refund order's date.

Every money figure of a row is in the row's currency, exact to the minor unit:

- ``gross``: what orders placed in the period cost, tax included (goods after discounts
  plus shipping); ``refunds``: what refund orders created in the period give back;
  ``net = gross - refunds``.
- The breakdown, tax included: ``goods`` (at list price, before discounts), ``discounts``,
  ``shipping``; ``gross = goods - discounts + shipping``. On the refund side
  ``refunded_goods`` (list price of the units), ``discounts_reversed`` and
  ``refunded_shipping``, less ``fees_kept`` (restocking fees, return shipping kept back),
  plus ``adjustments`` (goodwill refunds, less what later refunds held back of them):
  ``refunds = refunded_goods - discounts_reversed + refunded_shipping - fees_kept +
  adjustments``.
- ``taxes``: per rate, the tax collected, refunded and net.

A canceled or fully returned order (with its shipping refunded) nets to zero on every
figure and every rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.values import check_aware, shown


@attrs.frozen(kw_only=True)
class TaxTotals:
    """The tax of one rate: collected on sales, given back by refunds."""

    rate: TaxRate
    collected: Money
    refunded: Money

    @property
    def net(self) -> Money:
        return self.collected - self.refunded


def _zero(row: CurrencyTotals) -> Money:
    return Money.zero(row.currency)


_ZERO = attrs.Factory(_zero, takes_self=True)


@attrs.frozen(kw_only=True)
class CurrencyTotals:
    currency: str
    gross: Money
    refunds: Money
    orders: int
    refund_orders: int
    goods: Money = _ZERO
    discounts: Money = _ZERO
    shipping: Money = _ZERO
    refunded_goods: Money = _ZERO
    discounts_reversed: Money = _ZERO
    refunded_shipping: Money = _ZERO
    fees_kept: Money = _ZERO
    adjustments: Money = _ZERO
    taxes: tuple[TaxTotals, ...] = ()

    @property
    def net(self) -> Money:
        return self.gross - self.refunds

    @property
    def tax(self) -> Money:
        """The net tax of the period, all rates together."""
        return sum((row.net for row in self.taxes), Money.zero(self.currency))

    def tax_at(self, rate: TaxRate) -> TaxTotals:
        for row in self.taxes:
            if row.rate == rate:
                return row
        zero = Money.zero(self.currency)
        return TaxTotals(rate=rate, collected=zero, refunded=zero)


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


@attrs.define
class _Row:
    """One currency's figures while they are being added up."""

    currency: str
    figures: dict[str, Money] = attrs.Factory(dict)
    collected: dict[TaxRate, Money] = attrs.Factory(dict)
    refunded: dict[TaxRate, Money] = attrs.Factory(dict)
    orders: int = 0
    refund_orders: int = 0

    def add(self, name: str, amount: Money) -> None:
        self.figures[name] = self.figure(name) + amount

    def figure(self, name: str) -> Money:
        return self.figures.get(name, Money.zero(self.currency))

    def sale(self, order: Order) -> None:
        self.orders += 1
        self.add("gross", order.total)
        goods = sum(
            (line.list_price_with_tax(order.prices_include_tax) for line in order.lines),
            self._none(),
        )
        self.add("goods", goods)
        self.add("discounts", goods - sum((line.total for line in order.lines), self._none()))
        self.add("shipping", sum((fee.total for fee in order.shipping), self._none()))
        _add_taxes(self.collected, order.tax_by_rate)

    def refund(self, refund: RefundOrder) -> None:
        self.refund_orders += 1
        self.add("refunds", refund.amount)
        self.add("refunded_goods", sum((line.gross for line in refund.lines), self._none()))
        self.add("discounts_reversed", refund.discount_reversed)
        self.add("refunded_shipping", refund.shipping_refunded)
        self.add("fees_kept", refund.fees_kept)
        self.add("adjustments", refund.adjustments)
        _add_taxes(self.refunded, refund.tax_by_rate)

    def _none(self) -> Money:
        return Money.zero(self.currency)

    def totals(self) -> CurrencyTotals:
        rates = sorted(self.collected.keys() | self.refunded.keys())
        zero = self._none()
        return CurrencyTotals(
            currency=self.currency,
            orders=self.orders,
            refund_orders=self.refund_orders,
            taxes=tuple(
                TaxTotals(
                    rate=rate,
                    collected=self.collected.get(rate, zero),
                    refunded=self.refunded.get(rate, zero),
                )
                for rate in rates
            ),
            **{name: self.figure(name) for name in _FIGURES},
        )


_FIGURES = (
    "gross",
    "refunds",
    "goods",
    "discounts",
    "shipping",
    "refunded_goods",
    "discounts_reversed",
    "refunded_shipping",
    "fees_kept",
    "adjustments",
)


def _add_taxes(into: dict[TaxRate, Money], taxes: dict[TaxRate, Money]) -> None:
    for rate, amount in taxes.items():
        into[rate] = into[rate] + amount if rate in into else amount


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
    rows: dict[str, _Row] = {}
    for order in orders:
        if start <= order.placed_at < end:
            rows.setdefault(order.currency, _Row(order.currency)).sale(order)
    for refund in refunds:
        if start <= refund.created_at < end:
            currency = refund.amount.currency
            rows.setdefault(currency, _Row(currency)).refund(refund)
    return SalesReport(start=start, end=end, totals=tuple(rows[c].totals() for c in sorted(rows)))
