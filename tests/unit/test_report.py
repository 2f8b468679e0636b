"""The sales report: a sale counts on the order's date, a refund on the refund order's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import InvalidInput, LineItem, Money, Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import build_report

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
TUESDAY = MONDAY + timedelta(days=1)
WEDNESDAY = TUESDAY + timedelta(days=1)


def placed(at: datetime, price: Money, order_id: str = "o-1", *, units: int = 2) -> Order:
    return Order.place(
        order_id=order_id, shop="acme", items=[LineItem("MUG", units, price)], payment=None, at=at
    ).order


def canceled(order: Order, at: datetime) -> RefundOrder:
    refund = order.cancel(
        refund_order_id=f"r-{order.id}",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=True,
        at=at,
    ).refund_order
    assert refund is not None
    return refund


def test_a_sale_counts_on_the_day_the_order_was_placed() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))

    monday = build_report([order], [], start=MONDAY, end=TUESDAY).currency("EUR")
    tuesday = build_report([order], [], start=TUESDAY, end=WEDNESDAY).currency("EUR")

    assert (monday.gross, monday.orders) == (order.total, 1)
    assert (tuesday.gross, tuesday.orders) == (Money.zero("EUR"), 0)


def test_a_cancellation_counts_against_sales_on_its_own_day() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))
    refund = canceled(order, TUESDAY + timedelta(hours=9))

    monday = build_report([order], [refund], start=MONDAY, end=TUESDAY).currency("EUR")
    tuesday = build_report([order], [refund], start=TUESDAY, end=WEDNESDAY).currency("EUR")

    assert monday.net == order.total
    assert (tuesday.refunds, tuesday.net) == (order.total, -order.total)


def test_a_canceled_order_nets_to_zero_over_both_days() -> None:
    order = placed(MONDAY + timedelta(hours=9), Money.of("10", "EUR"))
    refund = canceled(order, TUESDAY + timedelta(hours=9))

    both = build_report([order], [refund], start=MONDAY, end=WEDNESDAY).currency("EUR")

    assert both.gross == order.total
    assert both.net.is_zero()


def test_each_currency_has_its_own_row() -> None:
    at = MONDAY + timedelta(hours=9)
    orders = [placed(at, Money.of("10", "EUR"), "o-1"), placed(at, Money.of("900", "JPY"), "o-2")]

    report = build_report(orders, [], start=MONDAY, end=TUESDAY)

    assert [row.currency for row in report.totals] == ["EUR", "JPY"]
    assert report.currency("JPY").gross == Money.of("1800", "JPY")


def test_a_report_ends_after_it_starts() -> None:
    with pytest.raises(InvalidInput, match="end must come after"):
        build_report([], [], start=TUESDAY, end=MONDAY)
