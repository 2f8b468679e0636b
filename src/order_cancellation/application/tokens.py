"""A shop's API tokens: made, listed, revoked and checked here; only hashes are stored."""

from __future__ import annotations

from order_cancellation.application.core import ServiceCore
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.tokens import (
    ApiToken,
    ApiTokenNotFound,
    new_token,
    parse_token,
    secret_hash,
)
from order_cancellation.domain.values import check_identifier, check_reason


class TokenAdmin(ServiceCore):
    """The credentials that let an HTTP client (or a merchant signing in) act for this shop."""

    def create_api_token(self, *, name: str | None = None) -> tuple[str, ApiToken]:
        """A new token for this shop: its text, shown this once and never stored, and the
        record kept (with the secret's hash). ``name`` says who or what holds it."""
        check_reason(name)
        text, parts = new_token(self.shop)
        token = ApiToken(
            id=parts.token_id,
            name=name,
            secret_hash=secret_hash(parts.secret),
            created_at=self._now(),
        )
        with self._uow() as uow:
            uow.api_tokens.add(token)
            uow.commit()
        return text, token

    def api_tokens(self) -> list[ApiToken]:
        """The shop's tokens, oldest first, revoked ones included."""
        with self._uow() as uow:
            return list(uow.api_tokens.list())

    def revoke_api_token(self, token_id: str) -> ApiToken:
        """Stop accepting a token, from the next request on. Revoking twice is harmless."""
        check_identifier(token_id, "the token id")
        with self._uow() as uow:
            if not uow.api_tokens.revoke(token_id, self._now()):
                raise ApiTokenNotFound(
                    f"this shop has no API token {token_id!r}; `token list` shows them."
                )
            token = uow.api_tokens.get(token_id)
            uow.commit()
        assert token is not None
        return token

    def accepts_api_token(self, text: str) -> bool:
        """Whether ``text`` is a live token of this shop (False for another shop's token,
        a revoked one, or text that is no token at all)."""
        try:
            parts = parse_token(text)
        except InvalidInput:
            return False
        if parts.shop != self.shop:
            return False
        with self._uow() as uow:
            token = uow.api_tokens.get(parts.token_id)
        return token is not None and token.accepts(parts.secret)
