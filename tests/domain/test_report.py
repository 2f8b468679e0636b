"""The sales report: a sale counts on the order's date, a refund on the refund order's date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import (
    Discount,
    InvalidInput,
    LineItem,
    Money,
    Order,
    ShippingFee,
    TaxRate,
)
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


# -- the breakdown of a real order: VAT, shipping and a discount --------------------------------


def real_order(at: datetime) -> Order:
    return Order.place(
        order_id="o-vat",
        shop="acme",
        items=[
            LineItem("TSHIRT", 2, Money.of("24.90", "EUR"), tax_rate="25.5"),
            LineItem("BOOK", 1, Money.of("12.00", "EUR"), tax_rate="10"),
        ],
        payment=None,
        at=at,
        shipping=[ShippingFee("Standard", Money.of("5.90", "EUR"), tax_rate="25.5")],
        discounts=[Discount.percentage("WINTER10", "10", lines=["TSHIRT"])],
    ).order


def test_a_sale_shows_goods_discounts_shipping_and_tax_per_rate() -> None:
    order = real_order(MONDAY + timedelta(hours=9))

    row = build_report([order], [], start=MONDAY, end=TUESDAY).currency("EUR")

    assert (row.goods, row.discounts, row.shipping) == (
        Money.of("61.80", "EUR"),
        Money.of("4.98", "EUR"),
        Money.of("5.90", "EUR"),
    )
    assert row.gross == row.goods - row.discounts + row.shipping == Money.of("62.72", "EUR")
    assert [(t.rate, t.collected) for t in row.taxes] == [
        (TaxRate.percent("10"), Money.of("1.09", "EUR")),
        (TaxRate.percent("25.5"), Money.of("10.31", "EUR")),
    ]
    assert row.tax == Money.of("11.40", "EUR")


def test_a_canceled_real_order_nets_to_zero_on_every_figure_and_rate() -> None:
    order = real_order(MONDAY + timedelta(hours=9))
    refund = canceled(order, MONDAY + timedelta(hours=10))

    row = build_report([order], [refund], start=MONDAY, end=TUESDAY).currency("EUR")

    assert row.net.is_zero()
    assert (row.refunded_goods, row.discounts_reversed, row.refunded_shipping) == (
        row.goods,
        row.discounts,
        row.shipping,
    )
    assert all(t.net.is_zero() and t.refunded == t.collected for t in row.taxes)
    assert row.tax.is_zero()


def test_the_refund_side_adds_up_to_the_refunds() -> None:
    order = real_order(MONDAY + timedelta(hours=9))
    order = order.fulfill(None, at=MONDAY + timedelta(hours=10)).order
    refund = order.create_return(
        {"TSHIRT": 1},
        refund_order_id="r-1",
        restock=True,
        reason=None,
        at=TUESDAY + timedelta(hours=9),
        refund_shipping=Money.of("2.00", "EUR"),
    ).refund_order
    assert refund is not None

    row = build_report([order], [refund], start=TUESDAY, end=WEDNESDAY).currency("EUR")

    assert row.refunds == Money.of("24.41", "EUR")
    assert row.refunds == row.refunded_goods - row.discounts_reversed + row.refunded_shipping
    assert (row.refunded_goods, row.discounts_reversed) == (
        Money.of("24.90", "EUR"),
        Money.of("2.49", "EUR"),
    )


def test_a_rate_without_sales_in_the_period_reads_as_zero() -> None:
    row = build_report([], [], start=MONDAY, end=TUESDAY).currency("EUR")

    assert row.tax_at(TaxRate(2400)).net == Money.zero("EUR")
