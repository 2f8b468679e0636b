"""The PostgreSQL backend: one schema shared by many shops, processes and machines."""

from __future__ import annotations

from types import TracebackType
from typing import Final, Self

from psycopg_pool import ConnectionPool

from order_cancellation.adapters.postgres.connection import (
    Connection,
    Statements,
    check_schema_name,
    checkout,
    describe,
    open_pool,
)
from order_cancellation.adapters.postgres.dialect import POSTGRES
from order_cancellation.adapters.postgres.migrations import migrate
from order_cancellation.adapters.postgres.unit_of_work import PostgresUnitOfWork
from order_cancellation.adapters.sql.records import shops
from order_cancellation.domain.errors import InvalidOption


class PostgresBackend:
    """Orders, refund orders, stock and the outbox of any number of shops in one schema.

    Opening creates the schema if it is missing and applies the library's migrations (under
    an advisory lock, so many processes may open at once), then opens a pool of
    ``pool_size`` connections. Each unit of work is one READ COMMITTED transaction on one
    pooled connection. Call :meth:`close` (or use ``with``) to close the pool.

    ``lock_timeout`` bounds how long a statement waits for a row another transaction holds
    (then :class:`StorageError`); ``statement_timeout`` bounds any statement (None: no
    limit); ``idle_in_transaction_timeout`` lets PostgreSQL end a unit of work left open
    and idle; ``connect_timeout`` bounds opening; ``pool_timeout`` bounds the wait for a
    free connection. All are in seconds.
    """

    def __init__(
        self,
        dsn: str,
        *,
        schema: str = "order_cancellation",
        pool_size: int = 4,
        lock_timeout: float = 5.0,
        statement_timeout: float | None = 30.0,
        connect_timeout: float = 5.0,
        idle_in_transaction_timeout: float | None = 60.0,
        pool_timeout: float = 30.0,
    ) -> None:
        self.schema = check_schema_name(schema)
        if type(pool_size) is not int or pool_size < 1:
            raise InvalidOption(f"pool_size is a whole number of 1 or more, not {pool_size!r:.40}.")
        settings = {
            "lock_timeout": _milliseconds("lock_timeout", lock_timeout),
            "statement_timeout": _milliseconds("statement_timeout", statement_timeout),
            "idle_in_transaction_session_timeout": _milliseconds(
                "idle_in_transaction_timeout", idle_in_transaction_timeout
            ),
            "default_transaction_isolation": "read committed",
            # Datetimes come back in UTC whatever the server's or role's time zone is.
            "TimeZone": "UTC",
        }
        _check_seconds("connect_timeout", connect_timeout)
        _check_seconds("pool_timeout", pool_timeout)
        self._where = describe(dsn)
        self.migrations_applied = migrate(dsn, self.schema, connect_timeout=connect_timeout)
        self._statements = Statements(self.schema)
        self._dsn = dsn
        self._pool: ConnectionPool[Connection] = open_pool(
            dsn,
            schema=self.schema,
            size=pool_size,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
            session_settings=settings,
        )

    def unit_of_work(self, shop: str) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self, shop)

    def shops(self) -> list[str]:
        """The shops that hold any orders, stock, labels or webhook endpoints here."""
        with self.unit_of_work("") as uow:
            return shops(uow._session, POSTGRES)

    def close(self) -> None:
        """Close every connection; units of work still open lose theirs. Idempotent."""
        self._pool.close()

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
        return f"PostgresBackend({self._where!r}, schema={self.schema!r})"

    def _checkout(self) -> Connection:
        return checkout(self._pool, self._dsn)

    def _checkin(self, connection: Connection) -> None:
        self._pool.putconn(connection)


MAX_TIMEOUT: Final = 86_400.0
"""The longest timeout accepted, in seconds (a day): PostgreSQL's own limit is about 24
days of milliseconds, and no wait of a library call should come near it."""


def _check_seconds(name: str, seconds: object) -> float:
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 < seconds <= MAX_TIMEOUT
    ):
        raise InvalidOption(
            f"{name} is a number of seconds above zero and at most {MAX_TIMEOUT:,.0f}, "
            f"not {seconds!r:.40}."
        )
    return seconds


def _milliseconds(name: str, seconds: float | None) -> str:
    """A timeout as PostgreSQL's setting text; None (no limit) is 0."""
    if seconds is None:
        return "0"
    return f"{max(1, round(_check_seconds(name, seconds) * 1000))}ms"
