"""Stock kept outside the library (``Sales.in_memory(..., stock=<a StockLedger>)``).

The ledger is the platform's: placing takes units from it, canceling puts them back, and
the shop's own store keeps no stock at all. The ledger is outside the library's
transaction, so a placement that fails after taking units gives them back under a movement
of its own (``SALE_REVERSED``), and a replayed placement takes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from order_cancellation import (
    IdempotencyKeyReused,
    InsufficientStock,
    LineItem,
    Order,
    OrderAlreadyExists,
    PaymentStatus,
    Sales,
    StockStatus,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from tests.application.harness import RETRY_POLICY, eur, mug_and_tee
from tests.application.platform_ledger import PlatformLedger

STOCK: Mapping[str, int] = {"MUG": 10, "TEE": 5}


@pytest.fixture
def ledger() -> PlatformLedger:
    return PlatformLedger(STOCK)


@pytest.fixture
def backend() -> MemoryBackend:
    return MemoryBackend()


@pytest.fixture
def sales(ledger: PlatformLedger, backend: MemoryBackend, clock: ManualClock) -> Sales:
    return Sales.in_memory(
        "acme", backend=backend, clock=clock, stock=ledger, retry_policy=RETRY_POLICY
    )


def _own_stock(backend: MemoryBackend) -> dict[str, int]:
    with backend.unit_of_work("acme") as uow:
        return dict(uow.stock.levels())


def test_placing_takes_units_from_the_platforms_ledger(
    sales: Sales, ledger: PlatformLedger, backend: MemoryBackend
) -> None:
    order = sales.place_order(mug_and_tee())

    assert ledger.levels() == {"MUG": 8, "TEE": 4}
    assert [(m.key.order_id, m.key.line_id, m.sku, m.delta) for m in ledger.history] == [
        (order.id, "L1", "MUG", -2),
        (order.id, "L2", "TEE", -1),
    ]
    assert _own_stock(backend) == {}


def test_stock_is_read_and_set_on_the_platforms_ledger(
    sales: Sales, ledger: PlatformLedger, backend: MemoryBackend
) -> None:
    sales.set_stock("CAP", 7)

    assert ledger.level("CAP") == 7
    assert sales.stock_level("CAP") == 7
    assert sales.stock_level("MUG") == 10
    assert sales.stock_levels() == {"MUG": 10, "TEE": 5, "CAP": 7}
    assert _own_stock(backend) == {}


def test_canceling_puts_the_units_back_on_the_platforms_ledger(
    sales: Sales, ledger: PlatformLedger
) -> None:
    order = sales.place_order(mug_and_tee())

    refund = sales.cancel_order(order.id)

    assert refund.stock_status is StockStatus.DONE
    assert sales.stock_levels() == STOCK


def test_a_replayed_placement_takes_the_units_once(sales: Sales, ledger: PlatformLedger) -> None:
    first = sales.place_order(mug_and_tee(), idempotency_key="checkout-1")

    replay = sales.place_order(mug_and_tee(), idempotency_key="checkout-1")

    assert replay == first
    assert ledger.levels() == {"MUG": 8, "TEE": 4}
    assert len(ledger.of_kind(MovementKind.SALE)) == 2


def test_a_key_reused_for_another_placement_takes_no_units(
    sales: Sales, ledger: PlatformLedger
) -> None:
    sales.place_order(mug_and_tee(), idempotency_key="checkout-1")

    with pytest.raises(IdempotencyKeyReused):
        sales.place_order([LineItem("MUG", 1, eur("12.50"))], idempotency_key="checkout-1")

    assert ledger.levels() == {"MUG": 8, "TEE": 4}


def test_a_placement_that_fails_after_taking_units_gives_them_back(
    sales: Sales, ledger: PlatformLedger
) -> None:
    sales.place_order(mug_and_tee(), order_id="1001")

    with pytest.raises(OrderAlreadyExists, match="exists already"):
        sales.place_order([LineItem("MUG", 3, eur("12.50"))], order_id="1001")

    assert ledger.levels() == {"MUG": 8, "TEE": 4}
    (taken,) = [m for m in ledger.of_kind(MovementKind.SALE) if m.delta == -3]
    assert ledger.of_kind(MovementKind.SALE_REVERSED) == [
        StockMovement(
            key=MovementKey(
                order_id="1001",
                line_id="L1",
                kind=MovementKind.SALE_REVERSED,
                reference=taken.key.reference,
            ),
            sku="MUG",
            delta=3,
        )
    ]


def test_each_placement_takes_units_under_a_reference_of_its_own(
    sales: Sales, ledger: PlatformLedger
) -> None:
    # A retry of a failed placement under the same order id must take stock anew.
    sales.place_order(mug_and_tee(), order_id="1001")
    with pytest.raises(OrderAlreadyExists):
        sales.place_order(mug_and_tee(), order_id="1001")

    first, retry = ledger.of_kind(MovementKind.SALE)[:2], ledger.of_kind(MovementKind.SALE)[2:]
    assert [m.key.order_id for m in first + retry] == ["1001"] * 4
    assert {m.key.reference for m in first}.isdisjoint(m.key.reference for m in retry)
    assert "" not in {m.key.reference for m in first + retry}
    assert ledger.levels() == {"MUG": 8, "TEE": 4}


def test_a_placement_the_platform_cannot_supply_takes_nothing(
    sales: Sales, ledger: PlatformLedger
) -> None:
    with pytest.raises(InsufficientStock):
        sales.place_order([LineItem("MUG", 1, eur("1")), LineItem("TEE", 6, eur("1"))])

    assert ledger.levels() == STOCK
    assert sales.refund_orders() == []


def test_two_placements_with_one_key_at_once_take_the_units_once(
    sales: Sales, ledger: PlatformLedger
) -> None:
    placed: list[Order] = []
    # The same checkout is submitted twice: the second request arrives while the first
    # is taking its units from the platform.
    ledger.meanwhile(
        lambda: placed.append(sales.place_order(mug_and_tee(), idempotency_key="checkout-1"))
    )

    second = sales.place_order(mug_and_tee(), idempotency_key="checkout-1")

    assert placed == [second]
    assert ledger.levels() == {"MUG": 8, "TEE": 4}


def test_a_restock_the_platform_missed_is_retried_on_request(
    sales: Sales, ledger: PlatformLedger
) -> None:
    order = sales.place_order(mug_and_tee())
    ledger.fail_next(1, restocks_only=True)

    refund = sales.cancel_order(order.id)
    assert refund.stock_status is StockStatus.FAILED_RETRYING
    assert refund.payment_status is PaymentStatus.NOT_REQUIRED
    assert ledger.levels() == {"MUG": 8, "TEE": 4}

    retried = sales.retry_effects(refund.id)

    assert retried.stock_status is StockStatus.DONE
    assert retried.payment_status is PaymentStatus.NOT_REQUIRED
    assert sales.stock_levels() == STOCK
    assert sales.refund_orders(pending=True) == []
