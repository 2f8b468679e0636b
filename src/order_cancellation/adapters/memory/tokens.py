"""API tokens in memory, written through the unit of work's undo log."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import attrs

from order_cancellation.domain.errors import ConcurrencyConflict
from order_cancellation.domain.tokens import ApiToken


class _Log(Protocol):
    def set(self, table: MutableMapping[Any, Any], key: object, value: object) -> None: ...


class MemoryApiTokens:
    def __init__(self, table: dict[str, ApiToken], write: Callable[[], _Log]) -> None:
        self._table, self._write = table, write

    def add(self, token: ApiToken) -> None:
        if token.id in self._table:
            raise ConcurrencyConflict(f"an API token {token.id!r} exists already.")
        self._write().set(self._table, token.id, token)

    def get(self, token_id: str) -> ApiToken | None:
        return self._table.get(token_id)

    def revoke(self, token_id: str, at: datetime) -> bool:
        token = self._table.get(token_id)
        if token is None:
            return False
        if token.active:
            self._write().set(self._table, token_id, attrs.evolve(token, revoked_at=at))
        return True

    def list(self) -> Sequence[ApiToken]:
        return sorted(self._table.values(), key=lambda token: (token.created_at, token.id))
