"""``Sales.cancel_unfulfilled``: the unshipped rest of a partly shipped order, through the
effects: stock back once, the authorization reduced or released, the refund order listed."""

from __future__ import annotations

import pytest

from order_cancellation import (
    IdempotencyKeyReused,
    LineItem,
    OrderState,
    PaymentStatus,
    RefundKind,
    StockStatus,
)
from order_cancellation.adapters.memory import Operation
from order_cancellation.domain.events import AuthorizationReduced, UnshippedUnitsCanceled
from tests.application.harness import DEFAULT_STOCK, Shop, eur

STOCK = DEFAULT_STOCK["MUG"]


def three_mugs_two_tees(shop: Shop) -> str:
    order = shop.place(
        [LineItem("MUG", 3, eur("10.00")), LineItem("TEE", 2, eur("20.00"))], auto_capture=True
    )
    return order.id


@pytest.fixture
def shop() -> Shop:
    return Shop.open()


def test_the_rest_is_canceled_once_restocked_and_released_when_nothing_else_ships(
    shop: Shop,
) -> None:
    order_id = three_mugs_two_tees(shop)
    shop.sales.fulfill(order_id, {"MUG": 2, "TEE": 2})

    refund = shop.sales.cancel_unfulfilled(order_id, reason="out of stock")

    assert (refund.kind, refund.amount) == (RefundKind.CANCELLATION, eur("10.00"))
    assert (refund.stock_status, refund.payment_status) == (
        StockStatus.DONE,
        PaymentStatus.REFUNDED_AND_RELEASED if refund.refunded.minor else PaymentStatus.RELEASED,
    )
    assert refund.released == eur("10.00")
    assert shop.sales.stock_level("MUG") == STOCK - 3 + 1
    assert shop.sales.get_order(order_id).state is OrderState.FULFILLED
    assert shop.card.count(Operation.RELEASE_REMAINING) == 1


def test_while_more_will_ship_the_authorization_is_reduced_by_the_units_canceled(
    shop: Shop,
) -> None:
    order_id = three_mugs_two_tees(shop)
    shop.sales.fulfill(order_id, {"MUG": 1})

    refund = shop.sales.cancel_unfulfilled(order_id, {"MUG": 2})

    order = shop.sales.get_order(order_id)
    view = shop.card.view(order.payment.reference, now=shop.clock.now())  # type: ignore[union-attr]
    assert refund.payment_status is PaymentStatus.RELEASED
    assert (view.authorized, view.captured) == (eur("50.00"), eur("10.00"))
    assert shop.card.count(Operation.REDUCE_AUTHORIZATION) == 1
    # The tees still ship, and the authorization covers them.
    shop.sales.fulfill(order_id)
    assert shop.card.view(
        order.payment.reference,  # type: ignore[union-attr]
        now=shop.clock.now(),
    ).captured == eur("50.00")


def test_the_events_say_what_was_canceled_and_how_the_payment_settled(shop: Shop) -> None:
    order_id = three_mugs_two_tees(shop)
    shop.sales.fulfill(order_id, {"MUG": 1})

    shop.sales.cancel_unfulfilled(order_id, {"TEE": 1})

    canceled = [e for e in shop.publisher.events if isinstance(e, UnshippedUnitsCanceled)]
    reduced = [e for e in shop.publisher.events if isinstance(e, AuthorizationReduced)]
    assert [(line.sku, line.quantity) for line in canceled[0].lines] == [("TEE", 1)]
    assert canceled[0].order_worth == eur("50.00")
    assert reduced[0].released == eur("20.00")


def test_a_replay_with_the_same_key_cancels_nothing_again(shop: Shop) -> None:
    order_id = three_mugs_two_tees(shop)
    shop.sales.fulfill(order_id, {"MUG": 2})

    first = shop.sales.cancel_unfulfilled(order_id, {"MUG": 1}, idempotency_key="rest-1")
    again = shop.sales.cancel_unfulfilled(order_id, {"MUG": 1}, idempotency_key="rest-1")

    assert again.id == first.id
    assert len(shop.sales.refund_orders(order_id=order_id)) == 1
    assert shop.sales.stock_level("MUG") == STOCK - 3 + 1
    with pytest.raises(IdempotencyKeyReused):
        shop.sales.cancel_unfulfilled(order_id, {"TEE": 1}, idempotency_key="rest-1")


def test_an_invoice_order_owes_the_canceled_rest_by_hand(shop: Shop) -> None:
    order = shop.place(paid_by="invoice")
    shop.sales.fulfill(order.id, {"MUG": 1})

    refund = shop.sales.cancel_unfulfilled(order.id)

    assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert refund.manual_amount == eur("32.50")
    assert shop.sales.manual_refunds_owed() == [refund]


def test_the_report_nets_what_was_paid_and_not_refunded(shop: Shop) -> None:
    order_id = three_mugs_two_tees(shop)
    shop.sales.fulfill(order_id, {"MUG": 2, "TEE": 1})
    shop.sales.cancel_unfulfilled(order_id)
    shop.sales.create_return(order_id, {"TEE": 1})

    row = shop.sales.report(shop.clock.now().date()).currency("EUR")

    assert row.net == eur("20.00")  # two mugs kept
