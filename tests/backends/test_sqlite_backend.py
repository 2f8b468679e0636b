"""The SQLite backend itself: options, pragmas, migrations, connections, transactions, times."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from order_cancellation import ConcurrencyConflict, InvalidInput, StorageError
from order_cancellation.adapters.sqlite import LATEST_VERSION, MIGRATIONS, SQLiteBackend
from order_cancellation.domain.errors import OrderNotFound
from order_cancellation.testing.contracts import SHOP, sample_order
from tests.backends.reliability import child
from tests.backends.reliability.support import StoreSpec


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def backend(path: Path) -> Iterator[SQLiteBackend]:
    with SQLiteBackend(path) as opened:
        yield opened


def _rows(path: Path, query: str) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(query).fetchall()
    finally:
        connection.close()


# -- options -------------------------------------------------------------------------------------


def test_the_defaults_are_a_5_s_busy_timeout_and_full_sync(backend: SQLiteBackend) -> None:
    assert (backend.busy_timeout, backend.synchronous) == (5.0, "FULL")
    assert (backend.pragmas().busy_timeout, backend.pragmas().synchronous) == (5000, "FULL")


def test_normal_sync_and_a_shorter_timeout_are_honoured_when_asked_for(path: Path) -> None:
    with SQLiteBackend(path, busy_timeout=0.2, synchronous="normal") as backend:
        pragmas = backend.pragmas()
    assert (pragmas.synchronous, pragmas.busy_timeout, pragmas.journal_mode) == (
        "NORMAL",
        200,
        "wal",
    )


@pytest.mark.parametrize("synchronous", ["OFF", "EXTRA", "", 2, None])
def test_a_sync_level_other_than_full_or_normal_is_refused(path: Path, synchronous: Any) -> None:
    with pytest.raises(InvalidInput, match="FULL"):
        SQLiteBackend(path, synchronous=synchronous)


@pytest.mark.parametrize("busy_timeout", [-1, float("nan"), float("inf"), True, "5"])
def test_a_busy_timeout_that_is_not_a_duration_is_refused(path: Path, busy_timeout: Any) -> None:
    with pytest.raises(InvalidInput, match="busy_timeout"):
        SQLiteBackend(path, busy_timeout=busy_timeout)


@pytest.mark.parametrize("where", [":memory:", "", "file:shop.db?mode=memory"])
def test_a_database_in_memory_is_refused_with_the_alternative(where: str) -> None:
    with pytest.raises(InvalidInput, match=r"in_memory|file path"):
        SQLiteBackend(where)


def test_a_folder_that_does_not_exist_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="folder"):
        SQLiteBackend(tmp_path / "missing" / "shop.db")


# -- migrations ----------------------------------------------------------------------------------


def test_opening_a_new_file_applies_and_records_every_migration(
    backend: SQLiteBackend, path: Path
) -> None:
    recorded = _rows(path, "SELECT version, name FROM schema_migrations ORDER BY version")
    assert recorded == [(m.version, m.name) for m in MIGRATIONS]
    assert backend.schema_version == LATEST_VERSION


def test_reopening_a_file_applies_nothing_again_and_keeps_the_data(path: Path) -> None:
    with SQLiteBackend(path) as first, first.unit_of_work(SHOP) as uow:
        uow.orders.add(sample_order())
        uow.commit()
    with SQLiteBackend(path) as again, again.unit_of_work(SHOP) as uow:
        assert uow.orders.get("o-1") == sample_order()
    assert _rows(path, "SELECT COUNT(*) FROM schema_migrations") == [(len(MIGRATIONS),)]


def test_processes_opening_a_new_file_together_migrate_it_once(path: Path) -> None:
    processes = 4
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(processes)
    results: Any = context.Queue()
    workers = [
        context.Process(
            target=child.open_backend,
            args=(StoreSpec("sqlite", str(path)).to_json(), start, results),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)
    assert outcomes == [{"version": LATEST_VERSION}] * processes
    assert _rows(path, "SELECT COUNT(*) FROM schema_migrations") == [(len(MIGRATIONS),)]


def test_a_closed_backend_refuses_work_and_closing_twice_is_harmless(path: Path) -> None:
    backend = SQLiteBackend(path)
    backend.close()
    backend.close()
    assert backend.closed
    with pytest.raises(StorageError, match="closed"), backend.unit_of_work(SHOP):
        pass


def test_threads_each_get_a_working_unit_of_work(backend: SQLiteBackend) -> None:
    errors: list[BaseException] = []

    def place(n: int) -> None:
        try:
            with backend.unit_of_work(SHOP) as uow:
                uow.orders.add(sample_order(f"o-{n}"))
                uow.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=place, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with backend.unit_of_work(SHOP) as uow:
        assert (
            len(
                uow.orders.placed_between(
                    datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
                )
            )
            == 16
        )


def test_a_second_unit_of_work_in_the_same_thread_is_refused_at_once(
    backend: SQLiteBackend,
) -> None:
    with backend.unit_of_work(SHOP), pytest.raises(StorageError, match="already open"):
        backend.unit_of_work(SHOP).__enter__()


def test_work_after_a_commit_needs_a_commit_of_its_own(backend: SQLiteBackend) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 1)
        uow.commit()
        uow.stock.set_level("SKU-1", 2)  # never committed
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.level("SKU-1") == 1


def test_a_unit_of_work_is_used_inside_its_with_block_only(backend: SQLiteBackend) -> None:
    uow = backend.unit_of_work(SHOP)
    with pytest.raises(StorageError, match="'with' block"):
        uow.orders.get("o-1")


def test_a_duplicate_id_is_a_conflict_that_leaves_the_transaction_usable(
    backend: SQLiteBackend,
) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.orders.add(sample_order())
        with pytest.raises(ConcurrencyConflict):
            uow.orders.add(sample_order())
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        assert uow.orders.get("o-1") == sample_order()
        assert uow.stock.level("SKU-1") == 3


def test_updating_an_order_that_does_not_exist_is_not_found(backend: SQLiteBackend) -> None:
    order = sample_order()
    canceled = order.fulfill({"L1": 1}, at=order.placed_at).order
    with pytest.raises(OrderNotFound), backend.unit_of_work(SHOP) as uow:
        uow.orders.update(canceled)


# -- times ---------------------------------------------------------------------------------------


def test_times_in_any_zone_are_stored_in_utc_and_compared_as_instants(
    backend: SQLiteBackend, path: Path
) -> None:
    berlin = timezone(timedelta(hours=2))
    placed = datetime(2026, 3, 2, 1, 30, tzinfo=berlin)  # 2026-03-01 23:30 UTC
    with backend.unit_of_work(SHOP) as uow:
        uow.orders.add(sample_order("o-berlin", at=placed))
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        march_1_utc = uow.orders.placed_between(
            datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC)
        )
        march_2_berlin = uow.orders.placed_between(
            datetime(2026, 3, 2, tzinfo=berlin), datetime(2026, 3, 3, tzinfo=berlin)
        )
        assert uow.orders.get("o-berlin").placed_at == placed
    assert [o.id for o in march_1_utc] == [o.id for o in march_2_berlin] == ["o-berlin"]
    assert _rows(path, "SELECT placed_at FROM orders") == [("2026-03-01T23:30:00.000000+00:00",)]
