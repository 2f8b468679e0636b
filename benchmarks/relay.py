"""Row 6, the relay: effects delivered per second by one worker and by two, on SQLite and on
PostgreSQL.

Each round cancels a fresh batch of orders with ``effects="deferred"`` (two messages each:
restock and settle), then drains the outbox: one worker with ``process_pending()`` in
this process, or two forked worker processes each running ``process_pending()`` on the
same store at once (leases keep them off each other's messages). Rounds alternate between
one and two workers; each figure is the median round.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.harness import Row, Sizes
from benchmarks.orders import CURRENCY, START, total_minor
from benchmarks.postgres_workers import fresh_schema
from benchmarks.seeding import seed_orders
from benchmarks.settings import postgres_dsn
from benchmarks.sqlite_files import SHOP, scratch
from order_cancellation import Money, Sales
from order_cancellation.adapters.memory import InMemoryPaymentProvider

LINES = 10
OpenSales = Callable[[InMemoryPaymentProvider], Sales]


def _provider(references: list[str]) -> InMemoryPaymentProvider:
    card = InMemoryPaymentProvider()
    amount = Money(total_minor(LINES), CURRENCY)
    for reference in references:
        card.authorize(reference, amount, at=START)
    return card


def _drain(open_sales: OpenSales, references: list[str], barrier: Any, out: Any) -> None:
    with open_sales(_provider(references)) as sales:
        barrier.wait()
        started = time.monotonic()  # system-wide: comparable between processes
        report = sales.process_pending()
        out.put((started, time.monotonic(), report.delivered, report.failed))


def _round(open_sales: OpenSales, ids: list[str], references: list[str], workers: int) -> float:
    with open_sales(_provider(references)) as sales:
        for one in ids:
            sales.cancel_order(one)
    # Forked with no connection open in the parent; each worker opens its own.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers)
    out = context.Queue()
    processes = [
        context.Process(target=_drain, args=(open_sales, references, barrier, out))
        for _ in range(workers)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    failed = sum(result[3] for result in results)
    if failed:
        raise RuntimeError(f"{failed} effects failed while draining; the figure would lie")
    seconds: float = max(r[1] for r in results) - min(r[0] for r in results)
    delivered: int = sum(result[2] for result in results)
    return delivered / seconds


def relay_rows(
    name: str, open_sales: OpenSales, backend_of: Callable[[Sales], Any], sizes: Sizes
) -> list[Row]:
    # Over 100 messages a round: a relay leases up to 100 per claim, so a smaller backlog
    # goes whole to whichever worker claims first.
    per_round = sizes.pick(60, 400)
    rounds = sizes.pick(2, 5)
    total = per_round * rounds * 2
    with open_sales(_provider([])) as sales:
        ids = seed_orders(backend_of(sales), SHOP, total, LINES, batch=500)
    references = [f"pay-{n}" for n in range(total)]
    rates: dict[int, list[float]] = {1: [], 2: []}
    batches = iter(range(0, total, per_round))
    for _ in range(rounds):
        for workers in (1, 2):
            first = next(batches)
            rates[workers].append(
                _round(open_sales, ids[first : first + per_round], references, workers)
            )
    one, two = statistics.median(rates[1]), statistics.median(rates[2])
    note = f"median of {rounds} rounds of {per_round} cancels ({2 * per_round} effects)"
    return [
        Row(name=f"relay {name}: 1 worker", figure=one, baseline=None,
            unit="effects/s", note=note),
        Row(name=f"relay {name}: 2 workers", figure=two, baseline=one,
            unit="effects/s vs 1 worker", note=note),
    ]  # fmt: skip


@contextmanager
def _sqlite_store() -> Iterator[OpenSales]:
    with scratch() as folder:
        path: Path = folder / "relay.db"

        def open_sales(card: InMemoryPaymentProvider) -> Sales:
            return Sales.sqlite(path, SHOP, gateways={"card": card}, effects="deferred")

        yield open_sales


def rows(sizes: Sizes) -> list[Row]:
    found: list[Row] = []
    with _sqlite_store() as open_sqlite:
        found += relay_rows("sqlite (FULL)", open_sqlite, lambda sales: sales._backend, sizes)
    dsn = postgres_dsn()
    with fresh_schema(dsn) as schema:

        def open_postgres(card: InMemoryPaymentProvider) -> Sales:
            return Sales.postgres(
                dsn, SHOP, gateways={"card": card}, schema=schema, effects="deferred"
            )

        found += relay_rows("postgres", open_postgres, lambda sales: sales._backend, sizes)
    return found
