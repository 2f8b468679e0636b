"""What a return records: the refund order it creates and the events it publishes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import (
    LineItem,
    Money,
    Order,
    OrderState,
    PaymentRef,
    RefundKind,
    StockStatus,
)
from order_cancellation.domain.events import OrderReturned, ReturnCreated
from order_cancellation.domain.values import LineQuantity

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHIPPED = PLACED + timedelta(hours=2)
RETURNED = PLACED + timedelta(days=3)
CARD = PaymentRef(provider="card", reference="c-1")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def shipped_order() -> Order:
    """Order o-1 of shop acme, everything shipped: L1 (2 x MUG at 12.50), L2 (1 x TEE at 20)."""
    items = [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))]
    placed = Order.place(order_id="o-1", shop="acme", items=items, payment=CARD, at=PLACED)
    return placed.order.fulfill(None, at=SHIPPED).order


MUG = LineQuantity(line_id="L1", sku="MUG", quantity=1, unit_price=eur("12.50"))


@pytest.mark.parametrize("restock", [True, False])
def test_a_return_creates_a_refund_order_for_the_units_taken_back(restock: bool) -> None:
    decision = shipped_order().create_return(
        {"MUG": 1}, refund_order_id="r-2", restock=restock, reason="Chipped", at=RETURNED
    )

    refund = decision.refund_order
    assert refund is not None
    assert (refund.id, refund.shop, refund.order_id, refund.kind) == (
        "r-2",
        "acme",
        "o-1",
        RefundKind.RETURN,
    )
    assert (refund.lines, refund.amount) == ((MUG,), eur("12.50"))
    assert (refund.reason, refund.reason_code, refund.created_at) == ("Chipped", None, RETURNED)
    assert refund.restock is restock
    assert refund.stock_status is (StockStatus.PENDING if restock else StockStatus.NOT_REQUESTED)


@pytest.mark.parametrize("restock", [True, False])
def test_a_partial_return_publishes_what_came_back_and_that_the_order_stays_fulfilled(
    restock: bool,
) -> None:
    decision = shipped_order().create_return(
        {"MUG": 1}, refund_order_id="r-2", restock=restock, reason="Chipped", at=RETURNED
    )

    assert decision.events == (
        ReturnCreated(
            shop="acme",
            order_id="o-1",
            occurred_at=RETURNED,
            refund_order_id="r-2",
            lines=(MUG,),
            amount=eur("12.50"),
            reason="Chipped",
            restock=restock,
            order_state=OrderState.FULFILLED,
            payment=CARD,
        ),
    )


def test_returning_the_last_units_publishes_that_the_order_was_returned() -> None:
    decision = shipped_order().create_return(
        {"L1": 2, "TEE": 1}, refund_order_id="r-2", restock=False, reason=None, at=RETURNED
    )

    created, returned = decision.events
    assert isinstance(created, ReturnCreated)
    assert (created.order_state, created.amount, created.reason) == (
        OrderState.RETURNED,
        eur("45.00"),
        None,
    )
    assert returned == OrderReturned(shop="acme", order_id="o-1", occurred_at=RETURNED)
    assert (decision.order.state, decision.order.status) == (OrderState.RETURNED, "Returned")
