"""Row 3, PostgreSQL: 1, 2, 4 and 8 worker processes cancelling disjoint and overlapping
orders; throughput, p50 and p99 latency, and what reached the callers.

Each worker is a process of its own with its own ``Sales.postgres`` (pool of 2), effects
inline, and an in-memory card provider that knows every seeded payment (any worker's relay
may settle any order). Disjoint: each worker cancels its own orders. Overlapping: every
worker tries every order of one set, in its own random order, so each order is canceled
once and the other attempts meet :class:`OrderAlreadyCanceled`: an expected outcome,
counted apart from errors. :class:`ConcurrencyConflict` (two workers deciding on the same
version at once) is typed too, and is counted apart as well: it reached a caller.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import attrs

from benchmarks.harness import Row, Sizes, Target, percentile
from benchmarks.orders import CURRENCY, START, total_minor
from benchmarks.seeding import seed_orders
from benchmarks.settings import postgres_dsn
from order_cancellation import Money, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.domain.errors import ConcurrencyConflict, OrderAlreadyCanceled

LINES = 10
WORKERS = (1, 2, 4, 8)
SHOP = "bench"


@attrs.frozen(kw_only=True)
class WorkerResult:
    started: float
    finished: float
    latencies: list[float]
    outcomes: dict[str, int]
    errors: list[str]


@attrs.frozen(kw_only=True)
class Job:
    dsn: str
    schema: str
    ids: list[str]
    references: list[str]
    raw: bool = False  # the raw psycopg baseline instead of the library


def _raw_worker(job: Job, barrier: Any, out: Any) -> None:
    from benchmarks.raw_postgres import RawPostgresCancels  # noqa: PLC0415 - forked child

    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    raw = RawPostgresCancels(job.dsn, job.schema, SHOP)
    try:
        barrier.wait()
        started = time.monotonic()
        for order_id in job.ids:
            began = time.perf_counter()
            try:
                raw.cancel(order_id)
                outcomes["canceled"] += 1
            except Exception as error:
                raw.db.rollback()
                outcomes["error"] += 1
                errors.append(f"{type(error).__name__}: {error}"[:200])
            latencies.append(time.perf_counter() - began)
        finished = time.monotonic()
    finally:
        raw.close()
    out.put(
        WorkerResult(
            started=started,
            finished=finished,
            latencies=latencies,
            outcomes=dict(outcomes),
            errors=errors,
        )
    )


def _worker(job: Job, barrier: Any, out: Any) -> None:
    if job.raw:
        _raw_worker(job, barrier, out)
        return
    dsn, schema, ids, references = job.dsn, job.schema, job.ids, job.references
    card = InMemoryPaymentProvider()
    amount = Money(total_minor(LINES), CURRENCY)
    for reference in references:
        card.authorize(reference, amount, at=START)
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    errors: list[str] = []
    # The authorizations date from START: settle on the same clock, so that every cancel
    # voids a live authorization instead of finding it lapsed once START is a month old.
    with Sales.postgres(
        dsn, SHOP, gateways={"card": card}, clock=ManualClock(START), schema=schema, pool_size=2
    ) as sales:
        barrier.wait()
        started = time.monotonic()  # system-wide on Linux: comparable between processes
        for order_id in ids:
            began = time.perf_counter()
            try:
                sales.cancel_order(order_id)
                outcomes["canceled"] += 1
            except OrderAlreadyCanceled:
                outcomes["already_canceled"] += 1
            except ConcurrencyConflict:
                outcomes["conflict"] += 1
            except Exception as error:
                outcomes["error"] += 1
                errors.append(f"{type(error).__name__}: {error}"[:200])
            latencies.append(time.perf_counter() - began)
        finished = time.monotonic()
    out.put(
        WorkerResult(
            started=started,
            finished=finished,
            latencies=latencies,
            outcomes=dict(outcomes),
            errors=errors,
        )
    )


@contextmanager
def fresh_schema(dsn: str) -> Iterator[str]:
    """A schema of its own for this run, dropped afterwards."""
    import psycopg  # noqa: PLC0415 - the postgres extra, needed by this row only

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        yield schema
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')  # our own name


def run_workers(
    dsn: str, schema: str, plan: list[list[str]], references: list[str], *, raw: bool = False
) -> list[WorkerResult]:
    # fork: the workers start in milliseconds and inherit the imports; the parent holds
    # no connection while forking.
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(len(plan))
    out = context.Queue()
    workers = [
        context.Process(
            target=_worker,
            args=(
                Job(dsn=dsn, schema=schema, ids=ids, references=references, raw=raw),
                barrier,
                out,
            ),
        )
        for ids in plan
    ]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    return results


def summarize(name: str, results: list[WorkerResult], baseline: float | None) -> Row:
    outcomes: Counter[str] = Counter()
    latencies: list[float] = []
    for result in results:
        outcomes.update(result.outcomes)
        latencies += result.latencies
    seconds = max(r.finished for r in results) - min(r.started for r in results)
    canceled = outcomes["canceled"]
    errors = [error for result in results for error in result.errors]
    first_error = f"; first error: {errors[0]}" if errors else ""
    return Row(
        name=name,
        figure=canceled / seconds,
        baseline=baseline,
        unit="cancels/s vs 1 worker",
        note=(
            f"p50 {percentile(latencies, 0.5) * 1e3:.1f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1e3:.1f} ms, errors {outcomes['error']}, "
            f"already canceled {outcomes['already_canceled']}, "
            f"conflicts {outcomes['conflict']}, {len(latencies)} calls{first_error}"
        ),
    )


def throughput(results: list[WorkerResult]) -> float:
    seconds = max(r.finished for r in results) - min(r.started for r in results)
    return sum(r.outcomes.get("canceled", 0) for r in results) / seconds


def rows(sizes: Sizes) -> list[Row]:
    dsn = postgres_dsn()
    per_worker = sizes.pick(12, 150)
    overlapping = sizes.pick(24, 300)
    repeats = sizes.pick(3, 3, smoke=1)
    workers_counts = WORKERS[:2] if sizes.smoke else WORKERS
    needed = 2 * repeats * sum(workers_counts) * per_worker + len(workers_counts) * overlapping
    found: list[Row] = []
    with fresh_schema(dsn) as schema:
        with Sales.postgres(dsn, SHOP, schema=schema) as sales:
            ids = seed_orders(sales._backend, SHOP, needed, LINES, batch=500)
        references = [f"pay-{n}" for n in range(needed)]
        single: float | None = None
        cursor = 0

        def next_plan(workers: int) -> list[list[str]]:
            nonlocal cursor
            plan = [
                ids[cursor + n * per_worker : cursor + (n + 1) * per_worker] for n in range(workers)
            ]
            cursor += workers * per_worker
            return plan

        for workers in workers_counts:
            # Library and raw psycopg in turns, each the median of its turns.
            library: list[list[WorkerResult]] = []
            raw: list[float] = []
            for _ in range(repeats):
                library.append(run_workers(dsn, schema, next_plan(workers), references))
                raw.append(
                    throughput(run_workers(dsn, schema, next_plan(workers), references, raw=True))
                )
            library.sort(key=throughput)
            median = library[len(library) // 2]
            row = summarize(
                f"postgres: {workers} worker(s), disjoint, vs raw psycopg",
                median,
                statistics.median(raw),
            )
            single = single or row.figure
            found.append(
                attrs.evolve(
                    row,
                    unit="cancels/s vs raw psycopg, same workers",
                    target=Target(direction="at least", ratio=0.7),
                    note=f"{row.figure / single:.2f}x 1 worker; median of {repeats}; {row.note}",
                )
            )
        for workers in workers_counts:
            shared = ids[cursor : cursor + overlapping]
            cursor += overlapping
            # Reproducible shuffles, one per worker; not cryptography.
            plan = [random.Random(n).sample(shared, len(shared)) for n in range(workers)]  # noqa: S311
            row = summarize(
                f"postgres: {workers} worker(s), overlapping orders",
                run_workers(dsn, schema, plan, references),
                single,
            )
            found.append(row)
    return found
