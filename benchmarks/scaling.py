"""Row 4, scaling on SQLite: cost per cancel as the store grows (10^3 to 10^6 orders) and as
orders grow (1, 10, 100 lines).

Stores are seeded by the SQL bulk path (:mod:`benchmarks.sqlite_bulk`). Cancels pick
orders at random across the whole store, so a large store is not helped by its newest
pages being cached. ``synchronous=NORMAL``: a commit's fsync is the same at any size and
would only hide the part that grows. The stores are measured in turns, round by round, and
each figure is the median round.
"""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path

from benchmarks import sqlite_bulk
from benchmarks.harness import Row, Sizes, Target
from benchmarks.orders import CURRENCY, START, total_minor
from benchmarks.seeding import order_id
from benchmarks.sqlite_files import SHOP, scratch
from order_cancellation import Money, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider

LINES = 10


class Store:
    """One seeded store, with a provider authorizing the orders it will cancel."""

    def __init__(self, path: Path, orders: int, lines: int, picks: list[int]) -> None:
        sqlite_bulk.bulk_seed(path, orders, lines)
        card = InMemoryPaymentProvider()
        amount = Money(total_minor(lines), CURRENCY)
        for n in picks:
            card.authorize(f"pay-{n}", amount, at=START)
        self.sales = Sales.sqlite(
            path, SHOP, gateways={"card": card}, clock=ManualClock(START), synchronous="NORMAL"
        )
        self.picks = iter(picks)
        self.costs: list[float] = []

    def measure(self, cancels: int) -> None:
        ids = [order_id(next(self.picks)) for _ in range(cancels)]
        started = time.perf_counter()
        for one in ids:
            self.sales.cancel_order(one)
        self.costs.append((time.perf_counter() - started) / cancels * 1e6)

    @property
    def cost(self) -> float:
        return statistics.median(self.costs)


def _measure_in_turns(stores: list[Store], rounds: int, cancels: int) -> None:
    for _ in range(rounds):
        for store in stores:
            store.measure(cancels)
    for store in stores:
        store.sales.close()


def store_rows(folder: Path, counts: list[int], rounds: int, cancels: int) -> list[Row]:
    stores = [
        Store(
            folder / f"orders-{count}.db",
            count,
            LINES,
            random.Random(count).sample(range(count), rounds * cancels),  # noqa: S311 - not secret
        )
        for count in counts
    ]
    _measure_in_turns(stores, rounds, cancels)
    smallest = stores[0].cost
    return [
        Row(
            name=f"scaling: {count:>9,} stored orders, {LINES}-line cancel",
            figure=store.cost,
            baseline=smallest,
            unit=f"us/cancel vs {counts[0]:,} orders",
            target=Target(direction="at most", ratio=1.2),
            note=f"median of {rounds} rounds of {cancels}",
        )
        for count, store in zip(counts, stores, strict=True)
    ]


def line_rows(folder: Path, line_counts: list[int], rounds: int, cancels: int) -> list[Row]:
    orders = rounds * cancels
    stores = [
        Store(folder / f"lines-{lines}.db", orders, lines, list(range(orders)))
        for lines in line_counts
    ]
    _measure_in_turns(stores, rounds, cancels)
    one_line = stores[0].cost
    return [
        Row(
            name=f"scaling: {lines:>3}-line orders, cost per cancel",
            figure=store.cost,
            baseline=one_line,
            unit="us/cancel vs 1-line orders",
            target=Target(direction="at most", ratio=float(lines)),
            note=f"{store.cost / lines:.0f} us per line; median of {rounds} rounds of {cancels}",
        )
        for lines, store in zip(line_counts, stores, strict=True)
    ]


def rows(sizes: Sizes) -> list[Row]:
    counts = [10**3, 10**4, 10**5] + ([] if sizes.quick else [10**6])
    if sizes.smoke:
        counts = [20, 40]
    rounds = sizes.pick(3, 7)
    with scratch() as folder:
        found = store_rows(folder, counts, rounds, sizes.pick(8, 30))
        found += line_rows(folder, [1, 10, 100], rounds, sizes.pick(6, 20))
    return found
