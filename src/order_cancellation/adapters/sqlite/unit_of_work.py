"""A unit of work: one ``BEGIN IMMEDIATE`` transaction over one shop's rows.

Entering takes the file's write lock (see :class:`.connection.WriterLock` and SQLite's own)
and begins the transaction; leaving rolls back whatever was not committed. As in the
in-memory store, the unit of work may go on after :meth:`commit`: the next statement opens
a new transaction, which again needs a commit of its own.

A uniqueness violation is a :class:`ConcurrencyConflict` and leaves the transaction as it
was (SQLite undoes only the statement). Any other driver error rolls the transaction back at
once and marks the unit of work failed, so nothing is half-written even if a caller catches
the :class:`StorageError` and tries to commit.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

from order_cancellation.adapters.sql.queries import SQLQueries
from order_cancellation.adapters.sql.records import (
    SQLIdempotencyKeys,
    SQLOrders,
    SQLRefundOrders,
    SQLStatusLabels,
)
from order_cancellation.adapters.sql.webhooks import SQLWebhookEndpoints
from order_cancellation.adapters.sqlite.connection import (
    begin_immediate,
    is_unique_violation,
    translate,
)
from order_cancellation.adapters.sqlite.dialect import SQLITE, SQLiteRunner
from order_cancellation.adapters.sqlite.outbox import SQLiteOutbox
from order_cancellation.adapters.sqlite.stock import SQLiteStock
from order_cancellation.adapters.sqlite.tokens import SQLiteApiTokens
from order_cancellation.domain.errors import ConcurrencyConflict, StorageError

if TYPE_CHECKING:
    from order_cancellation.adapters.sqlite.backend import SQLiteBackend


class SQLiteUnitOfWork:
    def __init__(self, backend: SQLiteBackend, shop: str) -> None:
        self._backend = backend
        self.shop = shop
        self._connection: sqlite3.Connection | None = None
        self._entered = False
        self._failed: StorageError | None = None
        runner = SQLiteRunner(self)
        self.orders = SQLOrders(runner, SQLITE, shop)
        self.refunds = SQLRefundOrders(runner, SQLITE, shop)
        self.labels = SQLStatusLabels(runner, SQLITE, shop)
        self.idempotency = SQLIdempotencyKeys(runner, SQLITE, shop)
        self.outbox = SQLiteOutbox(self, shop)
        self.stock = SQLiteStock(runner, SQLITE, shop)
        self.queries = SQLQueries(runner, SQLITE, shop)
        self.webhooks = SQLWebhookEndpoints(runner, SQLITE, shop)
        self.api_tokens = SQLiteApiTokens(self, shop)

    def __enter__(self) -> Self:
        if self._entered:
            raise StorageError("a unit of work is used for one 'with' block; open a new one.")
        self._entered = True
        self._connection = self._backend._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            self._backend._end(connection)

    def commit(self) -> None:
        connection = self._active()
        if not connection.in_transaction:
            return  # nothing was done since the last commit
        try:
            connection.execute("COMMIT")
        except sqlite3.Error as error:
            raise self._fail(connection, error, "committing") from error

    def rollback(self) -> None:
        connection = self._connection
        if connection is None or not connection.in_transaction:
            return
        try:
            connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise self._fail(connection, error, "rolling back") from error

    def run(
        self,
        sql: str,
        params: Sequence[object] = (),
        *,
        conflict: str | None = None,
        doing: str | None = None,
    ) -> sqlite3.Cursor:
        """Execute one statement in this unit of work's transaction (see the module doc);
        ``doing`` says what it was for in the error a driver error becomes."""
        connection = self._active()
        try:
            if not connection.in_transaction:
                begin_immediate(connection, timeout=self._backend.busy_timeout)
            return connection.execute(sql, params)
        except sqlite3.Error as error:
            if conflict is not None and is_unique_violation(error):
                raise ConcurrencyConflict(conflict) from error
            if doing is None:
                statement = " ".join(sql.split()[:4])  # the SQL text only, never a parameter
                doing = f"running {statement} ..."
            raise self._fail(connection, error, doing) from error

    def _active(self) -> sqlite3.Connection:
        if self._failed is not None:
            raise StorageError(
                f"this unit of work failed earlier and was rolled back ({self._failed}); "
                "open a new one and do the work again."
            )
        if self._connection is None:
            raise StorageError("a unit of work is used inside its 'with' block only.")
        return self._connection

    def _fail(
        self, connection: sqlite3.Connection, error: sqlite3.Error, doing: str
    ) -> StorageError:
        # If even the rollback fails, the backend discards the connection at exit.
        with contextlib.suppress(sqlite3.Error):
            if connection.in_transaction:
                connection.execute("ROLLBACK")
        self._failed = translate(error, path=self._backend.path, doing=doing)
        return self._failed
