"""``Sales.refund``: goodwill through the payment provider, and what later refunds hold back."""

from __future__ import annotations

import pytest

from order_cancellation import (
    OrderState,
    PaymentStatus,
    RefundExceedsCharge,
    RefundKind,
    StockStatus,
)
from order_cancellation.adapters.memory import Operation
from tests.application.harness import Shop, eur


@pytest.fixture
def shop() -> Shop:
    return Shop.open()


def test_goodwill_on_a_captured_order_is_refunded_through_the_provider(shop: Shop) -> None:
    order = shop.place(auto_capture=True)
    shop.sales.fulfill(order.id)

    refund = shop.sales.refund(order.id, eur("5.00"), reason="late delivery")

    assert (refund.kind, refund.payment_status) == (RefundKind.ADJUSTMENT, PaymentStatus.REFUNDED)
    assert refund.refunded == eur("5.00")
    assert refund.stock_status is StockStatus.NOT_REQUESTED
    assert shop.sales.get_order(order.id).state is OrderState.FULFILLED


def test_goodwill_on_an_open_order_lowers_the_authorization(shop: Shop) -> None:
    order = shop.place()

    refund = shop.sales.refund(order.id, eur("5.00"))

    assert refund.payment_status is PaymentStatus.RELEASED
    assert shop.card.count(Operation.REDUCE_AUTHORIZATION) == 1
    shop.sales.fulfill(order.id)  # what is left still ships and is covered


def test_a_cancel_after_goodwill_gives_back_only_the_rest(shop: Shop) -> None:
    order = shop.place()
    shop.sales.refund(order.id, eur("5.00"))

    refund = shop.sales.cancel_order(order.id)

    assert refund.amount == eur("40.00")
    assert shop.sales.report(shop.clock.now().date()).currency("EUR").net == eur("0")


def test_goodwill_beyond_what_is_left_is_refused_and_changes_nothing(shop: Shop) -> None:
    order = shop.place()
    before = shop.observe()

    with pytest.raises(RefundExceedsCharge, match=r"45\.00 EUR left to refund"):
        shop.sales.refund(order.id, eur("45.01"))

    assert shop.observe() == before


def test_a_replayed_goodwill_refund_is_given_once(shop: Shop) -> None:
    order = shop.place(auto_capture=True)
    shop.sales.fulfill(order.id)

    first = shop.sales.refund(order.id, eur("5.00"), idempotency_key="sorry-1")
    again = shop.sales.refund(order.id, eur("5.00"), idempotency_key="sorry-1")

    assert again.id == first.id
    assert len(shop.sales.refund_orders(order_id=order.id)) == 1
