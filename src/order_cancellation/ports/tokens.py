"""Where a shop's API tokens are kept (hashed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from order_cancellation.domain.tokens import ApiToken


class ApiTokens(Protocol):
    def add(self, token: ApiToken) -> None:
        """Store a new token; an existing id raises :class:`ConcurrencyConflict`."""
        ...

    def get(self, token_id: str) -> ApiToken | None:
        """The shop's token of that id, revoked or not; None when it has none."""
        ...

    def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark the token revoked (once: a second revoke keeps the first time); False when
        the shop has no token of that id."""
        ...

    def list(self) -> Sequence[ApiToken]:
        """The shop's tokens, oldest first, revoked ones included."""
        ...
