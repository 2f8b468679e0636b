"""The SQLite backend: one database file shared by any number of shops, threads and processes.

Connections come from a small pool, each opened with WAL, the chosen ``synchronous`` level,
``busy_timeout`` and foreign keys on. Within a process, units of work on one file take turns
through a writer lock; between processes SQLite's own lock decides, waiting up to
``busy_timeout``. The schema is brought up to date when the backend opens.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable
from os import PathLike
from types import TracebackType
from typing import Final, Self

from order_cancellation.adapters.sql.records import shops
from order_cancellation.adapters.sqlite.connection import (
    SYNCHRONOUS_LEVELS,
    SQLitePragmas,
    begin_immediate,
    open_connection,
    read_pragmas,
    restore_busy_handler,
    translate,
    writer_lock,
)
from order_cancellation.adapters.sqlite.dialect import SQLITE, SQLiteRunner
from order_cancellation.adapters.sqlite.migrations import migrate
from order_cancellation.adapters.sqlite.unit_of_work import SQLiteUnitOfWork
from order_cancellation.domain.errors import InvalidInput, StorageError

DEFAULT_BUSY_TIMEOUT: Final = 5.0
MAX_BUSY_TIMEOUT: Final = 86_400.0
"""The longest busy_timeout accepted, in seconds (a day); SQLite counts it in int milliseconds."""
_MAX_IDLE_CONNECTIONS: Final = 4


class SQLiteBackend:
    """A store in one SQLite file.

    ``busy_timeout`` (seconds, default 5) is how long a unit of work waits for another
    writer before it fails with :class:`StorageError`; ``synchronous`` is ``"FULL"``
    (default: a commit survives a power cut) or ``"NORMAL"`` (faster; in WAL mode the last
    commits may be lost on power loss, never on a crash of the process). Close it with
    :meth:`close` (or use it as a context manager); it is also closed when collected.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        synchronous: str = "FULL",
    ) -> None:
        self.path = _check_path(path)
        self.busy_timeout = _check_timeout(busy_timeout)
        self.synchronous = _check_synchronous(synchronous)
        self._pool = _Pool(
            functools.partial(
                open_connection,
                self.path,
                busy_timeout=self.busy_timeout,
                synchronous=self.synchronous,
            )
        )
        self._close = weakref.finalize(self, self._pool.close)
        self._writer = writer_lock(os.path.realpath(self.path))
        self.schema_version = self._migrate()

    # -- public API --------------------------------------------------------------------------

    def unit_of_work(self, shop: str) -> SQLiteUnitOfWork:
        return SQLiteUnitOfWork(self, shop)

    def pragmas(self) -> SQLitePragmas:
        """The settings as the live connection reports them."""
        connection = self._pool.acquire()
        try:
            restore_busy_handler(connection, timeout=self.busy_timeout)
            return read_pragmas(connection)
        # Not covered: reading settings back does no I/O on a connection that is open, so
        # SQLite has nothing to fail on; kept so that no driver error can escape.
        except sqlite3.Error as error:  # pragma: no cover
            raise translate(error, path=self.path, doing="reading pragmas") from error
        finally:
            self._pool.release(connection)

    def shops(self) -> list[str]:
        """The shops that hold any orders, stock, labels or webhook endpoints here."""
        with self.unit_of_work("") as uow:
            return shops(SQLiteRunner(uow), SQLITE)

    def close(self) -> None:
        """Close every connection. Call it when no unit of work is running."""
        self._close()

    @property
    def closed(self) -> bool:
        return not self._close.alive

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteBackend({self.path!r}, synchronous={self.synchronous!r})"

    # -- for the unit of work ----------------------------------------------------------------

    def _begin(self) -> sqlite3.Connection:
        """Take the write lock and a connection, and begin the transaction."""
        self._writer.acquire(self.busy_timeout, path=self.path)
        try:
            connection = self._pool.acquire()
            try:
                begin_immediate(connection, timeout=self.busy_timeout)
            except sqlite3.Error as error:
                self._pool.release(connection)
                raise translate(error, path=self.path, doing="beginning a transaction") from error
        except BaseException:
            self._writer.release()
            raise
        return connection

    def _end(self, connection: sqlite3.Connection) -> None:
        """Roll back what was not committed, give the connection back, release the lock."""
        try:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        except sqlite3.Error:
            self._pool.discard(connection)  # closing it rolls back for sure
        else:
            self._pool.release(connection)
        finally:
            self._writer.release()

    def _migrate(self) -> int:
        self._writer.acquire(self.busy_timeout, path=self.path)
        try:
            connection = self._pool.acquire()
            try:
                version = migrate(connection, path=self.path, timeout=self.busy_timeout)
            except BaseException as error:
                self._pool.discard(connection)
                if isinstance(error, sqlite3.Error):
                    raise translate(
                        error, path=self.path, doing="applying schema migrations"
                    ) from error
                raise
            self._pool.release(connection)
            return version
        finally:
            self._writer.release()


class _Pool:
    """Idle connections to reuse; it holds no reference to the backend, so a backend that
    is dropped without close() is still collected and its connections closed."""

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._closed = False

    def acquire(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise StorageError("this SQLite backend is closed; open a new one.")
            if self._idle:
                return self._idle.pop()
        return self._connect()

    def release(self, connection: sqlite3.Connection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < _MAX_IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def discard(self, connection: sqlite3.Connection) -> None:
        # Closing is best effort: the connection is dropped either way.
        with contextlib.suppress(sqlite3.Error):
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()


def _check_path(path: str | PathLike[str]) -> str:
    text = os.fspath(path) if isinstance(path, str | PathLike) else None
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"an SQLite database is a file path, got {path!r}.")
    if "\x00" in text:
        raise InvalidInput(
            "an SQLite database path cannot contain a NUL character; check where the path "
            "came from and pass a plain file name."
        )
    if text == ":memory:" or text.startswith("file:"):
        raise InvalidInput(
            "the SQLite backend needs a file on a local disk (WAL mode); for a store in "
            "memory use Sales.in_memory()."
        )
    return text


def _check_timeout(busy_timeout: float) -> float:
    if (
        isinstance(busy_timeout, bool)
        or not isinstance(busy_timeout, int | float)
        or not 0 <= busy_timeout <= MAX_BUSY_TIMEOUT
    ):
        raise InvalidInput(
            f"busy_timeout is a number of seconds from 0 to {MAX_BUSY_TIMEOUT:,.0f} "
            f"(default 5), got {busy_timeout!r:.40}."
        )
    return float(busy_timeout)


def _check_synchronous(synchronous: str) -> str:
    level = synchronous.upper() if isinstance(synchronous, str) else None
    if level not in SYNCHRONOUS_LEVELS:
        raise InvalidInput(
            f"synchronous is 'FULL' (default, survives power loss) or 'NORMAL' (faster), got "
            f"{synchronous!r}."
        )
    return level
