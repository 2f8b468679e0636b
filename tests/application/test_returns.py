"""Returns (rule 8): fulfilled units come back, are refunded, and restocked if resellable."""

from __future__ import annotations

import pytest

from order_cancellation import (
    NothingToReturn,
    OrderAlreadyReturned,
    OrderState,
    PaymentStatus,
    RefundKind,
    StockStatus,
)
from order_cancellation.adapters.memory import Operation
from order_cancellation.domain.events import OrderReturned
from tests.application.harness import Shop, eur


def test_a_return_of_some_units_refunds_them_and_restocks_them(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)
    shipped = shop.sales.stock_levels()

    refund = shop.sales.create_return(order.id, {"MUG": 1}, reason="Chipped")

    assert refund.kind is RefundKind.RETURN
    assert refund.amount == eur("12.50")
    assert refund.payment_status is PaymentStatus.REFUNDED
    assert refund.refunded == eur("12.50")
    assert refund.stock_status is StockStatus.DONE
    assert shop.sales.stock_levels() == {**shipped, "MUG": shipped["MUG"] + 1}
    assert shop.sales.get_order(order.id).state is OrderState.FULFILLED


def test_goods_that_cannot_be_resold_are_not_restocked(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)
    shipped = shop.sales.stock_levels()

    refund = shop.sales.create_return(order.id, {"L1": 2}, restock=False)

    assert shop.sales.stock_levels() == shipped
    assert refund.stock_status is StockStatus.NOT_REQUESTED
    assert refund.payment_status is PaymentStatus.REFUNDED


def test_the_order_is_returned_when_every_unit_has_come_back(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)

    shop.sales.create_return(order.id, {"MUG": 1})
    shop.sales.create_return(order.id, {"MUG": 1, "TEE": 1})

    returned = shop.sales.get_order(order.id)
    assert returned.state is OrderState.RETURNED
    assert returned.status == "Returned"
    assert len(shop.sales.refund_orders(order_id=order.id)) == 2
    assert len(shop.publisher.of_type(OrderReturned)) == 1
    assert shop.card.count(Operation.REFUND) == 2


def test_every_return_together_refunds_no_more_than_was_captured(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)

    shop.sales.create_return(order.id, {"MUG": 2})
    shop.sales.create_return(order.id, {"TEE": 1})

    assert order.payment is not None
    view = shop.card.view(order.payment.reference, now=shop.clock.now())
    assert view.refunded == view.captured == order.total


def test_units_not_yet_shipped_cannot_be_returned(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place().id, {"MUG": 1})

    with pytest.raises(NothingToReturn, match="1 fulfilled unit"):
        shop.sales.create_return(order.id, {"MUG": 2})


def test_units_already_returned_cannot_be_returned_again(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place().id, {"MUG": 1})
    shop.sales.create_return(order.id, {"MUG": 1})

    with pytest.raises(NothingToReturn, match="0 fulfilled unit"):
        shop.sales.create_return(order.id, {"MUG": 1})


def test_a_returned_order_accepts_no_further_return(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place().id)
    shop.sales.create_return(order.id, {"MUG": 2, "TEE": 1})

    with pytest.raises(OrderAlreadyReturned):
        shop.sales.create_return(order.id, {"MUG": 1})


def test_returning_uncaptured_units_leaves_a_manual_refund_to_decide(shop: Shop) -> None:
    # Fulfilled without capture: the provider holds no money to refund for these units.
    order = shop.sales.fulfill(shop.place(auto_capture=False).id)

    refund = shop.sales.create_return(order.id, {"MUG": 1})

    assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert refund.manual_amount == eur("12.50")
    assert shop.card.count(Operation.REFUND) == 0
