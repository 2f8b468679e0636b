"""The SQLite backend at its edges: files that are not ours or are busy while opening, a
migration cut short, a backend closed under a running unit of work, rollbacks that fail,
the unit of work used the unusual way round, and column values no release ever wrote."""

from __future__ import annotations

import _thread
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from order_cancellation import InvalidInput, RepositoryCorrupted, StorageError
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.adapters.sqlite.connection import open_connection
from order_cancellation.ports.persistence import IdempotencyRecord, MessageStatus
from order_cancellation.testing.contracts import SHOP, T0, sample_message, sample_order


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def backend(path: Path) -> Iterator[SQLiteBackend]:
    with SQLiteBackend(path, busy_timeout=0.3) as opened:
        yield opened


def _sql(path: Path, statement: str, *params: object) -> None:
    """Change the file behind the library's back, as a hand edit or a bad tool would."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(statement, params)
    finally:
        connection.close()


def _tables(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(str(row[0]) for row in rows)
    finally:
        connection.close()


def _refuse_rollback(action: int, arg1: str | None, *_: object) -> int:
    # What a connection whose ROLLBACK fails looks like to the adapter (SQLite fails one only
    # on I/O errors); closing the connection still rolls back.
    return sqlite3.SQLITE_DENY if arg1 == "ROLLBACK" else sqlite3.SQLITE_OK


# -- opening -------------------------------------------------------------------------------------


def test_the_repr_names_the_file_and_the_sync_level(path: Path) -> None:
    with SQLiteBackend(path, synchronous="normal") as backend:
        assert repr(backend) == f"SQLiteBackend({str(path)!r}, synchronous='NORMAL')"


def _new_file_held_by_a_writer(path: Path) -> sqlite3.Connection:
    """A file in SQLite's default journal mode with another process's write lock on it."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE notes (text TEXT)")
    other.execute("BEGIN IMMEDIATE")
    return other


def test_opening_a_file_another_writer_holds_waits_for_it_to_switch_to_wal(path: Path) -> None:
    other = _new_file_held_by_a_writer(path)
    releaser = threading.Timer(0.2, other.execute, ("ROLLBACK",))
    releaser.start()
    try:
        with SQLiteBackend(path, busy_timeout=5) as backend:
            assert backend.pragmas().journal_mode == "wal"
    finally:
        releaser.join()
        other.close()


def test_opening_a_file_another_writer_holds_past_busy_timeout_is_a_storage_error(
    path: Path,
) -> None:
    other = _new_file_held_by_a_writer(path)
    try:
        with pytest.raises(StorageError, match=r"locked by another writer.*opening"):
            SQLiteBackend(path, busy_timeout=0.2)
    finally:
        other.close()
    assert _tables(path) == ["notes"]


def test_ctrl_c_while_opening_waits_for_another_writer_stops_the_open_unchanged(
    path: Path,
) -> None:
    other = _new_file_held_by_a_writer(path)
    interrupter = threading.Timer(0.2, _thread.interrupt_main)
    interrupter.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            SQLiteBackend(path, busy_timeout=5)
    finally:
        interrupter.join()
        other.close()
    assert _tables(path) == ["notes"]


def test_a_file_of_another_application_is_refused_and_left_as_it_was(path: Path) -> None:
    _sql(path, "CREATE TABLE orders (number INTEGER, customer TEXT)")
    _sql(path, "INSERT INTO orders VALUES (1, 'ada')")
    with pytest.raises(StorageError, match=r"applying schema migrations.*orders already exists"):
        SQLiteBackend(path)
    assert _tables(path) == ["orders"]


