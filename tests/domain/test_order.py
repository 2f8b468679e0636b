"""The order aggregate: placing, fulfilling, canceling and returning, without any storage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import (
    CurrencyMismatch,
    InvalidInput,
    LineItem,
    Money,
    NothingToReturn,
    Order,
    OrderAlreadyCanceled,
    OrderAlreadyReturned,
    OrderFulfilledError,
    OrderState,
    OverFulfillment,
    PaymentRef,
    ReasonCode,
    RefundKind,
    StockStatus,
    UnknownLine,
)
from order_cancellation.domain.events import (
    OrderCanceled,
    OrderFulfilled,
    OrderPlaced,
    OrderReturned,
    ReturnCreated,
)

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LATER = PLACED + timedelta(hours=2)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def place(*items: LineItem, payment: PaymentRef | None = None) -> Order:
    lines = items or (LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00")))
    return Order.place(order_id="o-1", shop="acme", items=lines, payment=payment, at=PLACED).order


def cancel(order: Order) -> Order:
    return order.cancel(
        refund_order_id="r-1",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=True,
        at=LATER,
    ).order


def fulfilled(order: Order, quantities: dict[str, int] | None = None) -> Order:
    return order.fulfill(quantities, at=LATER).order


def returned(order: Order, quantities: dict[str, int]) -> Order:
    return order.create_return(
        quantities, refund_order_id="r-2", restock=True, reason=None, at=LATER
    ).order


# -- placing -----------------------------------------------------------------------------------


def test_a_placed_order_is_open_and_numbers_its_lines() -> None:
    decision = Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))],
        payment=None,
        at=PLACED,
    )

    order = decision.order
    assert (order.state, order.status, order.version) == (OrderState.OPEN, "Open", 1)
    assert [line.id for line in order.lines] == ["L1", "L2"]
    assert order.total == eur("45.00")
    (event,) = decision.events
    assert isinstance(event, OrderPlaced)
    assert event.total == order.total


def test_an_order_needs_at_least_one_line() -> None:
    with pytest.raises(InvalidInput, match="at least one line"):
        Order.place(order_id="o-1", shop="acme", items=[], payment=None, at=PLACED)


def test_an_order_is_paid_in_one_currency() -> None:
    with pytest.raises(CurrencyMismatch, match="one currency"):
        place(LineItem("MUG", 1, eur("1")), LineItem("TEE", 1, Money.of("1", "SEK")))


def test_a_klarna_authorization_expires_28_days_after_the_order_by_default() -> None:
    order = place(payment=PaymentRef(provider="klarna", reference="k-1"))

    assert order.payment is not None
    assert order.payment.authorization_expires_at == PLACED + timedelta(days=28)


def test_the_time_of_placing_must_carry_a_timezone() -> None:
    with pytest.raises(InvalidInput, match="timezone"):
        Order.place(
            order_id="o-1",
            shop="acme",
            items=[LineItem("MUG", 1, eur("1"))],
            payment=None,
            at=datetime(2026, 1, 1),  # naive: the point of the test
        )


# -- canceling ---------------------------------------------------------------------------------


def test_canceling_an_open_order_creates_a_refund_order_for_every_line() -> None:
    order = place()

    decision = order.cancel(
        refund_order_id="r-1",
        status="Canceled - out of stock",
        reason="Supplier let us down",
        reason_code=ReasonCode.INVENTORY,
        actor="staff-7",
        restock=True,
        at=LATER,
    )

    assert decision.order.state is OrderState.CANCELED
    assert decision.order.status == "Canceled - out of stock"
    assert decision.order.version == order.version + 1
    refund = decision.refund_order
    assert refund is not None
    assert refund.kind is RefundKind.CANCELLATION
    assert refund.amount == order.total
    assert refund.created_at == LATER
    assert {(line.line_id, line.quantity) for line in refund.lines} == {("L1", 2), ("L2", 1)}
    (event,) = decision.events
    assert isinstance(event, OrderCanceled)
    assert (event.reason, event.reason_code) == ("Supplier let us down", ReasonCode.INVENTORY)


def test_canceling_without_restocking_asks_for_no_stock_movement() -> None:
    decision = place().cancel(
        refund_order_id="r-1",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=False,
        at=LATER,
    )

    assert decision.refund_order is not None
    assert decision.refund_order.stock_status is StockStatus.NOT_REQUESTED


def test_canceling_a_fulfilled_order_is_refused_with_a_hint_to_create_a_return() -> None:
    order = fulfilled(place(), {"L1": 1})

    with pytest.raises(OrderFulfilledError, match="is fulfilled") as raised:
        cancel(order)

    assert "create a return" in str(raised.value)


def test_a_canceled_order_cannot_be_canceled_again() -> None:
    with pytest.raises(OrderAlreadyCanceled, match="canceled already"):
        cancel(cancel(place()))


# -- fulfilling --------------------------------------------------------------------------------


def test_shipping_some_units_makes_the_order_fulfilled() -> None:
    decision = place().fulfill({"MUG": 1}, at=LATER)

    assert decision.order.state is OrderState.FULFILLED
    assert decision.order.line("L1").fulfilled == 1
    (event,) = decision.events
    assert isinstance(event, OrderFulfilled)
    assert event.amount == eur("12.50")
    assert not event.completely


def test_shipping_more_than_remains_is_refused() -> None:
    with pytest.raises(OverFulfillment, match="1 unit"):
        fulfilled(place(), {"L2": 2})


def test_a_sku_on_several_lines_must_be_named_by_line_id() -> None:
    order = place(LineItem("MUG", 1, eur("1")), LineItem("MUG", 1, eur("2")))

    with pytest.raises(UnknownLine, match="several lines"):
        fulfilled(order, {"MUG": 1})


def test_auto_capture_is_asked_for_when_the_payment_says_so() -> None:
    order = place(payment=PaymentRef(provider="card", reference="c-1", auto_capture=True))

    (event,) = order.fulfill(None, at=LATER).events

    assert isinstance(event, OrderFulfilled)
    assert event.capture


# -- returning ---------------------------------------------------------------------------------


def test_returning_some_units_keeps_the_order_fulfilled() -> None:
    order = fulfilled(place())

    decision = order.create_return(
        {"L1": 1}, refund_order_id="r-2", restock=True, reason="Chipped", at=LATER
    )

    assert decision.order.state is OrderState.FULFILLED
    assert decision.refund_order is not None
    assert decision.refund_order.kind is RefundKind.RETURN
    assert decision.refund_order.amount == eur("12.50")
    assert [type(event) for event in decision.events] == [ReturnCreated]


def test_returning_every_unit_makes_the_order_returned() -> None:
    order = returned(fulfilled(place()), {"L1": 1})

    decision = order.create_return(
        {"L1": 1, "L2": 1}, refund_order_id="r-3", restock=False, reason=None, at=LATER
    )

    assert decision.order.state is OrderState.RETURNED
    assert [type(event) for event in decision.events] == [ReturnCreated, OrderReturned]


def test_only_fulfilled_units_can_be_returned() -> None:
    order = fulfilled(place(), {"L1": 1})

    with pytest.raises(NothingToReturn, match="1 fulfilled unit"):
        returned(order, {"L1": 2})


def test_an_open_order_has_nothing_to_return_and_should_be_canceled() -> None:
    with pytest.raises(NothingToReturn, match="cancel it instead"):
        returned(place(), {"L1": 1})


def test_a_returned_order_accepts_no_more_commands() -> None:
    order = returned(fulfilled(place()), {"L1": 2, "L2": 1})

    with pytest.raises(OrderAlreadyReturned):
        cancel(order)
