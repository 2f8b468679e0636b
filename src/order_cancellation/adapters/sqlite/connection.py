"""Opening SQLite connections the one safe way, and translating the driver's errors.

Every connection runs in SQLite's own autocommit mode (``isolation_level=None``) so that the
library, not the driver, decides where a transaction begins: always with ``BEGIN IMMEDIATE``.
A cancel reads the order and then writes it; a DEFERRED transaction that has read and then
tries to write while another connection has written fails at once with SQLITE_BUSY, without
waiting for ``busy_timeout``. IMMEDIATE takes the write lock up front, so it waits instead.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import Final, Protocol

import attrs

from order_cancellation.domain.errors import RepositoryCorrupted, StorageError

SYNCHRONOUS_LEVELS: Final = {
    # A fixed statement per accepted value: pragmas take no parameters, and no text from a
    # caller ever becomes SQL.
    "FULL": "PRAGMA synchronous = FULL",
    "NORMAL": "PRAGMA synchronous = NORMAL",
}
_SYNCHRONOUS_NAMES: Final = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
_LOCKED_MARKERS: Final = ("database is locked", "database table is locked", "busy")
_CORRUPT_MARKERS: Final = ("malformed", "not a database", "corrupt")
_UNIQUE_MARKERS: Final = ("UNIQUE constraint failed", "PRIMARY KEY constraint failed")
_FIRST_PAUSE: Final = 0.0005  # seconds
_LAST_PAUSE: Final = 0.004


@attrs.frozen(kw_only=True)
class SQLitePragmas:
    """The settings a live connection reports (a pragma can be silently ignored, so the
    values are read back rather than assumed)."""

    journal_mode: str  # "wal"
    synchronous: str  # "FULL" (default) or "NORMAL"
    busy_timeout: int  # milliseconds
    foreign_keys: bool


class PollingConnection(sqlite3.Connection):
    """A connection that remembers whether SQLite's own busy handler is switched off.

    :func:`begin_immediate` waits for the write lock by polling, with the handler off; it
    switches it off once per connection rather than off and on again around every
    ``BEGIN`` (two statements per transaction). Inside a write transaction of a WAL
    database no statement waits for a lock, so the handler is only needed again outside
    one: :func:`restore_busy_handler` puts it back before such a use.
    """

    busy_handler_off = False


def open_connection(path: str, *, busy_timeout: float, synchronous: str) -> sqlite3.Connection:
    """A connection with WAL, the given durability and lock wait, and foreign keys on."""
    try:
        # check_same_thread=False: a connection moves between threads through the backend's
        # pool (never used by two at once) and close() may run in any thread.
        connection = sqlite3.connect(
            path,
            timeout=busy_timeout,
            isolation_level=None,
            check_same_thread=False,
            factory=PollingConnection,
        )
    except sqlite3.Error as error:
        raise StorageError(
            f"cannot open the SQLite database {path!r} ({error}); check that its folder "
            "exists and is writable."
        ) from error
    try:
        mode = _set_wal(connection, deadline=time.monotonic() + busy_timeout)
        # SQLite keeps the old mode only for a temporary or in-memory database or a VFS
        # without shared memory: the path checks refuse the first two and the default VFS
        # has shared memory, so no file a test can make gets here.
        if mode != "wal":  # pragma: no cover
            raise StorageError(
                f"SQLite refused WAL mode for {path!r} (it reports {mode!r}); keep the file on "
                "a local disk (WAL does not work on network file systems)."
            )
        connection.execute(SYNCHRONOUS_LEVELS[synchronous])
        connection.execute("PRAGMA foreign_keys = ON")
    except BaseException as error:
        connection.close()
        if isinstance(error, sqlite3.Error):
            raise translate(error, path=path, doing="opening the database") from error
        raise
    return connection


def _set_wal(connection: sqlite3.Connection, *, deadline: float) -> str:
    # Switching a fresh file to WAL needs a moment of exclusive access; when several
    # processes open a new file together one of them may find it taken. Wait like the
    # busy handler would rather than fail the open.
    while True:
        try:
            row = connection.execute("PRAGMA journal_mode = WAL").fetchone()
            return str(row[0]).lower()
        except sqlite3.OperationalError as error:
            if not _is_locked(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def begin_immediate(connection: sqlite3.Connection, *, timeout: float) -> None:
    """``BEGIN IMMEDIATE``, waiting up to ``timeout`` seconds for another process's writer.

    SQLite's own busy handler sleeps in steps that grow to 100 ms. Against writers that come
    back every millisecond, a process asleep for 100 ms keeps missing its turn and can fail
    after ``busy_timeout`` while the lock was free most of the time. Polling in short
    random steps keeps every process in the race; the handler stays set for every other
    statement outside a transaction (``pragmas()``: see :class:`PollingConnection`), so
    only this one wait is ours.
    """
    deadline = time.monotonic() + timeout
    polling = connection if isinstance(connection, PollingConnection) else None
    if polling is None or not polling.busy_handler_off:
        connection.execute("PRAGMA busy_timeout = 0")
        if polling is not None:
            polling.busy_handler_off = True
    try:
        pause = _FIRST_PAUSE
        while True:
            try:
                connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if not _is_locked(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(random.uniform(0, pause))  # noqa: S311 - jitter, not cryptography
            pause = min(pause * 2, _LAST_PAUSE)
    finally:
        if polling is None:
            restore_busy_handler(connection, timeout=timeout)


def restore_busy_handler(connection: sqlite3.Connection, *, timeout: float) -> None:
    """Let SQLite's busy handler wait up to ``timeout`` seconds again (outside a transaction)."""
    # A whole number of milliseconds, computed here: no caller text reaches the SQL.
    connection.execute(f"PRAGMA busy_timeout = {round(timeout * 1000):d}")
    if isinstance(connection, PollingConnection):
        connection.busy_handler_off = False


