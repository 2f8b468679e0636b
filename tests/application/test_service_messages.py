"""What the service says when it refuses, the bounds it accepts, and what it records.

Each refusal names the argument at fault and says what to do; each bound is inclusive at
both ends. These pin down the wording and limits a caller (or a back office UI) relies on.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

import pytest

from order_cancellation import LineItem, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
)
from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.refunds import PaymentStatus
from order_cancellation.domain.stock import MAX_STOCK_LEVEL, MovementKind
from tests.application.harness import Shop, eur, mug_and_tee
from tests.application.platform_ledger import PlatformLedger


def test_a_shop_without_a_name_is_refused_naming_the_shop() -> None:
    with pytest.raises(InvalidInput, match=r"^the shop "):
        Sales.in_memory("")


def test_an_expected_version_below_one_is_refused_saying_what_a_version_is(shop: Shop) -> None:
    order = shop.place()
    with pytest.raises(InvalidInput, match=r"^expected_version is a whole number from 1 to "):
        shop.sales.cancel_order(order.id, expected_version=0)


def test_an_expected_version_too_large_to_store_is_refused(shop: Shop) -> None:
    order = shop.place()
    with pytest.raises(InvalidInput, match="the version of the order you read"):
        shop.sales.cancel_order(order.id, expected_version=10**5000)


def test_fulfilling_an_int_too_large_to_print_is_refused_as_bad_input(shop: Shop) -> None:
    order = shop.place()
    with pytest.raises(InvalidInput):
        shop.sales.fulfill(order.id, {"MUG": 10**5000}, idempotency_key="k")


def test_a_stale_expected_version_says_to_reload_and_decide_again(shop: Shop) -> None:
    order = shop.place()
    shop.sales.fulfill(order.id, {"MUG": 1}, idempotency_key="ship-1", expected_version=1)
    with pytest.raises(
        ConcurrencyConflict, match=r"someone changed it; reload it and decide again\.$"
    ):
        shop.sales.cancel_order(order.id, expected_version=1)


def test_an_empty_idempotency_key_is_refused_naming_the_key(shop: Shop) -> None:
    order = shop.place()
    with pytest.raises(InvalidInput, match=r"^the idempotency key "):
        shop.sales.cancel_order(order.id, idempotency_key="")


def test_a_key_reused_for_another_command_says_to_use_a_new_key(shop: Shop) -> None:
    first = shop.place()
    second = shop.place()
    shop.sales.cancel_order(first.id, idempotency_key="k-1")
    with pytest.raises(IdempotencyKeyReused, match=r"use a new key for each distinct command\.$"):
        shop.sales.cancel_order(second.id, idempotency_key="k-1")


def test_a_key_reused_to_place_other_lines_is_refused(shop: Shop) -> None:
    shop.sales.place_order([LineItem("MUG", 1, eur("12.50"))], idempotency_key="basket-1")
    with pytest.raises(IdempotencyKeyReused):
        shop.sales.place_order([LineItem("TEE", 1, eur("20.00"))], idempotency_key="basket-1")


def test_lines_that_are_not_a_list_of_line_items_are_refused_saying_so(shop: Shop) -> None:
    with pytest.raises(InvalidInput, match=r"^an order's lines are a list of LineItem values\.$"):
        shop.sales.place_order(cast(Any, {"MUG": 2}))


def test_an_empty_order_id_is_refused_naming_the_order_id(shop: Shop) -> None:
    with pytest.raises(InvalidInput, match=r"^the order id "):
        shop.sales.place_order(mug_and_tee(), order_id="")


@pytest.mark.parametrize("level", [0, 1, MAX_STOCK_LEVEL])
def test_a_stock_level_from_zero_to_the_largest_stored_integer_is_accepted(
    shop: Shop, level: int
) -> None:
    shop.sales.set_stock("MUG", level)
    assert shop.sales.stock_level("MUG") == level


@pytest.mark.parametrize("level", [-1, MAX_STOCK_LEVEL + 1])
def test_a_stock_level_out_of_range_is_refused_with_the_range(shop: Shop, level: int) -> None:
    with pytest.raises(
        InvalidInput,
        match=rf"^a stock level is a whole number from 0 to {MAX_STOCK_LEVEL}, got {level}\.$",
    ):
        shop.sales.set_stock("MUG", level)
    assert shop.sales.stock_level("MUG") == 10


def test_an_external_ledger_sees_sales_under_a_sale_reference(clock: ManualClock) -> None:
    ledger = PlatformLedger({"MUG": 10, "TEE": 5})
    sales = Sales.in_memory("acme", backend=MemoryBackend(), clock=clock, stock=ledger)
    sales.place_order(mug_and_tee())
    sold = ledger.of_kind(MovementKind.SALE)
    assert sold
    assert all(movement.key.reference.startswith("sale_") for movement in sold)


def test_an_idempotency_key_is_recorded_with_the_time_it_was_first_used(shop: Shop) -> None:
    order = shop.place()
    shop.sales.cancel_order(order.id, idempotency_key="cancel-1")
    with shop.backend.unit_of_work(shop.name) as uow:
        record = uow.idempotency.get("cancel-1")
    assert record is not None
    assert record.created_at == shop.clock.now()


class _CrashingPublisher:
    """A publisher whose process dies while publishing (as a SIGKILL would, seen in-process)."""

    def publish(self, event: DomainEvent) -> None:
        raise KeyboardInterrupt


def test_an_effect_left_by_a_dead_worker_waits_the_configured_lease(clock: ManualClock) -> None:
    backend = MemoryBackend()
    sales = Sales.in_memory(
        "acme",
        backend=backend,
        clock=clock,
        publisher=_CrashingPublisher(),
        effects="deferred",
        lease=timedelta(seconds=5),
    )
    sales.set_stock("MUG", 10)
    sales.place_order([LineItem("MUG", 1, eur("12.50"))])
    with pytest.raises(KeyboardInterrupt):
        sales.process_pending()
    with backend.unit_of_work("acme") as uow:
        (leased,) = [message for message in uow.outbox.pending() if message.lease_until]
    assert leased.lease_until == clock.now() + timedelta(seconds=5)


def test_a_settlement_that_runs_out_of_attempts_is_dead_lettered_on_the_refund_order(
    deferred_shop: Shop,
) -> None:
    order = deferred_shop.place()
    refund = deferred_shop.sales.cancel_order(order.id)
    deferred_shop.card.fail_next(100)
    for _ in range(20):
        deferred_shop.sales.process_pending()
        deferred_shop.clock.advance(timedelta(hours=2))
    settled = deferred_shop.sales.get_refund_order(refund.id)
    assert settled.payment_status is PaymentStatus.DEAD_LETTERED
