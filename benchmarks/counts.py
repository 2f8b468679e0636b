"""Statements, transactions and round trips per cancel, per backend, next to the minimal
baselines: what each cancel asks of its store, counted rather than timed.

- memory: units of work entered and committed (``MemoryUnitOfWork`` counted in place);
- SQLite: every statement the library's connections run (``set_trace_callback``), the
  transactions begun, and the ``PRAGMA`` statements among them; against the minimal
  two-transaction baseline (:mod:`benchmarks.minimal_sqlite`) and the replay of the
  library's statements (:mod:`benchmarks.raw_sqlite`);
- PostgreSQL: every round trip psycopg waits for (``Connection.wait``), the ``BEGIN``,
  ``COMMIT`` and ``ROLLBACK`` commands among them, and the pool's pings; against the raw
  psycopg baseline (:mod:`benchmarks.raw_postgres`).

Each is a 10-line cancel with effects inline: the in-memory one with a publisher (every
effect), the durable ones with none (the benchmark rows' settings).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from benchmarks import sqlite_files
from benchmarks.harness import Row, Sizes
from benchmarks.minimal_sqlite import MinimalCancels
from benchmarks.orders import START
from benchmarks.raw_sqlite import RawCancels
from order_cancellation import Sales
from order_cancellation.adapters.clock import ManualClock

LINES = 10


def _row(name: str, figure: float, baseline: float | None, unit: str, note: str = "") -> Row:
    return Row(name=name, figure=figure, baseline=baseline, unit=unit, note=note)


# -- memory ------------------------------------------------------------------------------------


def memory_counts(cancels: int) -> Counter[str]:
    from benchmarks.memory import library_shop  # noqa: PLC0415 - imported when counted
    from order_cancellation.adapters.memory.store import MemoryUnitOfWork  # noqa: PLC0415

    counted: Counter[str] = Counter()
    enter, commit = MemoryUnitOfWork.__enter__, MemoryUnitOfWork.commit

    def counting_enter(self: Any) -> Any:
        counted["units of work"] += 1
        return enter(self)

    def counting_commit(self: Any) -> None:
        counted["commits"] += 1
        commit(self)

    sales, ids = library_shop(cancels)
    with (
        mock.patch.object(MemoryUnitOfWork, "__enter__", counting_enter),
        mock.patch.object(MemoryUnitOfWork, "commit", counting_commit),
    ):
        for order_id in ids:
            sales.cancel_order(order_id)
    return counted


# -- SQLite ------------------------------------------------------------------------------------


def _classify_sqlite(counted: Counter[str]) -> Callable[[str], None]:
    def trace(statement: str) -> None:
        counted["statements"] += 1
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head == "BEGIN":
            counted["transactions"] += 1
        elif head == "PRAGMA":
            counted["pragmas"] += 1

    return trace


def sqlite_library_counts(template: Path, folder: Path, cancels: int) -> Counter[str]:
    path = sqlite_files.copy(template, folder / "count-library.db")
    ids = sqlite_files.open_order_ids(path)[:cancels]
    card = sqlite_files.authorized_provider(len(ids), LINES)
    counted: Counter[str] = Counter()
    trace = _classify_sqlite(counted)
    with Sales.sqlite(
        path, sqlite_files.SHOP, gateways={"card": card}, clock=ManualClock(START),
        synchronous="NORMAL",
    ) as sales:  # fmt: skip
        pool = sales._backend._pool  # type: ignore[attr-defined]
        connect = pool._connect

        def traced() -> sqlite3.Connection:
            connection: sqlite3.Connection = connect()
            connection.set_trace_callback(trace)
            return connection

        pool._connect = traced
        for connection in pool._idle:
            connection.set_trace_callback(trace)
        for order_id in ids:
            sales.cancel_order(order_id)
        for connection in pool._idle:
            connection.set_trace_callback(None)
    return counted


def sqlite_raw_counts(
    template: Path, folder: Path, cancels: int, kind: type[RawCancels]
) -> Counter[str]:
    path = sqlite_files.copy(template, folder / "count-raw.db")
    ids = sqlite_files.open_order_ids(path)[:cancels]
    counted: Counter[str] = Counter()
    raw = kind(path, synchronous="NORMAL")
    raw.db.set_trace_callback(_classify_sqlite(counted))
    try:
        for order_id in ids:
            raw.cancel(order_id)
    finally:
        raw.close()
    return counted


# -- PostgreSQL --------------------------------------------------------------------------------


@contextlib.contextmanager
def counting_round_trips(counted: Counter[str]) -> Iterator[None]:
    """Count psycopg's round trips in this process: every ``Connection.wait`` is one (a
    statement, or a ``BEGIN``/``COMMIT``/``ROLLBACK`` psycopg sends itself, or a ping)."""
    import psycopg  # noqa: PLC0415 - the postgres extra
    from psycopg_pool import ConnectionPool  # noqa: PLC0415

    wait, command = psycopg.Connection.wait, psycopg.Connection._exec_command
    check = ConnectionPool.check_connection

    def counting_wait(self: Any, gen: Any, *args: Any, **kwargs: Any) -> Any:
        counted["round trips"] += 1
        return wait(self, gen, *args, **kwargs)

    def counting_command(self: Any, sql: Any, *args: Any, **kwargs: Any) -> Any:
        text = sql if isinstance(sql, bytes | str) else b""
        head = (text.decode() if isinstance(text, bytes) else text).split(None, 1)
        counted[head[0].upper() if head else "other command"] += 1
        return command(self, sql, *args, **kwargs)

    def counting_check(conn: Any) -> None:
        # A ping switches autocommit on and off around its empty query: psycopg waits on
        # those switches too, but only the query goes to the server.
        counted["pings"] += 1
        waits = counted["round trips"]
        check(conn)
        counted["round trips"] = waits + 1

    with (
        mock.patch.object(psycopg.Connection, "wait", counting_wait),
        mock.patch.object(psycopg.Connection, "_exec_command", counting_command),
        mock.patch.object(ConnectionPool, "check_connection", staticmethod(counting_check)),
    ):
        yield


def postgres_counts(cancels: int) -> tuple[Counter[str], Counter[str]]:
    from benchmarks.orders import CURRENCY, total_minor  # noqa: PLC0415
    from benchmarks.postgres_workers import SHOP, fresh_schema  # noqa: PLC0415
    from benchmarks.raw_postgres import RawPostgresCancels  # noqa: PLC0415
    from benchmarks.seeding import seed_orders  # noqa: PLC0415
    from benchmarks.settings import postgres_dsn  # noqa: PLC0415
    from order_cancellation import Money  # noqa: PLC0415
    from order_cancellation.adapters.memory import InMemoryPaymentProvider  # noqa: PLC0415

    dsn = postgres_dsn()
    library: Counter[str] = Counter()
    raw: Counter[str] = Counter()
    with fresh_schema(dsn) as schema:
        with Sales.postgres(dsn, SHOP, schema=schema) as sales:
            ids = seed_orders(sales._backend, SHOP, 2 * cancels, LINES)
        card = InMemoryPaymentProvider()
        for n in range(2 * cancels):
            card.authorize(f"pay-{n}", Money(total_minor(LINES), CURRENCY), at=START)
        with counting_round_trips(library):
            with Sales.postgres(
                dsn, SHOP, gateways={"card": card}, clock=ManualClock(START), schema=schema,
                pool_size=2,
            ) as sales:  # fmt: skip
                library.clear()  # opening the pool is not a cancel's
                for order_id in ids[:cancels]:
                    sales.cancel_order(order_id)
                cancel_counts = Counter(library)
                # Every settlement voided an authorization (not the lapsed path).
                voided = [sales.get_refund_order(r.id) for r in sales.refund_orders()]
                assert all(r.payment_status.value == "voided" for r in voided), voided
            library = cancel_counts
        baseline = RawPostgresCancels(dsn, schema, SHOP)
        try:
            with counting_round_trips(raw):
                for order_id in ids[cancels:]:
                    baseline.cancel(order_id)
        finally:
            baseline.close()
    return library, raw


def _postgres_rows(library: Counter[str], raw: Counter[str], cancels: int) -> list[Row]:
    def per(counter: Counter[str], key: str) -> float:
        return counter[key] / cancels

    # psycopg sends BEGIN inside the wait of a transaction's first statement: a round trip
    # of its own on the wire, not a wait of its own.
    def trips(counter: Counter[str]) -> int:
        return counter["round trips"] + counter["BEGIN"]

    def statements(counter: Counter[str]) -> int:
        commands = sum(counter[k] for k in ("COMMIT", "ROLLBACK"))
        return counter["round trips"] - commands - counter["pings"]

    note = (
        f"library per cancel: {per(library, 'BEGIN'):.1f} BEGIN, {per(library, 'COMMIT'):.1f}"
        f" COMMIT, {per(library, 'ROLLBACK'):.1f} ROLLBACK, {per(library, 'pings'):.1f} pings,"
        f" {statements(library) / cancels:.1f} statements; {cancels} cancels"
    )
    return [
        _row(
            "count postgres: round trips per cancel",
            trips(library) / cancels,
            trips(raw) / cancels,
            "round trips vs raw psycopg",
            note,
        ),
        _row(
            "count postgres: transactions (BEGIN) per cancel",
            per(library, "BEGIN"),
            per(raw, "BEGIN"),
            "transactions vs raw psycopg",
        ),
        _row(
            "count postgres: statements per cancel",
            statements(library) / cancels,
            statements(raw) / cancels,
            "statements vs raw psycopg",
        ),
    ]


def rows(sizes: Sizes) -> list[Row]:
    cancels = sizes.pick(10, 20, smoke=2)
    found: list[Row] = []
    memory = memory_counts(cancels)
    found += [
        _row(
            "count memory: units of work per cancel",
            memory["units of work"] / cancels,
            None,
            "units of work",
            f"{memory['commits'] / cancels:.1f} commits per cancel; with a publisher",
        )
    ]
    with sqlite_files.scratch() as folder:
        template = folder / "template.db"
        sqlite_files.seed(template, cancels, LINES)
        library = sqlite_library_counts(template, folder, cancels)
        minimal = sqlite_raw_counts(template, folder, cancels, MinimalCancels)
        replay = sqlite_raw_counts(template, folder, cancels, RawCancels)
    found += [
        _row(
            "count sqlite: statements per cancel",
            library["statements"] / cancels,
            minimal["statements"] / cancels,
            "statements vs minimal baseline",
            f"of them {library['pragmas'] / cancels:.1f} PRAGMA; the replay of the library's"
            f" statements before this change ran {replay['statements'] / cancels:.1f}",
        ),
        _row(
            "count sqlite: transactions per cancel",
            library["transactions"] / cancels,
            minimal["transactions"] / cancels,
            "transactions vs minimal baseline",
        ),
    ]
    with contextlib.suppress(ImportError):
        library_pg, raw_pg = postgres_counts(cancels)
        found += _postgres_rows(library_pg, raw_pg, cancels)
    return found
