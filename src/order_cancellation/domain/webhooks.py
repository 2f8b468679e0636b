"""Webhook endpoints: where a shop's events are POSTed, signed with the endpoint's secret."""

from __future__ import annotations

import base64
import binascii
import secrets
from datetime import datetime
from typing import Final
from urllib.parse import urlsplit

import attrs

from order_cancellation.domain.errors import InvalidInput, NotFound
from order_cancellation.domain.values import check_aware, check_identifier, shown

SECRET_PREFIX: Final = "whsec_"  # noqa: S105 - the prefix, not a secret
MAX_URL_LENGTH: Final = 2000


class WebhookEndpointNotFound(NotFound):
    """No webhook endpoint of this shop has that id; list them with ``webhooks()``."""


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64 (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def check_secret(secret: object) -> str:
    """A ``whsec_`` secret of 24 to 64 random bytes in base64."""
    refusal = InvalidInput(
        "a webhook secret is 'whsec_' and 24 to 64 random bytes in base64; leave it out "
        "to have one made."
    )
    if not isinstance(secret, str) or not secret.startswith(SECRET_PREFIX):
        raise refusal
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raise refusal from None
    if not 24 <= len(key) <= 64:
        raise refusal
    return secret


def check_url(url: object) -> str:
    if not isinstance(url, str) or len(url) > MAX_URL_LENGTH or not url.isprintable():
        raise InvalidInput(f"a webhook URL is http(s) text, not {shown(url)}.")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.fragment:
        raise InvalidInput(
            f"a webhook URL is an absolute https:// (or http://) URL without a #fragment, "
            f"not {shown(url, 80)}."
        )
    return url


@attrs.frozen(kw_only=True)
class WebhookEndpoint:
    """An endpoint of one shop: events of ``event_types`` (every type when empty) are
    POSTed to ``url``, signed with ``secret``."""

    id: str = attrs.field(validator=lambda _, __, value: check_identifier(value, "the id"))
    url: str = attrs.field(validator=lambda _, __, value: check_url(value))
    secret: str = attrs.field(repr=False, validator=lambda _, __, value: check_secret(value))
    event_types: tuple[str, ...] = ()
    created_at: datetime = attrs.field(
        validator=lambda _, __, value: check_aware(value, "created_at")
    )

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types
