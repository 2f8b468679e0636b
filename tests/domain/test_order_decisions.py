"""What placing and canceling record: the order, its refund order and the published events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import (
    LineItem,
    Money,
    Order,
    OrderState,
    PaymentRef,
    ReasonCode,
    RefundKind,
    StockStatus,
)
from order_cancellation.domain.events import OrderCanceled, OrderFulfilled, OrderPlaced
from order_cancellation.domain.values import LineQuantity

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHIPPED = PLACED + timedelta(hours=3)
CANCELED = PLACED + timedelta(hours=5)
CARD = PaymentRef(provider="card", reference="c-1")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


ITEMS = (LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00")))
WHOLE_ORDER = (
    LineQuantity(line_id="L1", sku="MUG", quantity=2, unit_price=eur("12.50")),
    LineQuantity(line_id="L2", sku="TEE", quantity=1, unit_price=eur("20.00")),
)


def open_order() -> Order:
    return Order.place(order_id="o-1", shop="acme", items=ITEMS, payment=CARD, at=PLACED).order


def test_placing_an_order_publishes_its_lines_total_and_payment() -> None:
    decision = Order.place(order_id="o-1", shop="acme", items=ITEMS, payment=CARD, at=PLACED)

    assert decision.events == (
        OrderPlaced(
            shop="acme",
            order_id="o-1",
            occurred_at=PLACED,
            lines=WHOLE_ORDER,
            total=eur("45.00"),
            payment=CARD,
        ),
    )
    assert (decision.order.id, decision.order.shop, decision.order.placed_at) == (
        "o-1",
        "acme",
        PLACED,
    )


def test_shipping_part_of_an_order_publishes_what_shipped_and_labels_the_order_fulfilled() -> None:
    decision = open_order().fulfill({"TEE": 1}, at=SHIPPED)

    assert decision.events == (
        OrderFulfilled(
            shop="acme",
            order_id="o-1",
            occurred_at=SHIPPED,
            lines=WHOLE_ORDER[1:],
            amount=eur("20.00"),
            completely=False,
            capture=False,
        ),
    )
    order = decision.order
    assert (order.state, order.status, order.version) == (OrderState.FULFILLED, "Fulfilled", 2)
    assert [(line.id, line.fulfilled) for line in order.lines] == [("L1", 0), ("L2", 1)]


def test_shipping_the_last_units_publishes_that_the_order_shipped_completely() -> None:
    partly = open_order().fulfill({"L2": 1}, at=SHIPPED).order

    (event,) = partly.fulfill(None, at=CANCELED).events

    assert event == OrderFulfilled(
        shop="acme",
        order_id="o-1",
        occurred_at=CANCELED,
        lines=WHOLE_ORDER[:1],
        amount=eur("25.00"),
        completely=True,
        capture=False,
    )


@pytest.mark.parametrize("restock", [True, False])
def test_canceling_publishes_everything_a_consumer_needs(restock: bool) -> None:
    decision = open_order().cancel(
        refund_order_id="r-1",
        status="Canceled - fraud",
        reason="Stolen card",
        reason_code=ReasonCode.FRAUD,
        actor="staff-7",
        restock=restock,
        at=CANCELED,
    )

    assert decision.events == (
        OrderCanceled(
            shop="acme",
            order_id="o-1",
            occurred_at=CANCELED,
            refund_order_id="r-1",
            status="Canceled - fraud",
            reason="Stolen card",
            reason_code=ReasonCode.FRAUD,
            actor="staff-7",
            lines=WHOLE_ORDER,
            amount=eur("45.00"),
            restock=restock,
            payment=CARD,
        ),
    )


@pytest.mark.parametrize("restock", [True, False])
def test_canceling_creates_a_refund_order_of_the_shop_for_the_whole_order(restock: bool) -> None:
    decision = open_order().cancel(
        refund_order_id="r-1",
        status="Canceled",
        reason="Changed my mind",
        reason_code=ReasonCode.CUSTOMER,
        actor=None,
        restock=restock,
        at=CANCELED,
    )

    refund = decision.refund_order
    assert refund is not None
    assert (refund.id, refund.shop, refund.order_id, refund.kind) == (
        "r-1",
        "acme",
        "o-1",
        RefundKind.CANCELLATION,
    )
    assert (refund.lines, refund.amount, refund.created_at) == (
        WHOLE_ORDER,
        eur("45.00"),
        CANCELED,
    )
    assert (refund.reason, refund.reason_code) == ("Changed my mind", ReasonCode.CUSTOMER)
    assert refund.restock is restock
    assert refund.stock_status is (StockStatus.PENDING if restock else StockStatus.NOT_REQUESTED)


def test_a_canceled_order_remembers_who_canceled_it_when_why_and_under_which_label() -> None:
    order = (
        open_order()
        .cancel(
            refund_order_id="r-1",
            status="Canceled - fraud",
            reason="Stolen card",
            reason_code=ReasonCode.FRAUD,
            actor="staff-7",
            restock=True,
            at=CANCELED,
        )
        .order
    )

    assert (order.state, order.status, order.version) == (
        OrderState.CANCELED,
        "Canceled - fraud",
        2,
    )
    cancellation = order.cancellation
    assert cancellation is not None
    assert (cancellation.status, cancellation.at, cancellation.refund_order_id) == (
        "Canceled - fraud",
        CANCELED,
        "r-1",
    )
    assert (cancellation.reason, cancellation.reason_code, cancellation.actor) == (
        "Stolen card",
        ReasonCode.FRAUD,
        "staff-7",
    )
