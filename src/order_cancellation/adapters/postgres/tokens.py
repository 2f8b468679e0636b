"""API tokens in PostgreSQL (table ``api_tokens``, migration 4): hashes only, never secrets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from order_cancellation.adapters.postgres.connection import Row, Session, corrupted, utc
from order_cancellation.domain.errors import ConcurrencyConflict, InvalidInput
from order_cancellation.domain.tokens import ApiToken


class PostgresApiTokens:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, token: ApiToken) -> None:
        added = self._s.run(
            "INSERT INTO {schema}.api_tokens (shop, id, name, secret_hash, created_at)"
            " VALUES (%s, %s, %s, %s, %s) ON CONFLICT (shop, id) DO NOTHING",
            (self._s.shop, token.id, token.name, token.secret_hash, utc(token.created_at)),
            "adding an API token",
        )
        if not added:
            raise ConcurrencyConflict(f"an API token {token.id!r} exists already.")

    def get(self, token_id: str) -> ApiToken | None:
        rows = self._s.rows(
            "SELECT id, name, secret_hash, created_at, revoked_at FROM {schema}.api_tokens"
            " WHERE shop = %s AND id = %s",
            (self._s.shop, token_id),
            "reading an API token",
        )
        return self._token(rows[0]) if rows else None

    def revoke(self, token_id: str, at: datetime) -> bool:
        self._s.run(
            "UPDATE {schema}.api_tokens SET revoked_at = %s"
            " WHERE shop = %s AND id = %s AND revoked_at IS NULL",
            (utc(at), self._s.shop, token_id),
            "revoking an API token",
        )
        return self.get(token_id) is not None

    def list(self) -> Sequence[ApiToken]:
        rows = self._s.rows(
            "SELECT id, name, secret_hash, created_at, revoked_at FROM {schema}.api_tokens"
            " WHERE shop = %s ORDER BY created_at, id",
            (self._s.shop,),
            "listing API tokens",
        )
        return [self._token(row) for row in rows]

    def _token(self, row: Row) -> ApiToken:
        token_id, name, hashed, created, revoked = row
        what = f"API token {token_id!r} of shop {self._s.shop!r}"
        try:
            return ApiToken(
                id=token_id,
                name=name,
                secret_hash=hashed,
                created_at=utc(created),
                revoked_at=None if revoked is None else utc(revoked),
            )
        except (ValueError, TypeError, InvalidInput) as error:
            raise corrupted(what, f"it does not read back ({error})") from error
