"""Connections: the pool, the session settings, and the translation of driver errors.

Nothing from psycopg escapes this adapter: every driver error becomes a library error with a
message that says what to do (``raise ... from error`` keeps the driver's detail).
"""

from __future__ import annotations

import re
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Final, LiteralString, TypeAlias, overload

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool, PoolClosed, PoolTimeout

from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    OrderCancellationError,
    RepositoryCorrupted,
    StorageError,
)

Connection: TypeAlias = psycopg.Connection[TupleRow]
Row: TypeAlias = tuple[Any, ...]
Params: TypeAlias = Sequence[Any]

APPLICATION_NAME: Final = "order-cancellation"
_SCHEMA_NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

# Races PostgreSQL resolves by aborting one side. The aborted side may simply run again.
RETRYABLE: Final = (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)


def check_schema_name(schema: object) -> str:
    if not isinstance(schema, str) or not _SCHEMA_NAME.fullmatch(schema):
        raise ConfigurationError(
            f"the schema name {schema!r} is not allowed: use letters, digits and underscores "
            "(at most 63 characters, not starting with a digit), for example 'shop_orders'."
        )
    if schema.lower().startswith("pg_"):
        raise ConfigurationError(
            f"the schema name {schema!r} starts with 'pg_', which PostgreSQL reserves; "
            "choose another name."
        )
    return schema


