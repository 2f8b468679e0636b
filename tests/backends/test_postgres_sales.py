"""Sales on PostgreSQL, end to end: what one process writes, every other process sees, and
one shop never sees or changes another's records.

Needs a server: ``bash .ci/postgres.sh`` (see tests/backends/conftest.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import (
    LineItem,
    Money,
    OrderNotFound,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RefundOrderNotFound,
    Sales,
    StockStatus,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider, RecordingPublisher
from order_cancellation.domain.events import OrderCanceled, OrderPlaced, ReturnCreated

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EUR = "EUR"

OpenSales = Callable[..., Sales]


@pytest.fixture
def open_sales(postgres_dsn: str, schema: str) -> Iterator[OpenSales]:
    """``Sales.postgres`` on the test's schema; every call opens its own backend, as a new
    process would, and every backend is closed afterwards."""
    opened: list[Sales] = []

    def open_(shop: str = "acme", **options: object) -> Sales:
        sales = Sales.postgres(postgres_dsn, shop, schema=schema, **options)  # type: ignore[arg-type]
        opened.append(sales)
        return sales

    yield open_
    for sales in opened:
        sales.close()


def eur(amount: str) -> Money:
    return Money.of(amount, EUR)


def test_a_shop_places_fulfills_cancels_and_returns_and_a_second_process_sees_it_all(
    open_sales: OpenSales,
) -> None:
    clock = ManualClock(T0)
    provider = InMemoryPaymentProvider()
    publisher = RecordingPublisher()
    sales = open_sales(
        gateways={"card": provider}, publisher=publisher, clock=clock, effects="deferred"
    )
    sales.set_stock("SKU-1", 10)
    sales.set_stock("SKU-2", 5)
    sales.define_status_label("Canceled - out of stock")
    provider.authorize("pay-1", eur("30.00"), at=T0)
    provider.authorize("pay-2", eur("25.00"), at=T0)

    to_cancel = sales.place_order(
        [LineItem("SKU-1", 2, eur("12.50")), LineItem("SKU-2", 1, eur("5.00"))],
        payment=PaymentRef(provider="card", reference="pay-1"),
        idempotency_key="place-1",
    )
    replayed = sales.place_order(
        [LineItem("SKU-1", 2, eur("12.50")), LineItem("SKU-2", 1, eur("5.00"))],
        payment=PaymentRef(provider="card", reference="pay-1"),
        idempotency_key="place-1",
    )
    to_return = sales.place_order(
        [LineItem("SKU-1", 2, eur("12.50"))],
        payment=PaymentRef(provider="card", reference="pay-2", auto_capture=True),
    )
    assert replayed == to_cancel
    assert sales.stock_levels() == {"SKU-1": 6, "SKU-2": 4}

    clock.advance(timedelta(hours=1))
    sales.fulfill(to_return.id)
    sales.process_pending()  # captures the fulfilled order before anything is returned
    canceled = sales.cancel_order(
        to_cancel.id, status="Canceled - out of stock", reason="supplier ran out"
    )
    returned = sales.create_return(to_return.id, {to_return.lines[0].id: 1}, reason="Damaged")

    # Deferred: the commands committed, their effects wait in the outbox.
    assert sales.pending_effects() > 0
    assert sales.stock_levels() == {"SKU-1": 6, "SKU-2": 4}
    report = sales.process_pending()
    assert (report.failed, report.dead_lettered, sales.pending_effects()) == (0, 0, 0)
    assert sales.stock_levels() == {"SKU-1": 9, "SKU-2": 5}

    order = sales.get_order(to_cancel.id)
    assert (order.state, order.status) == (OrderState.CANCELED, "Canceled - out of stock")
    refunds = {refund.id: refund for refund in sales.refund_orders()}
    assert refunds[canceled.id].payment_status is PaymentStatus.VOIDED
    assert refunds[canceled.id].stock_status is StockStatus.DONE
    assert refunds[returned.id].payment_status is PaymentStatus.REFUNDED
    assert refunds[returned.id].refunded == eur("12.50")
    assert [type(e) for e in publisher.of_type(OrderPlaced)] == [OrderPlaced, OrderPlaced]
    assert len(publisher.of_type(OrderCanceled)) == len(publisher.of_type(ReturnCreated)) == 1

    # A second process on the same schema sees exactly the same shop.
    other = open_sales()
    assert other.get_order(to_cancel.id) == order
    assert other.get_order(to_return.id) == sales.get_order(to_return.id)
    assert other.refund_orders() == sales.refund_orders()
    assert other.stock_levels() == sales.stock_levels()
    assert other.status_labels() == sales.status_labels()
    assert other.report(T0.date()) == sales.report(T0.date())
    assert other.pending_effects() == 0
    day = other.report(T0.date()).currency(EUR)
    assert (day.gross, day.refunds) == (eur("55.00"), eur("42.50"))


def test_a_command_replayed_in_another_process_returns_the_first_result(
    open_sales: OpenSales,
) -> None:
    first, second = open_sales(), open_sales()
    first.set_stock("SKU-1", 3)
    order = first.place_order([LineItem("SKU-1", 1, eur("1.00"))], idempotency_key="k")
    canceled = first.cancel_order(order.id, idempotency_key="cancel-k")
    replayed = second.place_order([LineItem("SKU-1", 1, eur("1.00"))], idempotency_key="k")
    assert replayed.id == order.id
    assert second.cancel_order(order.id, idempotency_key="cancel-k") == canceled
    assert len(second.refund_orders()) == 1
    assert second.stock_level("SKU-1") == 3


def test_two_shops_on_one_database_never_see_or_change_each_others_records(
    open_sales: OpenSales,
) -> None:
    clock = ManualClock(T0)
    acme = open_sales("acme", clock=clock, effects="deferred")
    globex = open_sales("globex", clock=clock, effects="deferred")
    acme.set_stock("SKU-1", 10)
    globex.set_stock("SKU-1", 100)
    acme.define_status_label("Canceled - fraud")
    mine = acme.place_order(
        [LineItem("SKU-1", 2, eur("3.00"))], order_id="same-id", idempotency_key="k"
    )
    theirs = globex.place_order(
        [LineItem("SKU-1", 7, eur("9.00"))], order_id="same-id", idempotency_key="k"
    )
    refund = acme.cancel_order(mine.id)

    assert globex.get_order("same-id") == theirs
    assert globex.get_order("same-id").state is OrderState.OPEN
    with pytest.raises(RefundOrderNotFound):
        globex.get_refund_order(refund.id)
    assert globex.refund_orders() == []
    assert "Canceled - fraud" not in globex.status_labels()
    assert (acme.pending_effects(), globex.pending_effects()) == (2, 0)
    assert globex.process_pending().delivered == 0  # its relay never runs acme's effects
    assert acme.pending_effects() == 2
    assert acme.process_pending().delivered == 2
    assert acme.stock_levels() == {"SKU-1": 10}
    assert globex.stock_levels() == {"SKU-1": 93}
    acme_day, globex_day = acme.report(T0.date()), globex.report(T0.date())
    assert (acme_day.currency(EUR).gross, acme_day.currency(EUR).refunds) == (
        eur("6.00"),
        eur("6.00"),
    )
    assert (globex_day.currency(EUR).gross, globex_day.currency(EUR).refunds) == (
        eur("63.00"),
        eur("0.00"),
    )
    with pytest.raises(OrderNotFound):
        open_sales("initech").get_order("same-id")