def test_a_migration_cut_short_leaves_the_file_empty_and_the_next_open_migrates_it(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def open_and_interrupt_the_migration_record(
        path: str, *, busy_timeout: float, synchronous: str
    ) -> sqlite3.Connection:
        # Interrupting a write inside a transaction makes SQLite roll the whole transaction
        # back at once, as an I/O error would.
        connection = open_connection(path, busy_timeout=busy_timeout, synchronous=synchronous)
        recording: list[bool] = []

        def authorize(action: int, arg1: str | None, *_: object) -> int:
            if action == sqlite3.SQLITE_INSERT and arg1 == "schema_migrations":
                recording.append(True)
            return sqlite3.SQLITE_OK

        connection.set_authorizer(authorize)
        connection.set_progress_handler(lambda: bool(recording), 1)
        return connection

    monkeypatch.setattr(
        "order_cancellation.adapters.sqlite.backend.open_connection",
        open_and_interrupt_the_migration_record,
    )
    with pytest.raises(StorageError, match=r"applying schema migrations.*interrupted"):
        SQLiteBackend(path)
    assert _tables(path) == []
    monkeypatch.undo()
    with SQLiteBackend(path) as backend:
        assert backend.schema_version > 0


# -- closing and the unit of work ----------------------------------------------------------------


def test_closing_the_backend_under_a_running_unit_of_work_lets_it_finish(path: Path) -> None:
    backend = SQLiteBackend(path)
    with backend.unit_of_work(SHOP) as uow:
        backend.close()
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
    with pytest.raises(StorageError, match="closed"), backend.unit_of_work(SHOP):
        pass
    with SQLiteBackend(path) as reopened, reopened.unit_of_work(SHOP) as uow:
        assert uow.stock.level("SKU-1") == 3


def test_a_unit_of_work_is_entered_once(backend: SQLiteBackend) -> None:
    uow = backend.unit_of_work(SHOP)
    with uow, pytest.raises(StorageError, match="one 'with' block"):
        uow.__enter__()


def test_leaving_a_unit_of_work_twice_does_not_release_the_writer_lock_twice(
    backend: SQLiteBackend,
) -> None:
    uow = backend.unit_of_work(SHOP)
    uow.__enter__()
    uow.__exit__(None, None, None)
    uow.__exit__(None, None, None)
    with backend.unit_of_work(SHOP) as next_one:
        next_one.stock.set_level("SKU-1", 1)
        next_one.commit()


def test_a_commit_with_nothing_new_to_commit_is_harmless(backend: SQLiteBackend) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.commit()
        uow.stock.set_level("SKU-1", 2)
        uow.commit()
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.level("SKU-1") == 2


def test_rolling_back_inside_the_block_undoes_what_was_not_committed(
    backend: SQLiteBackend,
) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
        uow.stock.set_level("SKU-1", 9)
        uow.rollback()
        assert uow.stock.level("SKU-1") == 3
        uow.rollback()  # nothing left to undo
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.level("SKU-1") == 3


def test_rolling_back_outside_the_block_does_nothing(backend: SQLiteBackend) -> None:
    uow = backend.unit_of_work(SHOP)
    uow.rollback()
    with uow:
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
    uow.rollback()
    with backend.unit_of_work(SHOP) as reader:
        assert reader.stock.level("SKU-1") == 3


def test_a_rollback_that_fails_fails_the_unit_of_work_and_its_connection_is_dropped(
    backend: SQLiteBackend,
) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 3)
        assert uow._connection is not None
        uow._connection.set_authorizer(_refuse_rollback)
        with pytest.raises(StorageError, match="rolling back"):
            uow.rollback()
        with pytest.raises(StorageError, match="failed earlier"):
            uow.commit()
    # The connection that could not roll back was closed (which rolls back), not reused.
    for _ in range(3):
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.levels() == {}
            uow.stock.set_level("SKU-2", 1)


def test_after_a_commit_a_statement_that_cannot_get_the_lock_fails_the_unit_of_work(
    backend: SQLiteBackend, path: Path
) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    try:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 1)
            uow.commit()
            other.execute("BEGIN IMMEDIATE")  # another process writes now
            with pytest.raises(StorageError, match="locked by another writer"):
                uow.stock.set_level("SKU-1", 2)
            other.execute("ROLLBACK")
            with pytest.raises(StorageError, match="failed earlier"):
                uow.stock.level("SKU-1")
    finally:
        other.close()
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.level("SKU-1") == 1


