"""API tokens in SQLite (table ``api_tokens``, migration 4): hashes only, never secrets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from order_cancellation.adapters.sqlite.columns import corrupted, utc_datetime, utc_text
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.tokens import ApiToken


class SQLiteApiTokens:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def add(self, token: ApiToken) -> None:
        self._db.run(
            "INSERT INTO api_tokens (shop, id, name, secret_hash, created_at, revoked_at)"
            " VALUES (?, ?, ?, ?, ?, NULL)",
            (self._shop, token.id, token.name, token.secret_hash, utc_text(token.created_at)),
            conflict=f"an API token {token.id!r} exists already.",
        )

    def get(self, token_id: str) -> ApiToken | None:
        row = self._db.run(
            "SELECT id, name, secret_hash, created_at, revoked_at FROM api_tokens"
            " WHERE shop = ? AND id = ?",
            (self._shop, token_id),
        ).fetchone()
        return None if row is None else self._token(*row)

    def revoke(self, token_id: str, at: datetime) -> bool:
        self._db.run(
            "UPDATE api_tokens SET revoked_at = ? WHERE shop = ? AND id = ? AND revoked_at IS NULL",
            (utc_text(at), self._shop, token_id),
        )
        return self.get(token_id) is not None

    def list(self) -> Sequence[ApiToken]:
        rows = self._db.run(
            "SELECT id, name, secret_hash, created_at, revoked_at FROM api_tokens"
            " WHERE shop = ? ORDER BY created_at, id",
            (self._shop,),
        ).fetchall()
        return [self._token(*row) for row in rows]

    def _token(
        self, token_id: str, name: str | None, hashed: str, created: str, revoked: str | None
    ) -> ApiToken:
        what = f"API token {token_id!r} of shop {self._shop!r}"
        try:
            return ApiToken(
                id=token_id,
                name=name,
                secret_hash=hashed,
                created_at=utc_datetime(created, what=what),
                revoked_at=None if revoked is None else utc_datetime(revoked, what=what),
            )
        except (ValueError, TypeError, InvalidInput) as error:
            raise corrupted(what, f"it does not read back ({error})") from error