def read_pragmas(connection: sqlite3.Connection) -> SQLitePragmas:
    def value(name: str) -> object:
        # The names are this function's own constants.
        return connection.execute(f"PRAGMA {name}").fetchone()[0]

    synchronous = value("synchronous")
    return SQLitePragmas(
        journal_mode=str(value("journal_mode")).lower(),
        synchronous=_SYNCHRONOUS_NAMES.get(int(str(synchronous)), str(synchronous)),
        busy_timeout=int(str(value("busy_timeout"))),
        foreign_keys=bool(value("foreign_keys")),
    )


def is_unique_violation(error: sqlite3.Error) -> bool:
    return isinstance(error, sqlite3.IntegrityError) and str(error).startswith(_UNIQUE_MARKERS)


def _is_locked(error: sqlite3.Error) -> bool:
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and any(
        marker in text for marker in _LOCKED_MARKERS
    )


def translate(error: sqlite3.Error, *, path: str, doing: str) -> StorageError:
    """The library's error for a driver error; the caller raises it ``from error``."""
    text = str(error)
    if _is_locked(error):
        return StorageError(
            f"the SQLite database {path!r} stayed locked by another writer for longer than "
            f"busy_timeout while {doing}; nothing was written. Retry; if it keeps happening, "
            "look for a long-running transaction or raise busy_timeout."
        )
    if any(marker in text.lower() for marker in _CORRUPT_MARKERS):
        return RepositoryCorrupted(
            f"the SQLite database {path!r} is damaged ({text}) while {doing}; run "
            "PRAGMA integrity_check and restore it from a backup."
        )
    if isinstance(error, sqlite3.IntegrityError):
        return StorageError(
            f"the change breaks a rule of the SQLite schema ({text}) while {doing}; nothing "
            "was written. A refund order must belong to an order of the same shop; anything "
            "else is a bug worth reporting."
        )
    return StorageError(
        f"SQLite failed while {doing} ({type(error).__name__}: {text}); nothing was written. "
        f"Check that {path!r} is on a local disk with free space and is writable, then retry."
    )


class WriterLock:
    """One writer at a time per database file within this process.

    SQLite admits one writer per file; threads of one process queue here instead of
    polling SQLite's busy handler, which sleeps in steps and starves under contention.
    Other processes still meet at SQLite's own lock, after ``busy_timeout``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    def acquire(self, timeout: float, *, path: str) -> None:
        if self._owner == threading.get_ident():
            raise StorageError(
                f"a unit of work on {path!r} is already open in this thread; finish it before "
                "opening another (SQLite has one writer at a time, so the inner one would "
                "wait forever)."
            )
        if not self._lock.acquire(timeout=max(timeout, 0.0)):
            raise StorageError(
                f"another thread of this process held the SQLite database {path!r} for longer "
                "than busy_timeout; nothing was written. Retry; if it keeps happening, look "
                "for a long-running unit of work or raise busy_timeout."
            )
        self._owner = threading.get_ident()

    def release(self) -> None:
        self._owner = None
        self._lock.release()


_writer_locks: dict[str, WriterLock] = {}
_writer_locks_guard = threading.Lock()


def writer_lock(real_path: str) -> WriterLock:
    """The process-wide writer lock of one file (shared by every backend opened on it)."""
    with _writer_locks_guard:
        lock = _writer_locks.get(real_path)
        if lock is None:
            lock = _writer_locks[real_path] = WriterLock()
        return lock


class Statements(Protocol):
    """Runs statements in one unit of work's transaction; repositories see only this."""

    def run(
        self, sql: str, params: Sequence[object] = (), *, conflict: str | None = None
    ) -> sqlite3.Cursor:
        """Execute ``sql``; a uniqueness violation raises ConcurrencyConflict(``conflict``)
        when a message is given, any other driver error a StorageError."""
        ...
