"""Relays sharing one PostgreSQL outbox: threads, processes, and a worker that dies.

Every message must be delivered exactly once while leases hold (no duplicate effects), and a
message leased by a worker that stopped is taken over once its lease runs out. Deliveries
are counted at the publisher: each outbox message of the ``publish`` handler carries one
distinct event, so an event published twice is a message delivered twice.

Needs a server: ``bash .ci/postgres.sh`` (see tests/backends/conftest.py).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Barrier
from typing import Any

import psycopg
import pytest
from psycopg import sql

from order_cancellation import LineItem, Money, Sales
from order_cancellation.adapters import codec
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import RecordingPublisher
from order_cancellation.application import crashpoints
from order_cancellation.domain.events import DomainEvent

SHOP = "acme"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RELAY_TIME = T0 + timedelta(hours=1)  # every relay's clock; leases of 60 s never run out

Figure = Callable[[str], None]


class CountingPublisher:
    """Counts every delivery of every event, duplicates included."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.deliveries: Counter[str] = Counter()

    def publish(self, event: DomainEvent) -> None:
        with self._lock:
            self.deliveries[codec.dumps_event(event)] += 1


def seed(dsn: str, schema: str, *, orders: int) -> int:
    """Place ``orders`` orders and cancel every other one, leaving every effect in the
    outbox. Returns how many messages wait."""
    with Sales.postgres(
        dsn,
        SHOP,
        schema=schema,
        publisher=RecordingPublisher(),
        clock=ManualClock(T0),
        effects="deferred",
    ) as sales:
        sales.set_stock("SKU-1", 10 * orders)
        placed = [
            sales.place_order([LineItem("SKU-1", 1, Money.of("2.00", "EUR"))])
            for _ in range(orders)
        ]
        for order in placed[::2]:
            sales.cancel_order(order.id)
        return sales.pending_effects()


def relay_until_idle(sales: Sales, *, deadline: float) -> int:
    """Deliver until no effect waits, including those other relays hold; returns how many
    this relay delivered."""
    delivered = 0
    while sales.pending_effects():
        report = sales.process_pending()
        delivered += report.delivered
        assert (report.failed, report.dead_lettered) == (0, 0)
        if not report.delivered:
            time.sleep(0.005)  # the rest is leased by other relays
        assert time.monotonic() < deadline, "relays did not finish in time"
    return delivered


def publish_messages(dsn: str, schema: str) -> tuple[int, int]:
    """How many publish messages the outbox holds, and how many of them are done."""
    with psycopg.connect(dsn) as connection:
        row = connection.execute(
            sql.SQL(
                "SELECT count(*), count(*) FILTER (WHERE status = 'done') FROM {}.outbox"
                " WHERE shop = %s AND handler = 'publish'"
            ).format(sql.Identifier(schema)),
            (SHOP,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_relays_in_threads_deliver_each_message_exactly_once(
    postgres_dsn: str, schema: str, reliability: Figure
) -> None:
    waiting = seed(postgres_dsn, schema, orders=120)
    publisher = CountingPublisher()
    workers = 4
    delivered: list[int] = [0] * workers
    started = time.monotonic()
    relays = [
        Sales.postgres(
            postgres_dsn,
            SHOP,
            schema=schema,
            publisher=publisher,
            clock=ManualClock(RELAY_TIME),
            effects="deferred",
            pool_size=2,
        )
        for _ in range(workers)
    ]
    barrier = threading.Barrier(workers)

    def run(n: int) -> None:
        barrier.wait()
        delivered[n] = relay_until_idle(relays[n], deadline=started + 60)

    try:
        threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for sales in relays:
            sales.close()
    wall = time.monotonic() - started

    messages, done = publish_messages(postgres_dsn, schema)
    duplicates = sum(count - 1 for count in publisher.deliveries.values())
    reliability(
        f"RELIABILITY K4 backend=postgres relays=threads workers={workers} "
        f"messages={sum(delivered)} publish_messages={messages} duplicate_effects={duplicates} "
        f"per_worker={'/'.join(map(str, delivered))} wall_s={wall:.2f}"
    )
    assert waiting == 300  # 120 placed + 60 canceled x (restock, settle, publish)
    assert duplicates == 0
    assert done == messages == len(publisher.deliveries)
    assert sum(delivered) == waiting + 60  # + one StockRestored to publish per cancel
    assert sum(1 for count in delivered if count) > 1, "the relays did not share the work"


def relay_process(dsn: str, schema: str, barrier: Barrier, results: Any) -> None:
    """A relay in a process of its own (started with "spawn", so nothing is inherited)."""
    publisher = CountingPublisher()
    with Sales.postgres(
        dsn,
        SHOP,
        schema=schema,
        publisher=publisher,
        clock=ManualClock(RELAY_TIME),
        effects="deferred",
        pool_size=2,
    ) as sales:
        barrier.wait(timeout=60)
        delivered = relay_until_idle(sales, deadline=time.monotonic() + 60)
    results.put((delivered, dict(publisher.deliveries)))


def test_relays_in_two_processes_deliver_each_message_exactly_once(
    postgres_dsn: str, schema: str, reliability: Figure
) -> None:
    waiting = seed(postgres_dsn, schema, orders=100)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=relay_process, args=(postgres_dsn, schema, barrier, results))
        for _ in range(2)
    ]
    started = time.monotonic()
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=90) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    wall = time.monotonic() - started
    results.close()
    results.join_thread()

    deliveries: Counter[str] = Counter()
    for _, counted in outcomes:
        deliveries.update(counted)
    delivered = [count for count, _ in outcomes]
    messages, done = publish_messages(postgres_dsn, schema)
    duplicates = sum(count - 1 for count in deliveries.values())
    reliability(
        f"RELIABILITY K4 backend=postgres relays=processes workers=2 "
        f"messages={sum(delivered)} publish_messages={messages} duplicate_effects={duplicates} "
        f"per_worker={'/'.join(map(str, delivered))} wall_s={wall:.2f}"
    )
    assert [process.exitcode for process in processes] == [0, 0]
    assert duplicates == 0
    assert done == messages == len(deliveries)
    assert sum(delivered) == waiting + 50


