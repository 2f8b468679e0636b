"""A unit of work that hands everything to another one, for tests that stage a race or a
failure in one repository: subclass it and override only the repositories that misbehave."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from order_cancellation.ports.persistence import (
    IdempotencyStore,
    OrderRepository,
    Outbox,
    RefundOrderRepository,
    StatusLabelRepository,
    UnitOfWork,
)
from order_cancellation.ports.queries import ListingQueries
from order_cancellation.ports.stock import StockLedger
from order_cancellation.ports.tokens import ApiTokens
from order_cancellation.ports.webhooks import WebhookEndpoints


class DelegatingUnitOfWork:
    def __init__(self, inner: UnitOfWork) -> None:
        self.inner = inner

    @property
    def orders(self) -> OrderRepository:
        return self.inner.orders

    @property
    def refunds(self) -> RefundOrderRepository:
        return self.inner.refunds

    @property
    def labels(self) -> StatusLabelRepository:
        return self.inner.labels

    @property
    def idempotency(self) -> IdempotencyStore:
        return self.inner.idempotency

    @property
    def outbox(self) -> Outbox:
        return self.inner.outbox

    @property
    def stock(self) -> StockLedger:
        return self.inner.stock

    @property
    def queries(self) -> ListingQueries:
        return self.inner.queries

    @property
    def webhooks(self) -> WebhookEndpoints:
        return self.inner.webhooks

    @property
    def api_tokens(self) -> ApiTokens:
        return self.inner.api_tokens

    def __enter__(self) -> Self:
        self.inner.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.inner.__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        self.inner.commit()

    def rollback(self) -> None:
        self.inner.rollback()
