"""The sales report through ``Sales``: sale on the order's date, refund on the cancellation's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from order_cancellation import InvalidInput, Money
from tests.application.harness import Shop


def test_a_sale_counts_on_the_order_date_and_its_cancellation_on_the_cancel_date(
    shop: Shop,
) -> None:
    order_day = shop.clock.now().date()
    order = shop.place()
    shop.clock.advance(timedelta(days=1))
    cancel_day = shop.clock.now().date()

    shop.sales.cancel_order(order.id)

    on_order_day = shop.sales.report(order_day).currency("EUR")
    on_cancel_day = shop.sales.report(cancel_day).currency("EUR")
    assert (on_order_day.gross, on_order_day.refunds) == (order.total, Money.zero("EUR"))
    assert (on_cancel_day.gross, on_cancel_day.refunds) == (Money.zero("EUR"), order.total)
    assert (on_order_day.orders, on_cancel_day.refund_orders) == (1, 1)


def test_a_canceled_order_nets_to_zero(shop: Shop) -> None:
    start = shop.clock.now()
    order = shop.place()
    shop.clock.advance(timedelta(days=3))
    shop.sales.cancel_order(order.id)

    report = shop.sales.report(start=start, end=shop.clock.now() + timedelta(seconds=1))

    totals = report.currency("EUR")
    assert totals.gross == order.total
    assert totals.net == Money.zero("EUR")


def test_a_return_counts_against_sales_on_the_day_of_the_return(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)
    shop.clock.advance(timedelta(days=2))

    refund = shop.sales.create_return(order.id, {"MUG": 1})

    totals = shop.sales.report(shop.clock.now().date()).currency("EUR")
    assert (totals.gross, totals.refunds) == (Money.zero("EUR"), refund.amount)


def test_a_day_may_be_given_as_iso_text(shop: Shop) -> None:
    order = shop.place()

    totals = shop.sales.report(shop.clock.now().date().isoformat()).currency("EUR")

    assert totals.gross == order.total


def test_a_time_zone_may_be_given_by_its_name(shop: Shop) -> None:
    day = shop.clock.now().date()

    by_name = shop.sales.report(day, tz="Europe/Helsinki")

    assert by_name == shop.sales.report(day, tz=ZoneInfo("Europe/Helsinki"))
    assert by_name.start.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize("tz", ["Europe/Atlantis", "", "a\x00b", "x" * 5000, 2, None])
def test_a_time_zone_that_is_not_one_is_invalid_input(shop: Shop, tz: object) -> None:
    with pytest.raises(
        InvalidInput, match=r"tz is a time zone such as ZoneInfo\('Europe/Helsinki'\)"
    ):
        shop.sales.report(shop.clock.now().date(), tz=tz)  # type: ignore[arg-type]


def test_the_last_day_of_the_calendar_is_invalid_input(shop: Shop) -> None:
    with pytest.raises(InvalidInput, match="before 9999-12-31; give an earlier date"):
        shop.sales.report(date.max)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), datetime(2026, 1, 1, tzinfo=UTC)),
        (
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime.max.replace(tzinfo=timezone(-timedelta(hours=5))),
        ),
    ],
    ids=["start-before-year-1", "end-after-year-9999"],
)
def test_a_period_reaching_past_the_calendar_in_utc_is_invalid_input(
    shop: Shop, start: datetime, end: datetime
) -> None:
    with pytest.raises(InvalidInput, match="between the years 1 and 9999 in UTC"):
        shop.sales.report(start=start, end=end)


def test_a_period_spanning_the_whole_calendar_in_utc_is_reported(shop: Shop) -> None:
    order = shop.place()

    report = shop.sales.report(
        start=datetime.min.replace(tzinfo=UTC), end=datetime.max.replace(tzinfo=UTC)
    )

    assert report.currency("EUR").gross == order.total
