"""Every benchmark runs end to end at a tiny size and fills its rows.

Only that: the figures of a tiny run mean nothing, and no wall-clock limit is asserted
(timing belongs to ``python -m benchmarks``, never to the test suite).
"""

from __future__ import annotations

import importlib
import math
import os
import sqlite3
from pathlib import Path

import pytest
from benchmarks.__main__ import BENCHMARKS, main
from benchmarks.harness import Row, Sizes
from benchmarks.memory import LINES, DictShop, library_shop
from benchmarks.minimal_sqlite import MinimalCancels
from benchmarks.orders import START
from benchmarks.raw_sqlite import RawCancels
from benchmarks.settings import DEFAULT_DSN
from benchmarks.sqlite_bulk import bulk_seed
from benchmarks.sqlite_files import SHOP, authorized_provider, open_order_ids, seed

from order_cancellation import Sales
from order_cancellation.adapters.clock import ManualClock

NEEDS_POSTGRES = {"postgres", "relay", "counts"}


def _postgres_or_skip(monkeypatch: pytest.MonkeyPatch) -> None:
    dsn = os.environ.get("ORDER_CANCELLATION_TEST_DSN", DEFAULT_DSN)
    monkeypatch.setenv("ORDER_CANCELLATION_BENCH_DSN", dsn)
    try:
        import psycopg

        with psycopg.connect(dsn, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        reason = f"no PostgreSQL server at {dsn} ({type(error).__name__})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL benchmarks, but {reason}")
        pytest.skip(reason)


@pytest.mark.parametrize("name", list(BENCHMARKS))
def test_each_benchmark_runs_and_fills_its_rows(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if name in NEEDS_POSTGRES:
        _postgres_or_skip(monkeypatch)
    module = importlib.import_module(BENCHMARKS[name])

    rows: list[Row] = module.rows(Sizes("smoke"))

    assert rows
    for row in rows:
        assert math.isfinite(row.figure)
        assert row.figure > 0
        assert row.ratio is None or math.isfinite(row.ratio)
        assert "errors 0" in row.note or not row.name.startswith("postgres")


def test_the_command_line_prints_one_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--smoke", "--only", "memory", "--only", "rss"]) == 0

    printed = capsys.readouterr().out
    assert "memory: cancels/s" in printed
    assert "memory: peak RSS" in printed
    assert printed.startswith("# ")


def test_the_baselines_change_the_same_state_as_the_library(tmp_path: Path) -> None:
    # In memory: one order canceled both ways leaves the same counts of records behind.
    sales, ids = library_shop(1)
    refund = sales.cancel_order(ids[0])
    shop = DictShop(1, LINES, START)
    record = shop.cancel("o-0")
    assert (record["stock_status"], record["payment_status"]) == ("done", "voided")
    assert (refund.stock_status.value, refund.payment_status.value) == ("done", "voided")
    assert record["version"] == refund.version
    assert len(shop.published) == 3  # OrderCanceled, StockRestored, PaymentVoided

    # On SQLite: the raw baseline writes the same rows, table by table, as the library.
    template = tmp_path / "template.db"
    seed(template, 2, LINES)
    counts = {}
    for side in ("library", "raw"):
        path = tmp_path / f"{side}.db"
        path.write_bytes(template.read_bytes())
        order_id = open_order_ids(path)[0]
        if side == "library":
            with Sales.sqlite(
                path, SHOP, gateways={"card": authorized_provider(2, LINES)},
                clock=ManualClock(START),
            ) as sales:  # fmt: skip
                sales.cancel_order(order_id)
        else:
            raw = RawCancels(path, synchronous="FULL")
            raw.cancel(order_id)
            raw.close()
        counts[side] = _table_counts(path)
    assert counts["library"] == counts["raw"]


def test_the_minimal_sqlite_baseline_leaves_the_librarys_state_with_one_outbox_row(
    tmp_path: Path,
) -> None:
    template = tmp_path / "template.db"
    seed(template, 2, LINES)
    counts = {}
    for side, kind in (("raw", RawCancels), ("minimal", MinimalCancels)):
        path = tmp_path / f"{side}.db"
        path.write_bytes(template.read_bytes())
        raw = kind(path, synchronous="FULL")
        raw.cancel(open_order_ids(path)[0])
        raw.close()
        counts[side] = _table_counts(path)

    outbox = {side: counted.pop("outbox") for side, counted in counts.items()}
    assert counts["minimal"] == counts["raw"]
    assert outbox == {"raw": [("done", 2)], "minimal": [("done", 1)]}


def test_bulk_seeded_orders_read_back_through_the_library(tmp_path: Path) -> None:
    path = tmp_path / "bulk.db"
    bulk_seed(path, 3, LINES)

    with Sales.sqlite(path, SHOP, clock=ManualClock(START)) as sales:
        order = sales.get_order("o-00000002")
        assert len(order.lines) == LINES
        assert order.payment is not None
        assert order.payment.reference == "pay-2"
        sales.cancel_order(order.id)
        assert sales.get_order(order.id).state.value == "canceled"


def _table_counts(path: Path) -> dict[str, object]:
    connection = sqlite3.connect(path)
    try:
        return {
            table: connection.execute(
                f"SELECT status, count(*) FROM {table} GROUP BY status"
                if table == "outbox"
                else f"SELECT count(*) FROM {table}"
            ).fetchall()
            for table in ("orders", "refund_orders", "outbox", "stock_movements", "stock_levels")
        } | {
            "orders by state": connection.execute(
                "SELECT state, version, count(*) FROM orders GROUP BY state, version"
            ).fetchall(),
            "refunds by status": connection.execute(
                "SELECT payment_status, stock_status, version FROM refund_orders"
            ).fetchall(),
        }
    finally:
        connection.close()