# -- the outbox ----------------------------------------------------------------------------------


def test_completing_a_message_the_shop_does_not_have_is_a_storage_error(
    backend: SQLiteBackend,
) -> None:
    with (
        backend.unit_of_work(SHOP) as uow,
        pytest.raises(StorageError, match="no outbox message 'm-9' in this shop"),
    ):
        uow.outbox.complete("m-9")


def test_reviving_a_delivered_message_leaves_it_delivered(backend: SQLiteBackend) -> None:
    message = sample_message("m-1")
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([message])
        uow.outbox.complete("m-1")
        uow.outbox.revive("m-1", now=message.available_at + timedelta(hours=1))
        revived = uow.outbox.get("m-1")
    assert (revived.status, revived.available_at) == (MessageStatus.DONE, message.available_at)


# -- values no release ever wrote ----------------------------------------------------------------


def test_a_naive_datetime_is_refused_before_it_reaches_the_file(backend: SQLiteBackend) -> None:
    with (
        backend.unit_of_work(SHOP) as uow,
        pytest.raises(InvalidInput, match="timezone-aware"),
    ):
        uow.orders.placed_between(datetime(2026, 3, 1), datetime(2026, 3, 2))


def _stored_key(backend: SQLiteBackend) -> None:
    record = IdempotencyRecord(key="k-1", fingerprint="f", result_id="o-1", created_at=T0)
    with backend.unit_of_work(SHOP) as uow:
        uow.idempotency.add(record)
        uow.commit()


@pytest.mark.parametrize(
    ("statement", "detail"),
    [
        ("UPDATE idempotency_keys SET fingerprint = X'00'", "fingerprint or result is not text"),
        ("UPDATE idempotency_keys SET created_at = X'00'", "expected text, got bytes"),
        ("UPDATE idempotency_keys SET created_at = '2026-03-02T10:00:00'", "no timezone"),
    ],
    ids=["fingerprint as bytes", "time as bytes", "time without zone"],
)
def test_an_idempotency_key_changed_by_hand_is_reported_as_corrupted(
    backend: SQLiteBackend, path: Path, statement: str, detail: str
) -> None:
    _stored_key(backend)
    _sql(path, statement)
    with (
        backend.unit_of_work(SHOP) as uow,
        pytest.raises(RepositoryCorrupted, match=f"idempotency key 'k-1'.*{detail}"),
    ):
        uow.idempotency.get("k-1")


def test_an_order_record_stored_as_bytes_is_reported_as_corrupted(
    backend: SQLiteBackend, path: Path
) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.orders.add(sample_order())
        uow.commit()
    _sql(path, "UPDATE orders SET data = CAST(data AS BLOB)")
    with (
        backend.unit_of_work(SHOP) as uow,
        pytest.raises(RepositoryCorrupted, match=r"order 'o-1'.*its record is bytes"),
    ):
        uow.orders.get("o-1")


def test_an_outbox_message_whose_attempts_are_not_a_number_is_reported_as_corrupted(
    backend: SQLiteBackend, path: Path
) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([sample_message("m-1")])
        uow.commit()
    _sql(path, "UPDATE outbox SET attempts = 'twice'")
    with (
        backend.unit_of_work(SHOP) as uow,
        pytest.raises(RepositoryCorrupted, match=r"outbox message 'm-1'.*attempts not a number"),
    ):
        uow.outbox.pending()


def test_a_stock_level_that_is_not_a_whole_number_is_reported_as_corrupted(
    backend: SQLiteBackend, path: Path
) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
    _sql(path, "UPDATE stock_levels SET level = 2.5")
    with (
        backend.unit_of_work(SHOP) as uow,
        pytest.raises(RepositoryCorrupted, match=r"stock level of 'SKU-1'.*2.5"),
    ):
        uow.stock.level("SKU-1")
