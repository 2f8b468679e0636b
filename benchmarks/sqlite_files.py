"""SQLite files for the benchmarks: seeded once through the library, copied for each run.

Every contender of a row starts from a byte-identical copy of one seeded file, so none of
them meets a warmer or fuller database than the others.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.orders import CURRENCY, START, payment, place, stock_up, total_minor
from order_cancellation import Money, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider

SHOP = "bench"


@contextmanager
def scratch() -> Iterator[Path]:
    """A temporary folder on the local disk (WAL needs one), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as folder:
        yield Path(folder)


def seed(path: Path, orders: int, lines: int) -> None:
    """Place ``orders`` open orders of ``lines`` lines through the library's public API."""
    clock = ManualClock(START)
    card = InMemoryPaymentProvider()
    with Sales.sqlite(
        path, SHOP, gateways={"card": card}, clock=clock, synchronous="NORMAL"
    ) as sales:
        stock_up(sales, lines)
        place(sales, card, clock, orders, lines)


def copy(template: Path, target: Path) -> Path:
    """A copy of a closed database file (closing checkpointed its WAL into the file)."""
    shutil.copyfile(template, target)
    return target


def open_order_ids(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT id FROM orders WHERE shop = ? AND state = 'open' ORDER BY seq", (SHOP,)
        ).fetchall()
    connection.close()
    return [str(row[0]) for row in rows]


def authorized_provider(orders: int, lines: int) -> InMemoryPaymentProvider:
    """A provider holding the authorizations of the seeded orders (providers live in
    memory, so each run needs its own)."""
    provider = InMemoryPaymentProvider()
    amount = Money(total_minor(lines), CURRENCY)
    for n in range(orders):
        provider.authorize(payment(n).reference, amount, at=START)
    return provider
