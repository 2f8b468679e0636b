"""R1: on SQLite a write behind a snapshot and a held write lock waits, it never fails (C5).

The regression this guards against: a transaction that begins DEFERRED reads, and when it
then tries to write after another connection has written, SQLite answers SQLITE_BUSY at
once (its snapshot is stale), without waiting for ``busy_timeout``. Each trial sets that
scene around one cancel: a reader holds a snapshot open, another writer commits, and a
plain connection holds the write lock (with an uncommitted write) for 0-500 ms while the
shop cancels an order. The cancel must wait for the lock and succeed.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from order_cancellation import Sales
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.domain.errors import StorageError
from tests.backends.reliability.support import Report, figure, seed_orders

SHOP = "acme"
# CI: every hold from none to the longest, five times each (about 4.5 s of holding).
CI_HOLDS_MS = [0, 1, 2, 5, 10, 20, 50, 100, 200, 500] * 5
NIGHTLY_HOLDS_MS = [random.Random(20260305).uniform(0, 500) for _ in range(1000)]


def _is_busy(error: Exception) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _hold_write_lock(path: Path, trial: int, hold_ms: float, held: threading.Event) -> None:
    """Take the write lock with a write pending, keep it ``hold_ms``, then commit."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO lock_holder (trial) VALUES (?)", (trial,))
        held.set()
        time.sleep(hold_ms / 1000)
        connection.execute("COMMIT")
    finally:
        held.set()  # never leave the trial waiting, even if the lock was not taken
        connection.close()


@pytest.mark.parametrize(
    "holds_ms",
    [
        pytest.param(CI_HOLDS_MS, id="ci"),
        pytest.param(NIGHTLY_HOLDS_MS, id="nightly", marks=pytest.mark.nightly),
    ],
)
def test_c5_a_cancel_behind_an_open_snapshot_and_a_held_write_lock_waits_and_succeeds(
    tmp_path: Path, holds_ms: list[float], reliability: Report
) -> None:
    path = tmp_path / "shop.db"
    backend = SQLiteBackend(path)  # busy_timeout 5 s, ten times the longest hold
    sales = Sales.sqlite(shop=SHOP, backend=backend, effects="deferred")
    other = Sales.sqlite(path, SHOP, effects="deferred")  # another writer, connections apart
    order_ids = seed_orders(backend, SHOP, len(holds_ms), stock=5, units=2)
    setup = sqlite3.connect(path, isolation_level=None)
    setup.execute("CREATE TABLE lock_holder (trial INTEGER NOT NULL)")
    setup.close()
    reader = sqlite3.connect(path, isolation_level=None)

    busy: list[Exception] = []
    snapshot_moved: list[int] = []
    waits: list[float] = []
    for trial, (order_id, hold_ms) in enumerate(zip(order_ids, holds_ms, strict=True)):
        reader.execute("BEGIN")
        before = reader.execute("SELECT count(*) FROM lock_holder").fetchone()[0]
        other.set_stock("SKU-OTHER", trial)  # another writer commits behind the snapshot
        held = threading.Event()
        holder = threading.Thread(target=_hold_write_lock, args=(path, trial, hold_ms, held))
        holder.start()
        held.wait()
        began = time.perf_counter()
        try:
            sales.cancel_order(order_id, reason="lock wait")
        except (StorageError, sqlite3.OperationalError) as error:
            if not _is_busy(error):
                raise
            busy.append(error)
        waits.append(time.perf_counter() - began)
        holder.join()
        # The reader's snapshot stayed where it was while both writers committed.
        if reader.execute("SELECT count(*) FROM lock_holder").fetchone()[0] != before:
            snapshot_moved.append(trial)
        reader.execute("COMMIT")
    reader.close()

    canceled = {refund.order_id for refund in sales.refund_orders()}
    held_writes = sqlite3.connect(path).execute("SELECT count(*) FROM lock_holder").fetchone()[0]
    figure(
        reliability,
        "C5",
        backend="sqlite",
        trials=len(holds_ms),
        busy_errors=len(busy),
        max_wait_ms=f"{max(waits) * 1000:.1f}",
    )
    assert busy == []
    assert canceled == set(order_ids)
    assert held_writes == len(holds_ms)  # every trial's lock holder did write and commit
    assert snapshot_moved == []
    sales.close()
    other.close()
