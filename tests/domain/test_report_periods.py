"""The sales report's period is ``[start, end)``: what happens at its edges, and its rows."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from order_cancellation import CurrencyTotals, InvalidInput, Money, Order
from order_cancellation.domain.report import build_report, check_period
from tests.domain import test_report as report_case
from tests.domain.test_report import MONDAY, TUESDAY, WEDNESDAY, canceled


def placed(at: datetime, price: Money, order_id: str = "o-1") -> Order:
    """One mug at ``price``, so that each order's gross is its price."""
    return report_case.placed(at, price, order_id, units=1)


def test_a_sale_placed_at_the_very_end_of_a_period_counts_in_the_next_one() -> None:
    order = placed(TUESDAY, Money.of("10", "EUR"))

    monday = build_report([order], [], start=MONDAY, end=TUESDAY)
    tuesday = build_report([order], [], start=TUESDAY, end=WEDNESDAY)

    assert monday.totals == ()
    assert (tuesday.currency("EUR").gross, tuesday.currency("EUR").orders) == (order.total, 1)


def test_a_refund_made_at_the_very_end_of_a_period_counts_in_the_next_one() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))
    refund = canceled(order, TUESDAY)

    monday = build_report([order], [refund], start=MONDAY, end=TUESDAY).currency("EUR")
    tuesday = build_report([order], [refund], start=TUESDAY, end=WEDNESDAY).currency("EUR")

    assert (monday.refunds, monday.refund_orders) == (Money.zero("EUR"), 0)
    assert (tuesday.refunds, tuesday.refund_orders) == (order.total, 1)


def test_refunds_of_one_currency_add_up_in_one_row() -> None:
    at = MONDAY + timedelta(hours=9)
    first, second = (
        placed(at, Money.of("10", "EUR"), "o-1"),
        placed(at, Money.of("5", "EUR"), "o-2"),
    )
    refunds = [canceled(first, at), canceled(second, at)]

    row = build_report([first, second], refunds, start=MONDAY, end=TUESDAY).currency("EUR")

    assert (row.refunds, row.refund_orders) == (Money.of("15", "EUR"), 2)
    assert (row.gross, row.orders) == (Money.of("15", "EUR"), 2)
    assert row.net.is_zero()


def test_a_day_with_only_refunds_shows_no_orders_and_a_negative_net() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))
    refund = canceled(order, TUESDAY + timedelta(hours=9))

    (tuesday,) = build_report([order], [refund], start=TUESDAY, end=WEDNESDAY).totals

    assert (tuesday.currency, tuesday.gross, tuesday.orders) == ("EUR", Money.zero("EUR"), 0)
    assert (tuesday.refunds, tuesday.refund_orders) == (order.total, 1)
    assert tuesday.net == -order.total


def test_a_day_with_only_sales_shows_no_refund_orders() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))

    (monday,) = build_report([order], [], start=MONDAY, end=TUESDAY).totals

    assert (monday.currency, monday.gross, monday.orders) == ("EUR", order.total, 1)
    assert (monday.refunds, monday.refund_orders) == (Money.zero("EUR"), 0)


def test_a_report_keeps_the_period_it_was_asked_for() -> None:
    report = build_report([], [], start=MONDAY, end=WEDNESDAY)

    assert (report.start, report.end) == (MONDAY, WEDNESDAY)


def test_a_currency_without_sales_or_refunds_reads_as_an_all_zero_row() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))
    report = build_report([order], [], start=MONDAY, end=TUESDAY)

    assert report.currency("SEK") == CurrencyTotals(
        currency="SEK",
        gross=Money.zero("SEK"),
        refunds=Money.zero("SEK"),
        orders=0,
        refund_orders=0,
    )


def test_a_report_of_no_time_at_all_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        check_period(MONDAY, MONDAY)

    assert str(refused.value) == "a report's end must come after its start."


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (
            MONDAY.replace(tzinfo=None),
            TUESDAY,
            "the start of the report must be a timezone-aware datetime.",
        ),
        (
            MONDAY,
            TUESDAY.replace(tzinfo=None),
            "the end of the report must be a timezone-aware datetime.",
        ),
    ],
)
def test_each_end_of_a_report_must_say_its_timezone(
    start: datetime, end: datetime, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        build_report([], [], start=start, end=end)

    assert str(refused.value) == message
