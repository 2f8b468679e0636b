"""Webhook endpoints in memory, written through the unit of work's undo log."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, Protocol

from order_cancellation.domain.errors import ConcurrencyConflict
from order_cancellation.domain.webhooks import WebhookEndpoint


class _Log(Protocol):
    def set(self, table: MutableMapping[Any, Any], key: object, value: object) -> None: ...

    def delete(self, table: MutableMapping[Any, Any], key: object) -> None: ...


class MemoryWebhookEndpoints:
    def __init__(self, table: dict[str, WebhookEndpoint], write: Callable[[], _Log]) -> None:
        self._table, self._write = table, write

    def add(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.id in self._table:
            raise ConcurrencyConflict(f"a webhook endpoint {endpoint.id!r} exists already.")
        self._write().set(self._table, endpoint.id, endpoint)

    def remove(self, endpoint_id: str) -> bool:
        if endpoint_id not in self._table:
            return False
        self._write().delete(self._table, endpoint_id)
        return True

    def list(self) -> Sequence[WebhookEndpoint]:
        return sorted(self._table.values(), key=lambda endpoint: (endpoint.created_at, endpoint.id))
