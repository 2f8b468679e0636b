"""A unit of work: one READ COMMITTED transaction on one pooled connection, for one shop."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from psycopg.pq import TransactionStatus

from order_cancellation.adapters.postgres.connection import Session, translated
from order_cancellation.adapters.postgres.dialect import POSTGRES
from order_cancellation.adapters.postgres.outbox import PostgresOutbox
from order_cancellation.adapters.postgres.stock import PostgresStock
from order_cancellation.adapters.postgres.tokens import PostgresApiTokens
from order_cancellation.adapters.sql.queries import SQLQueries
from order_cancellation.adapters.sql.records import (
    SQLIdempotencyKeys,
    SQLOrders,
    SQLRefundOrders,
    SQLStatusLabels,
)
from order_cancellation.adapters.sql.webhooks import SQLWebhookEndpoints
from order_cancellation.domain.errors import StorageError

if TYPE_CHECKING:
    from order_cancellation.adapters.postgres.backend import PostgresBackend


class PostgresUnitOfWork:
    """The connection is taken from the pool on ``with`` and given back on exit. Leaving
    the block rolls back whatever :meth:`commit` did not make durable."""

    def __init__(self, backend: PostgresBackend, shop: str) -> None:
        self._backend = backend
        self._session = Session(shop, backend._statements)
        self._entered = False
        session = self._session
        self.orders = SQLOrders(session, POSTGRES, shop)
        self.refunds = SQLRefundOrders(session, POSTGRES, shop)
        self.labels = SQLStatusLabels(session, POSTGRES, shop)
        self.idempotency = SQLIdempotencyKeys(session, POSTGRES, shop)
        self.outbox = PostgresOutbox(session)
        self.stock = PostgresStock(session)
        self.queries = SQLQueries(session, POSTGRES, shop)
        self.webhooks = SQLWebhookEndpoints(session, POSTGRES, shop)
        self.api_tokens = PostgresApiTokens(session)

    def __enter__(self) -> Self:
        if self._entered:
            raise StorageError("a unit of work is entered once; ask the backend for another.")
        self._entered = True
        self._session.attach(self._backend._checkout())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        connection = self._session.detach()
        if connection is None:
            return
        try:
            if connection.info.transaction_status != TransactionStatus.IDLE:
                with translated("rolling back a unit of work"):
                    connection.rollback()
        except StorageError:
            # The pool discards a broken connection. An error already on its way out (the
            # one that broke it) says more than this one, so it is not replaced.
            if exc is None:
                raise
        finally:
            self._backend._checkin(connection)

    def commit(self) -> None:
        connection = self._session.connection
        with translated("committing a unit of work"):
            connection.commit()

    def rollback(self) -> None:
        if not self._session.attached:
            return  # nothing was written outside the block, so there is nothing to undo
        with translated("rolling back a unit of work"):
            self._session.connection.rollback()


__all__ = ["PostgresUnitOfWork"]