def claim_and_die(dsn: str, schema: str) -> None:
    """A relay that leases every due message and is then killed (SIGKILL) before it
    delivers any: ORDER_CANCELLATION_CRASHPOINT is set for this process."""
    with Sales.postgres(
        dsn,
        SHOP,
        schema=schema,
        publisher=RecordingPublisher(),
        clock=ManualClock(RELAY_TIME),
        effects="deferred",
    ) as sales:
        sales.process_pending()
    raise AssertionError("the crash point should have killed this process")


def test_messages_of_a_worker_that_died_are_taken_over_when_its_lease_runs_out(
    postgres_dsn: str, schema: str, monkeypatch: pytest.MonkeyPatch, reliability: Figure
) -> None:
    waiting = seed(postgres_dsn, schema, orders=10)
    context = multiprocessing.get_context("spawn")
    monkeypatch.setenv("ORDER_CANCELLATION_CRASHPOINT", crashpoints.AFTER_CLAIM)
    doomed = context.Process(target=claim_and_die, args=(postgres_dsn, schema))
    doomed.start()
    monkeypatch.delenv("ORDER_CANCELLATION_CRASHPOINT")
    doomed.join(timeout=60)
    assert doomed.exitcode == -9  # SIGKILL, right after committing its claim

    publisher = CountingPublisher()
    clock = ManualClock(RELAY_TIME)
    with Sales.postgres(
        postgres_dsn, SHOP, schema=schema, publisher=publisher, clock=clock, effects="deferred"
    ) as survivor:
        leased = [message.leased_by for message in _pending(survivor)]
        assert len(leased) == waiting
        assert len(set(leased)) == 1
        assert None not in leased
        assert survivor.process_pending().delivered == 0  # still leased to the dead worker

        clock.advance(timedelta(seconds=61))  # the lease (60 s) runs out
        taken_over = survivor.process_pending().delivered
        assert survivor.pending_effects() == 0

    duplicates = sum(count - 1 for count in publisher.deliveries.values())
    reliability(
        f"RELIABILITY K4 backend=postgres relays=takeover leased_by_dead_worker={len(leased)} "
        f"taken_over={taken_over} stuck=0 duplicate_effects={duplicates}"
    )
    assert taken_over == waiting + 5  # + one StockRestored to publish per cancel
    assert duplicates == 0


def _pending(sales: Sales) -> list[Any]:
    with sales._backend.unit_of_work(SHOP) as uow:
        return list(uow.outbox.pending())
