"""A worker (``Sales.run_worker``) delivers effects until stopped, and rides out a storage
outage: it waits longer after each failed try, up to a minute, and starts over once the
store answers again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest

from order_cancellation import Order, RelayReport, Sales, StorageError
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.domain.events import OrderCanceled, PaymentVoided, StockRestored
from order_cancellation.ports.persistence import UnitOfWork
from tests.application.harness import CARD, RETRY_POLICY, Shop

WORKER = "worker-1"


class FlakyStore:
    """The shop's store behind a connection that can drop: the next ``n`` units of work
    fail with :class:`StorageError` before anything is read or written."""

    def __init__(self, inner: MemoryBackend) -> None:
        self._inner = inner
        self._failures = 0

    def fail_next(self, count: int) -> None:
        self._failures += count

    def unit_of_work(self, shop: str) -> UnitOfWork:
        if self._failures:
            self._failures -= 1
            raise StorageError("the database is down")
        return self._inner.unit_of_work(shop)


class StopSignal(threading.Event):
    """The worker's stop signal, in a test: each wait the worker asks for is recorded
    instead of slept, ``on_wait`` runs (as the world moves on meanwhile), and the worker is
    stopped once it has waited ``waits`` times."""

    def __init__(self, waits: int, on_wait: Callable[[int], None] | None = None) -> None:
        super().__init__()
        self.waited: list[float | None] = []
        self._waits = waits
        self._on_wait = on_wait

    def is_set(self) -> bool:
        self._looks = getattr(self, "_looks", 0) + 1
        assert self._looks < 1000, "the worker spins without ever waiting"
        return super().is_set()

    def wait(self, timeout: float | None = None) -> bool:
        self.waited.append(timeout)
        if self._on_wait is not None:
            self._on_wait(len(self.waited))
        if len(self.waited) >= self._waits:
            self.set()
        return self.is_set()


def worker_for(shop: Shop, store: FlakyStore) -> Sales:
    """A second process of ``shop``'s sales (a worker), reaching the store through ``store``."""
    return Sales(
        shop=shop.name,
        backend=store,
        gateways={CARD: shop.card},
        default_gateway=ManualPaymentGateway(),
        clock=shop.clock,
        publisher=shop.publisher,
        effects="deferred",
        retry_policy=RETRY_POLICY,
    )


@pytest.fixture
def store(deferred_shop: Shop) -> FlakyStore:
    return FlakyStore(deferred_shop.backend)


def placed(shop: Shop) -> Order:
    """An order whose own effects (publishing OrderPlaced) are done already."""
    order = shop.place()
    shop.sales.process_pending()
    shop.publisher.events.clear()
    return order


def test_a_worker_delivers_what_is_pending_and_waits_the_poll_interval_when_idle(
    deferred_shop: Shop, store: FlakyStore
) -> None:
    deferred_shop.sales.cancel_order(placed(deferred_shop).id)
    stop = StopSignal(waits=1)

    report = worker_for(deferred_shop, store).run_worker(stop, poll_interval=0.5)

    # restock, settle, publish OrderCanceled, then publish StockRestored and PaymentVoided
    assert report == RelayReport(delivered=5)
    assert stop.waited == [0.5]
    assert deferred_shop.sales.pending_effects() == 0
    assert [type(e) for e in deferred_shop.publisher.events] == [
        OrderCanceled,
        StockRestored,
        PaymentVoided,
    ]


def test_a_worker_stopped_before_it_starts_delivers_nothing(
    deferred_shop: Shop, store: FlakyStore
) -> None:
    deferred_shop.sales.cancel_order(placed(deferred_shop).id)
    stop = StopSignal(waits=1)
    stop.set()

    report = worker_for(deferred_shop, store).run_worker(stop)

    assert report == RelayReport()
    assert deferred_shop.sales.pending_effects() == 3


def test_a_worker_counts_every_batch_it_delivers(deferred_shop: Shop, store: FlakyStore) -> None:
    first, second = placed(deferred_shop), placed(deferred_shop)
    deferred_shop.sales.cancel_order(first.id)

    def cancel_the_second_order_while_idle(wait: int) -> None:
        if wait == 1:
            deferred_shop.sales.cancel_order(second.id)

    stop = StopSignal(waits=2, on_wait=cancel_the_second_order_while_idle)

    report = worker_for(deferred_shop, store).run_worker(stop, poll_interval=1.0)

    assert report == RelayReport(delivered=10)
    assert stop.waited == [1.0, 1.0]
    assert deferred_shop.sales.pending_effects() == 0


def test_during_a_storage_outage_the_worker_waits_twice_as_long_after_each_try(
    deferred_shop: Shop, store: FlakyStore, caplog: pytest.LogCaptureFixture
) -> None:
    deferred_shop.sales.cancel_order(placed(deferred_shop).id)
    store.fail_next(3)
    stop = StopSignal(waits=4)

    with caplog.at_level(logging.WARNING, logger="order_cancellation.relay"):
        report = worker_for(deferred_shop, store).run_worker(
            stop, poll_interval=1.0, worker_id=WORKER
        )

    assert stop.waited == [2.0, 4.0, 8.0, 1.0]
    assert report == RelayReport(delivered=5)  # nothing was lost to the outage
    assert caplog.messages == [
        f"relay {WORKER}: store unavailable (the database is down); retrying in {wait}s"
        for wait in ("2.0", "4.0", "8.0")
    ]


def test_a_long_outage_waits_at_most_a_minute_between_tries(
    deferred_shop: Shop, store: FlakyStore
) -> None:
    store.fail_next(7)
    stop = StopSignal(waits=8)

    worker_for(deferred_shop, store).run_worker(stop, poll_interval=1.0)

    assert stop.waited == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 1.0]


def test_the_wait_starts_over_once_the_store_answered(
    deferred_shop: Shop, store: FlakyStore
) -> None:
    store.fail_next(2)

    def drop_the_connection_again_while_idle(wait: int) -> None:
        if wait == 3:
            store.fail_next(1)

    stop = StopSignal(waits=5, on_wait=drop_the_connection_again_while_idle)

    worker_for(deferred_shop, store).run_worker(stop, poll_interval=0.5)

    assert stop.waited == [1.0, 2.0, 0.5, 1.0, 0.5]


def test_a_worker_told_to_give_up_reraises_a_store_failing_that_long(
    deferred_shop: Shop, store: FlakyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.fail_next(10)
    stop = StopSignal(waits=10)
    # The worker's clock moves by the waits it asks for, as it would in a real outage.
    monkeypatch.setattr(
        "order_cancellation.application.relay.time.monotonic",
        lambda: sum(wait or 0 for wait in stop.waited),
    )

    with pytest.raises(StorageError, match="the database is down"):
        worker_for(deferred_shop, store).run_worker(stop, poll_interval=1.0, give_up_after=10)

    assert stop.waited == [2.0, 4.0, 8.0]  # 14 s after the first failure: given up


def test_a_worker_told_to_give_up_at_once_reraises_the_first_store_failure(
    deferred_shop: Shop, store: FlakyStore
) -> None:
    store.fail_next(1)
    stop = StopSignal(waits=10)

    with pytest.raises(StorageError):
        worker_for(deferred_shop, store).run_worker(stop, poll_interval=1.0, give_up_after=0)

    assert stop.waited == []
