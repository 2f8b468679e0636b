"""Deciding again after a lost race (a command read an order, then another transaction
changed it before the command could write).

A command that named no ``expected_version`` decides again on the order as it now is, as
if the two had run one after the other; one that named a version is refused with
:class:`ConcurrencyConflict`. A keyed command whose twin (same key, same arguments)
committed first returns the twin's result.

The race is staged on the in-memory backend: just before a command writes the order, a
rival (a second ``Sales`` of the same shop) runs a whole command and commits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest

from order_cancellation import (
    ConcurrencyConflict,
    LineItem,
    Order,
    OrderAlreadyCanceled,
    OrderFulfilledError,
    OrderNotFound,
    OrderState,
    PaymentRef,
    Sales,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import MemoryBackend, MemoryUnitOfWork
from order_cancellation.domain.stock import MovementKind
from order_cancellation.ports.persistence import (
    IdempotencyRecord,
    IdempotencyStore,
    OrderRepository,
    RefundOrderRepository,
    UnitOfWork,
)
from tests.application.harness import eur, mug_and_tee
from tests.application.platform_ledger import PlatformLedger
from tests.wrapped_store import DelegatingUnitOfWork

Rival = Callable[[], object]
INVOICE = PaymentRef(provider="invoice", reference="inv-1")


class RacingBackend:
    """A ``MemoryBackend`` where other transactions commit at chosen moments of ours.

    ``before_writes``: rivals run one each just before an order or refund order is written
    (added or updated), until none is left. ``after_key_lookups``: one entry per lookup
    of an idempotency key, each a rival to run once the lookup has found nothing (or
    ``None`` to let that lookup be). ``conflicts``: how many order writes fail as
    PostgreSQL fails a transaction that raced with another (nothing written, try again).
    """

    def __init__(self, inner: MemoryBackend) -> None:
        self.inner = inner
        self.before_writes: list[Rival] = []
        self.after_key_lookups: list[Rival | None] = []
        self.conflicts = 0

    def unit_of_work(self, shop: str) -> UnitOfWork:
        return cast(UnitOfWork, _RacingUnitOfWork(self.inner.unit_of_work(shop), self))

    def before_write(self) -> None:
        if self.before_writes:
            self.before_writes.pop(0)()
        elif self.conflicts:
            self.conflicts -= 1
            raise ConcurrencyConflict("the transaction raced with another; try again.")

    def after_key_lookup(self) -> None:
        rival = self.after_key_lookups.pop(0) if self.after_key_lookups else None
        if rival is not None:
            rival()


class _RacingUnitOfWork(DelegatingUnitOfWork):
    def __init__(self, inner: MemoryUnitOfWork, backend: RacingBackend) -> None:
        super().__init__(inner)
        self._backend = backend

    @property
    def orders(self) -> OrderRepository:
        return cast(OrderRepository, _Racing(self.inner.orders, self._backend))

    @property
    def refunds(self) -> RefundOrderRepository:
        return cast(RefundOrderRepository, _Racing(self.inner.refunds, self._backend))

    @property
    def idempotency(self) -> IdempotencyStore:
        return cast(IdempotencyStore, _RacingKeys(self.inner.idempotency, self._backend))


class _Racing:
    """A repository whose writes let a rival commit first."""

    def __init__(self, inner: Any, backend: RacingBackend) -> None:
        self._inner, self._backend = inner, backend

    def add(self, record: object) -> None:
        self._backend.before_write()
        self._inner.add(record)

    def update(self, record: object) -> None:
        self._backend.before_write()
        self._inner.update(record)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _RacingKeys:
    def __init__(self, inner: IdempotencyStore, backend: RacingBackend) -> None:
        self._inner, self._backend = inner, backend

    def get(self, key: str) -> IdempotencyRecord | None:
        found = self._inner.get(key)
        if found is None:
            self._backend.after_key_lookup()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class Race:
    """``sales`` loses races to ``rival``, a second ``Sales`` of the same shop (both on
    ``ledger`` for stock when one is given)."""

    def __init__(self, ledger: PlatformLedger | None = None) -> None:
        memory, clock = MemoryBackend(), ManualClock()
        self.backend = RacingBackend(memory)
        self.sales = Sales(
            shop="acme",
            backend=self.backend,
            gateways={},
            default_gateway=ManualPaymentGateway(),
            clock=clock,
            stock=ledger,
        )
        self.rival = Sales.in_memory("acme", backend=memory, clock=clock, stock=ledger)
        self.rival.set_stock("MUG", 100)
        self.rival.set_stock("TEE", 100)

    def before_the_next_write(self, *rivals: Rival) -> None:
        self.backend.before_writes.extend(rivals)

    def shipped(self) -> Order:
        return self.rival.fulfill(self.rival.place_order(mug_and_tee()).id)


@pytest.fixture
def race() -> Race:
    return Race()


def test_a_fulfillment_that_lost_a_race_decides_again_on_the_new_version(race: Race) -> None:
    order = race.rival.place_order(mug_and_tee())
    race.before_the_next_write(lambda: race.rival.fulfill(order.id, {"TEE": 1}))

    fulfilled = race.sales.fulfill(order.id)

    assert fulfilled.state is OrderState.FULFILLED
    assert [line.fulfilled for line in fulfilled.lines] == [2, 1]
    assert fulfilled.version == order.version + 2


def test_a_fulfillment_that_lost_to_a_cancellation_is_refused_as_canceled(race: Race) -> None:
    order = race.rival.place_order(mug_and_tee())
    race.before_the_next_write(lambda: race.rival.cancel_order(order.id))

    with pytest.raises(OrderAlreadyCanceled):
        race.sales.fulfill(order.id, {"MUG": 1})


def test_a_fulfillment_with_an_expected_version_that_lost_a_race_is_a_conflict(
    race: Race,
) -> None:
    order = race.rival.place_order(mug_and_tee())
    race.before_the_next_write(lambda: race.rival.fulfill(order.id, {"TEE": 1}))

    with pytest.raises(ConcurrencyConflict, match="reload it and decide again"):
        race.sales.fulfill(order.id, {"MUG": 1}, expected_version=order.version)

    assert [line.fulfilled for line in race.sales.get_order(order.id).lines] == [0, 1]


def test_a_return_that_lost_a_race_decides_again_on_the_new_version(race: Race) -> None:
    order = race.shipped()
    race.before_the_next_write(lambda: race.rival.create_return(order.id, {"MUG": 1}))

    refund = race.sales.create_return(order.id, {"MUG": 1, "TEE": 1})

    assert refund.amount == eur("32.50")
    assert race.sales.get_order(order.id).state is OrderState.RETURNED
    assert len(race.sales.refund_orders(order_id=order.id)) == 2


def test_a_return_with_an_expected_version_that_lost_a_race_is_a_conflict(race: Race) -> None:
    order = race.shipped()
    race.before_the_next_write(lambda: race.rival.create_return(order.id, {"MUG": 1}))

    with pytest.raises(ConcurrencyConflict):
        race.sales.create_return(order.id, {"TEE": 1}, expected_version=order.version)

    assert len(race.sales.refund_orders(order_id=order.id)) == 1


def test_a_keyed_fulfillment_that_lost_a_race_decides_again(race: Race) -> None:
    order = race.rival.place_order(mug_and_tee())
    race.before_the_next_write(lambda: race.rival.fulfill(order.id, {"TEE": 1}))

    fulfilled = race.sales.fulfill(order.id, {"MUG": 2}, idempotency_key="ship-1")

    assert fulfilled.state is OrderState.FULFILLED
    assert race.sales.fulfill(order.id, {"MUG": 2}, idempotency_key="ship-1") == fulfilled


def test_a_keyed_return_whose_twin_committed_first_returns_the_twins_refund(
    race: Race,
) -> None:
    order = race.shipped()
    twins: list[object] = []
    race.before_the_next_write(
        lambda: twins.append(
            race.rival.create_return(order.id, {"MUG": 1}, idempotency_key="rma-1")
        )
    )

    refund = race.sales.create_return(order.id, {"MUG": 1}, idempotency_key="rma-1")

    assert twins == [refund]
    assert race.sales.refund_orders(order_id=order.id) == [refund]


@pytest.mark.parametrize("key", [None, "ship-1"], ids=["unkeyed", "keyed"])
def test_a_command_decides_again_up_to_three_times(race: Race, key: str | None) -> None:
    order = race.rival.place_order([LineItem("MUG", 5, eur("1")), LineItem("TEE", 1, eur("1"))])
    race.before_the_next_write(
        *[lambda: race.rival.fulfill(order.id, {"MUG": 1}) for _ in range(2)]
    )

    fulfilled = race.sales.fulfill(order.id, {"TEE": 1}, idempotency_key=key)

    assert [line.fulfilled for line in fulfilled.lines] == [2, 1]


@pytest.mark.parametrize("key", [None, "ship-1"], ids=["unkeyed", "keyed"])
def test_a_command_that_loses_three_races_is_a_conflict(race: Race, key: str | None) -> None:
    order = race.rival.place_order([LineItem("MUG", 5, eur("1")), LineItem("TEE", 1, eur("1"))])
    race.before_the_next_write(
        *[lambda: race.rival.fulfill(order.id, {"MUG": 1}) for _ in range(3)]
    )

    with pytest.raises(ConcurrencyConflict):
        race.sales.fulfill(order.id, {"TEE": 1}, idempotency_key=key)

    assert race.sales.get_order(order.id).line("L2").fulfilled == 0


def test_a_keyed_command_that_loses_every_race_is_a_conflict_to_try_again(race: Race) -> None:
    order = race.rival.place_order([LineItem("MUG", 5, eur("1")), LineItem("TEE", 1, eur("1"))])
    race.before_the_next_write(
        *[lambda: race.rival.fulfill(order.id, {"MUG": 1}) for _ in range(3)]
    )

    with pytest.raises(
        ConcurrencyConflict, match=r"^the order changed while the command ran; try again\.$"
    ):
        race.sales.fulfill(order.id, {"TEE": 1}, idempotency_key="ship-1")

    assert race.sales.get_order(order.id).line("L2").fulfilled == 0


# -- placements and manual refunds: they do not decide again ------------------------------------


def test_a_manual_refund_marked_done_meanwhile_by_someone_else_is_a_conflict(
    race: Race,
) -> None:
    order = race.rival.place_order(mug_and_tee(), payment=INVOICE)
    owed = race.rival.cancel_order(order.id)
    race.before_the_next_write(lambda: race.rival.mark_manual_refund_done(owed.id, note="Cash"))

    with pytest.raises(ConcurrencyConflict, match="changed since it was read"):
        race.sales.mark_manual_refund_done(owed.id, note="Bank transfer")

    assert race.sales.get_refund_order(owed.id).manual_refund_note == "Cash"


def test_a_keyed_placement_whose_twin_committed_first_returns_the_twins_order(
    race: Race,
) -> None:
    twins: list[Order] = []
    race.backend.after_key_lookups.append(
        lambda: twins.append(race.rival.place_order(mug_and_tee(), idempotency_key="checkout-1"))
    )

    placed = race.sales.place_order(mug_and_tee(), idempotency_key="checkout-1")

    assert twins == [placed]
    assert race.sales.stock_levels() == {"MUG": 98, "TEE": 99}


@pytest.mark.parametrize("lookup", [1, 2], ids=["before taking stock", "after taking stock"])
def test_a_keyed_placement_on_external_stock_whose_twin_committed_first_takes_units_once(
    lookup: int,
) -> None:
    ledger = PlatformLedger({})
    race = Race(ledger)
    twins: list[Order] = []
    race.backend.after_key_lookups.extend(
        [None] * (lookup - 1)
        + [
            lambda: twins.append(
                race.rival.place_order(mug_and_tee(), idempotency_key="checkout-1")
            )
        ]
    )

    placed = race.sales.place_order(mug_and_tee(), idempotency_key="checkout-1")

    assert twins == [placed]
    assert ledger.levels() == {"MUG": 98, "TEE": 99}
    assert len(ledger.of_kind(MovementKind.SALE_REVERSED)) == 2


@pytest.mark.parametrize("external", [False, True], ids=["own stock", "external stock"])
def test_a_placement_that_meets_a_conflict_is_not_placed_and_takes_no_stock(
    external: bool,
) -> None:
    ledger = PlatformLedger({}) if external else None
    race = Race(ledger)
    race.backend.conflicts = 1

    with pytest.raises(ConcurrencyConflict, match="raced with another"):
        race.sales.place_order(mug_and_tee(), order_id="web-1")

    assert race.sales.stock_levels() == {"MUG": 100, "TEE": 100}
    with pytest.raises(OrderNotFound):
        race.sales.get_order("web-1")


def test_a_cancellation_that_lost_to_a_shipment_is_refused_as_fulfilled(race: Race) -> None:
    order = race.rival.place_order(mug_and_tee())
    race.before_the_next_write(lambda: race.rival.fulfill(order.id, {"TEE": 1}))

    with pytest.raises(OrderFulfilledError, match="create a return"):
        race.sales.cancel_order(order.id)

    assert race.sales.refund_orders() == []
