"""The sales report through ``Sales``: sale on the order's date, refund on the cancellation's."""

from __future__ import annotations

from datetime import timedelta

from order_cancellation import Money
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
