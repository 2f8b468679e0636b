"""Idempotency keys (a replay returns the first result and does nothing again) and
expected versions (a stale write is a typed conflict, never a lost update)."""

from __future__ import annotations

import pytest

from order_cancellation import ConcurrencyConflict, IdempotencyKeyReused, OrderState
from order_cancellation.adapters.memory import Operation
from tests.application.harness import Shop, mug_and_tee


def test_replaying_a_cancel_returns_the_first_refund_order_and_does_nothing_again(
    shop: Shop,
) -> None:
    order = shop.place()
    first = shop.sales.cancel_order(order.id, idempotency_key="cancel-1")
    after_first = shop.observe()

    replay = shop.sales.cancel_order(order.id, idempotency_key="cancel-1")

    assert replay == first
    assert shop.observe() == after_first
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1


def test_replaying_a_placement_returns_the_first_order_and_takes_stock_once(shop: Shop) -> None:
    first = shop.sales.place_order(mug_and_tee(), idempotency_key="checkout-7")
    after_first = shop.observe()

    replay = shop.sales.place_order(mug_and_tee(), idempotency_key="checkout-7")

    assert replay == first
    assert shop.observe() == after_first


def test_replaying_a_return_creates_one_refund_order(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)
    first = shop.sales.create_return(order.id, {"MUG": 1}, idempotency_key="rma-1")

    replay = shop.sales.create_return(order.id, {"MUG": 1}, idempotency_key="rma-1")

    assert replay == first
    assert shop.sales.refund_orders(order_id=order.id) == [first]
    assert shop.card.count(Operation.REFUND) == 1


def test_replaying_a_fulfillment_ships_once(shop: Shop) -> None:
    order = shop.place()
    first = shop.sales.fulfill(order.id, {"MUG": 1}, idempotency_key="ship-1")

    shop.sales.fulfill(order.id, {"MUG": 1}, idempotency_key="ship-1")

    assert shop.sales.get_order(order.id) == first
    assert first.line("L1").fulfilled == 1


def test_a_key_reused_for_a_different_command_is_refused(shop: Shop) -> None:
    first, second = shop.place(), shop.place()
    shop.sales.cancel_order(first.id, idempotency_key="k-1")
    before = shop.observe()

    with pytest.raises(IdempotencyKeyReused, match="different command"):
        shop.sales.cancel_order(second.id, idempotency_key="k-1")

    assert shop.observe() == before
    assert shop.sales.get_order(second.id).state is OrderState.OPEN


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(shop: Shop) -> None:
    order = shop.place()
    shop.sales.fulfill(order.id, {"MUG": 1})  # someone else moved the order on
    before = shop.observe()

    with pytest.raises(ConcurrencyConflict, match="reload it"):
        shop.sales.fulfill(order.id, {"TEE": 1}, expected_version=order.version)

    assert shop.observe() == before


def test_the_current_expected_version_is_accepted(shop: Shop) -> None:
    order = shop.place()

    shop.sales.cancel_order(order.id, expected_version=order.version)

    assert shop.sales.get_order(order.id).version == order.version + 1


def test_a_cancel_with_a_stale_version_cancels_nothing(shop: Shop) -> None:
    order = shop.place()
    shop.sales.fulfill(order.id, {"MUG": 1})
    shop.sales.create_return(order.id, {"MUG": 1})
    before = shop.observe()

    with pytest.raises(ConcurrencyConflict):
        shop.sales.cancel_order(order.id, expected_version=order.version)

    assert shop.observe() == before
