"""Row 2, SQLite: durable cancels per second (WAL; synchronous NORMAL and FULL) against raw
``sqlite3`` running the same statements, and against the same cancel on eventsourcing.

Each contender cancels the same orders in its own copy of one seeded file; the library
runs with effects inline (restock and settlement run before ``cancel_order`` returns)
and no publisher, ``Sales.sqlite``'s defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from benchmarks import es_process, es_sqlite, sqlite_files
from benchmarks.harness import Row, Sizes, Target, interleaved, per_second
from benchmarks.minimal_sqlite import MinimalCancels
from benchmarks.orders import START
from benchmarks.raw_sqlite import RawCancels
from order_cancellation import Sales
from order_cancellation.adapters.clock import ManualClock

LINES = 10
LEVELS = ("NORMAL", "FULL")


def library_run(template: Path, folder: Path, orders: int, level: str) -> float:
    path = sqlite_files.copy(template, folder / "library.db")
    ids = sqlite_files.open_order_ids(path)[:orders]
    card = sqlite_files.authorized_provider(len(ids), LINES)
    sales = Sales.sqlite(
        path, sqlite_files.SHOP, gateways={"card": card}, clock=ManualClock(START),
        synchronous=level,
    )  # fmt: skip
    with sales:
        return per_second(len(ids), lambda: [sales.cancel_order(i) for i in ids])


def raw_run(
    template: Path, folder: Path, orders: int, level: str, kind: type[RawCancels] = RawCancels
) -> float:
    path = sqlite_files.copy(template, folder / "raw.db")
    ids = sqlite_files.open_order_ids(path)[:orders]
    raw = kind(path, synchronous=level)
    try:
        return per_second(len(ids), lambda: [raw.cancel(i) for i in ids])
    finally:
        raw.close()


def minimal_run(template: Path, folder: Path, orders: int, level: str) -> float:
    return raw_run(template, folder, orders, level, MinimalCancels)


def es_run(template: Path, folder: Path, orders: int, level: str) -> float:
    path = sqlite_files.copy(template, folder / "es.db")
    ids = es_sqlite.open_order_ids(path)[:orders]
    shop = es_sqlite.open_shop(path, synchronous=level)
    try:
        es_sqlite.warm(shop, LINES)
        return per_second(len(ids), lambda: [shop.cancel(i) for i in ids])
    finally:
        shop.close()


def es_process_run(template: Path, folder: Path, orders: int, level: str) -> float:
    files = es_process.copy(template, folder / "es-process")
    ids = es_process.open_order_ids(files)[:orders]
    runner = es_process.start(files, synchronous=level)
    try:
        es_process.warm(runner, LINES)
        shop = runner.get(es_process.Orders)
        return per_second(len(ids), lambda: [shop.cancel(i) for i in ids])
    finally:
        runner.stop()


def rows(sizes: Sizes) -> list[Row]:
    orders = {"NORMAL": sizes.pick(60, 1000), "FULL": sizes.pick(25, 300)}
    repeats = sizes.pick(3, 5)
    found: list[Row] = []
    with sqlite_files.scratch() as folder:
        template = folder / "template.db"
        es_template = folder / "es-template.db"
        most = max(orders.values())
        sqlite_files.seed(template, most, LINES)
        es_sqlite.seed(es_template, most, LINES)
        process_template = folder / "es-process-template"
        process_template.mkdir()
        es_process.seed(process_template, most, LINES)
        for level in LEVELS:
            count = orders[level]

            def run(
                contender: Callable[[Path, Path, int, str], float],
                source: Path,
                level: str = level,
                count: int = count,
            ) -> Callable[[], float]:
                return lambda: contender(source, folder, count, level)

            medians = interleaved(
                {
                    "library": run(library_run, template),
                    "raw": run(raw_run, template),
                    "minimal": run(minimal_run, template),
                    "es": run(es_run, es_template),
                    "es process": run(es_process_run, process_template),
                },
                repeats=repeats,
            )
            note = f"{count} cancels, median of {repeats}"
            found += [
                Row(
                    name=f"sqlite {level}: cancels/s vs minimal sqlite3, 2 transactions",
                    figure=medians["library"],
                    baseline=medians["minimal"],
                    unit="cancels/s",
                    target=Target(direction="at least", ratio=0.7),
                    note=note,
                ),
                Row(
                    name=f"sqlite {level}: cancels/s vs raw sqlite3, the old statements",
                    figure=medians["library"],
                    baseline=medians["raw"],
                    unit="cancels/s",
                    note=note,
                ),
                Row(
                    name=f"sqlite {level}: vs eventsourcing, effects in the same save",
                    figure=medians["library"],
                    baseline=medians["es"],
                    unit="cancels/s",
                    target=Target(direction="at least", ratio=1.5),
                    note=note,
                ),
                Row(
                    name=f"sqlite {level}: vs eventsourcing, effects in a process app",
                    figure=medians["library"],
                    baseline=medians["es process"],
                    unit="cancels/s",
                    target=Target(direction="at least", ratio=1.5),
                    note=note,
                ),
            ]
    return found