def describe(dsn: str) -> str:
    """Where ``dsn`` points, without its password, for error messages."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        # libpq's message quotes the whole DSN, password included: say neither, chain neither.
        raise ConfigurationError(
            "the PostgreSQL DSN is not a valid connection string; use the form "
            "postgresql://user:password@host:port/database (percent-encode special characters)."
        ) from None
    host = parts.get("host") or parts.get("hostaddr") or "localhost"
    port = parts.get("port") or "5432"
    return f"{parts.get('user') or '(default user)'}@{host}:{port}/{parts.get('dbname') or ''}"


@overload
def utc(moment: datetime) -> datetime: ...
@overload
def utc(moment: datetime | None) -> datetime | None: ...
def utc(moment: datetime | None) -> datetime | None:
    """A stored instant as the API returns it: timezone-aware, in UTC."""
    return None if moment is None else moment.astimezone(UTC)


def translate(error: psycopg.Error, doing: str) -> OrderCancellationError:  # noqa: PLR0911
    """The library error that stands for ``error``, raised while ``doing`` something."""
    state = error.sqlstate or "no SQLSTATE"
    if isinstance(error, RETRYABLE):
        return ConcurrencyConflict(
            f"PostgreSQL aborted the transaction while {doing} because it raced with another "
            f"one ({state}: {error}); nothing was written. Reload and try again."
        )
    if isinstance(error, pg_errors.LockNotAvailable):
        return StorageError(
            f"gave up waiting for a lock (lock_timeout) while {doing}: another transaction "
            "holds the row. Nothing was written; try again. If it keeps happening, look for "
            "long transactions in pg_stat_activity or raise lock_timeout."
        )
    if isinstance(error, pg_errors.QueryCanceled):
        return StorageError(
            f"PostgreSQL canceled the statement (statement_timeout) while {doing}. Nothing "
            "was written; try again, or raise statement_timeout if the data set is large."
        )
    if isinstance(error, pg_errors.IdleInTransactionSessionTimeout):
        return StorageError(
            f"PostgreSQL closed a unit of work left idle longer than "
            f"idle_in_transaction_timeout while {doing}; nothing was written. Keep slow work "
            "(payment calls, user input) outside units of work."
        )
    if isinstance(error, pg_errors.InFailedSqlTransaction):
        return StorageError(
            f"an earlier statement of this unit of work failed, so PostgreSQL refuses more "
            f"while {doing}; leave the 'with' block and start a new unit of work."
        )
    if isinstance(error, pg_errors.UndefinedTable | pg_errors.InvalidSchemaName):
        return StorageError(
            f"a table is missing while {doing} ({error}); the schema was changed outside the "
            "library. If the whole schema was dropped, a new PostgresBackend recreates it "
            "(empty); otherwise restore it from a backup."
        )
    if isinstance(error, pg_errors.InsufficientPrivilege):
        return StorageError(
            f"the database user may not do this while {doing} ({error}); grant it USAGE and "
            "CREATE on the schema and SELECT, INSERT, UPDATE, DELETE on its tables."
        )
    if isinstance(error, psycopg.DataError):
        return StorageError(
            f"a value cannot be stored while {doing} ({error}); fix the input: PostgreSQL "
            "text cannot hold NUL characters and numbers must fit in 64 bits."
        )
    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return StorageError(
            f"lost the connection to PostgreSQL while {doing} ({error}). If this was a "
            "commit its outcome is unknown: read the record back (or replay the command with "
            "its idempotency key) before trying again. Check that the server is running."
        )
    return StorageError(f"PostgreSQL failed while {doing} ({state}: {error}).")


def is_retryable(error: BaseException) -> bool:
    return isinstance(error, ConcurrencyConflict) and isinstance(error.__cause__, RETRYABLE)


@contextmanager
def translated(doing: str) -> Iterator[None]:
    try:
        yield
    except psycopg.Error as error:
        raise translate(error, doing) from error


class Statements:
    """SQL templates with the schema filled in, composed once per backend.

    Templates name tables as ``{schema}.orders`` and may hold a ``{columns}`` list given by
    the caller (a constant of this adapter). The schema is quoted as an identifier; values
    are always ``%s`` parameters, never text pasted into the query.
    """

    def __init__(self, schema: str) -> None:
        self._schema = sql.Identifier(schema)
        self._cache: dict[tuple[str, str], sql.Composed] = {}

    def __call__(self, template: LiteralString, columns: LiteralString = "") -> sql.Composed:
        composed = self._cache.get((template, columns))
        if composed is None:
            composed = sql.SQL(template).format(schema=self._schema, columns=sql.SQL(columns))
            self._cache[template, columns] = composed
        return composed


class Session:
    """One unit of work's connection, bound to one shop; every call is translated.

    The connection is there only inside the unit of work's ``with`` block.
    """

    def __init__(self, shop: str, statements: Statements) -> None:
        self.shop = shop
        self._statements = statements
        self._connection: Connection | None = None

    @property
    def connection(self) -> Connection:
        if self._connection is None:
            raise StorageError("a unit of work is used inside its 'with' block only.")
        return self._connection

    @property
    def attached(self) -> bool:
        return self._connection is not None

    def attach(self, connection: Connection) -> None:
        self._connection = connection

    def detach(self) -> Connection | None:
        connection, self._connection = self._connection, None
        return connection

    def rows(
        self, template: LiteralString, params: Params, doing: str, columns: LiteralString = ""
    ) -> list[Row]:
        with translated(doing):
            return self.connection.execute(self._statements(template, columns), params).fetchall()

    def one(
        self, template: LiteralString, params: Params, doing: str, columns: LiteralString = ""
    ) -> Row | None:
        with translated(doing):
            return self.connection.execute(self._statements(template, columns), params).fetchone()

    def run(
        self, template: LiteralString, params: Params, doing: str, columns: LiteralString = ""
    ) -> int:
        """Execute a write; returns how many rows it touched."""
        with translated(doing):
            return self.connection.execute(self._statements(template, columns), params).rowcount

    @contextmanager
    def savepoint(self, name: str, doing: str) -> Iterator[None]:
        """Run a block that can be undone alone, without failing the whole transaction."""
        point = sql.Identifier(name)
        with translated(doing):
            self.connection.execute(sql.SQL("SAVEPOINT {}").format(point))
        try:
            yield
        except BaseException:
            with translated(doing):
                self.connection.execute(sql.SQL("ROLLBACK TO SAVEPOINT {}").format(point))
                self.connection.execute(sql.SQL("RELEASE SAVEPOINT {}").format(point))
            raise
        with translated(doing):
            self.connection.execute(sql.SQL("RELEASE SAVEPOINT {}").format(point))


def corrupted(what: str, detail: str) -> RepositoryCorrupted:
    return RepositoryCorrupted(
        f"{what} is corrupted: {detail}. It was changed outside the library; restore it "
        "from a backup. It is not repaired automatically."
    )


PING_AFTER_IDLE: Final = 1.0  # seconds a pooled connection may rest and be used unpinged


class IdlePings:
    """The pool's check: a quick ping before handing out a connection that rested in the
    pool for :data:`PING_AFTER_IDLE` seconds or more (or was never handed out).

    A connection given back a moment ago was working a moment ago: pinging it too would
    cost a round trip per unit of work for nothing. A server restart is not that quick, so
    a restart still costs a reconnect, not a failed unit of work.
    """

    def __init__(self) -> None:
        self._returned: weakref.WeakKeyDictionary[Connection, float] = weakref.WeakKeyDictionary()

    def returned(self, connection: Connection) -> None:
        self._returned[connection] = time.monotonic()

    def check(self, connection: Connection) -> None:
        returned = self._returned.get(connection)
        if returned is None or time.monotonic() - returned >= PING_AFTER_IDLE:
            ConnectionPool.check_connection(connection)


def open_pool(
    dsn: str,
    *,
    schema: str,
    size: int,
    connect_timeout: float,
    pool_timeout: float,
    session_settings: dict[str, str],
) -> ConnectionPool[Connection]:
    """A pool of ``size`` connections with the session settings applied to each."""
    pings = IdlePings()

    def configure(connection: Connection) -> None:
        # The pool hands out connections idle: apply the settings and commit them.
        for name, value in session_settings.items():
            connection.execute("SELECT set_config(%s, %s, false)", (name, value))
        connection.commit()

    pool: ConnectionPool[Connection] = ConnectionPool(
        dsn,
        kwargs={
            "autocommit": False,
            "connect_timeout": max(1, round(connect_timeout)),
            "application_name": APPLICATION_NAME,
        },
        min_size=size,
        max_size=size,
        open=False,
        configure=configure,
        # A quick ping before a rested connection is handed out: a server restart then
        # costs a reconnect, not a failed unit of work.
        check=pings.check,
        reset=pings.returned,
        name=f"order-cancellation:{schema}",
        timeout=pool_timeout,
    )
    try:
        pool.open(wait=True, timeout=connect_timeout)
    except PoolTimeout as error:
        pool.close()
        raise StorageError(
            f"could not open {size} connections to PostgreSQL at {describe(dsn)} within "
            f"{connect_timeout} s; check that the server is running and accepts this many "
            "more connections (max_connections), or lower pool_size."
        ) from error
    return pool


def checkout(pool: ConnectionPool[Connection], dsn: str) -> Connection:
    try:
        return pool.getconn()
    except PoolTimeout as error:
        raise StorageError(
            f"no connection to PostgreSQL at {describe(dsn)} became free within "
            f"{pool.timeout} s (pool_timeout). Either the server is unreachable (check that "
            "it runs), or every connection is busy: raise pool_size, or look for units of "
            "work left open (each holds a connection until its 'with' block ends)."
        ) from error
    except PoolClosed as error:
        raise StorageError(
            "this PostgresBackend was closed; open a new one to use the database."
        ) from error


def connect_error(dsn: str, error: psycopg.Error) -> StorageError:
    return StorageError(
        f"cannot connect to PostgreSQL at {describe(dsn)} ({error}). Check that the server "
        "is running and reachable, and the DSN's host, port, database, user and password "
        "(and pg_hba.conf)."
    )
