"""API tokens: the credential a shop hands to an HTTP client or uses to sign in to the admin.

A token reads ``oct_<shop in base64url>.<token id>.<secret>``. The shop is in the token so
that a server can find the one shop whose records to check, without a lookup across shops;
the token counts only if that shop holds a live record of the id whose hash matches the
secret. Only the SHA-256 of the secret is stored: the secret is 32 random bytes, so a fast
hash is enough (a slow password hash guards guessable secrets, and these are not).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Final

import attrs

from order_cancellation.domain.errors import InvalidInput, NotFound
from order_cancellation.domain.values import check_aware, check_identifier, check_reason

TOKEN_PREFIX: Final = "oct_"  # noqa: S105 - the prefix, not a secret
MAX_TOKEN_LENGTH: Final = 1024


class ApiTokenNotFound(NotFound):
    """The shop has no API token of that id; list them with ``api_tokens()``."""


class InvalidApiToken(InvalidInput):
    """The text is not an API token of this library (mistyped, cut short or made up)."""


def secret_hash(secret: str) -> str:
    """The stored form of a token's secret: SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


@attrs.frozen(kw_only=True)
class ApiToken:
    """What a shop stores of a token: never the secret, only its hash."""

    id: str = attrs.field(validator=lambda _, __, value: check_identifier(value, "the id"))
    name: str | None = attrs.field(default=None, validator=lambda _, __, value: check_reason(value))
    secret_hash: str = attrs.field(repr=False)
    created_at: datetime = attrs.field(
        validator=lambda _, __, value: check_aware(value, "created_at")
    )
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def accepts(self, secret: str) -> bool:
        """Whether ``secret`` is this live token's secret (compared in constant time)."""
        return self.active and hmac.compare_digest(self.secret_hash, secret_hash(secret))


@attrs.frozen(kw_only=True)
class TokenParts:
    """A token taken apart: the shop it names, the record's id, the secret to check."""

    shop: str
    token_id: str
    secret: str = attrs.field(repr=False)


def new_token(shop: str) -> tuple[str, TokenParts]:
    """A fresh token for ``shop``: its text (shown once) and its parts."""
    check_identifier(shop, "the shop")
    parts = TokenParts(
        shop=shop, token_id=f"tok_{secrets.token_hex(8)}", secret=secrets.token_urlsafe(32)
    )
    return token_text(parts), parts


def token_text(parts: TokenParts) -> str:
    shop = base64.urlsafe_b64encode(parts.shop.encode()).decode().rstrip("=")
    return f"{TOKEN_PREFIX}{shop}.{parts.token_id}.{parts.secret}"


def parse_token(text: str) -> TokenParts:
    """The parts of a token's text, or :class:`InvalidApiToken`; says nothing of whether
    the token is live (that takes the shop's records)."""
    refusal = InvalidApiToken("this is not an API token; create one with `token create`.")
    if len(text) > MAX_TOKEN_LENGTH or not text.startswith(TOKEN_PREFIX):
        raise refusal
    pieces = text.removeprefix(TOKEN_PREFIX).split(".")
    if len(pieces) != 3 or not all(pieces):
        raise refusal
    encoded, token_id, secret = pieces
    try:
        shop = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        check_identifier(shop, "the shop")
        check_identifier(token_id, "the token id")
    except (binascii.Error, ValueError):
        raise refusal from None
    return TokenParts(shop=shop, token_id=token_id, secret=secret)
