"""Where and how to reach Klarna: region, playground, credentials, timeouts and retries.

Credentials are held by :class:`Credentials`, whose ``repr`` never shows them, and they
are only ever turned into an ``Authorization`` header at the moment a request is sent.
"""

from __future__ import annotations

import base64
import enum
import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Final
from urllib.parse import urlsplit

import attrs

from order_cancellation.domain.errors import ConfigurationError


class Region(enum.Enum):
    """Klarna's API regions: Europe, North America (US, CA) and Oceania (AU, NZ)."""

    EU = "EU"
    NA = "NA"
    OC = "OC"


_HOSTS: Final[Mapping[tuple[Region, bool], str]] = {
    (Region.EU, False): "https://api.klarna.com",
    (Region.NA, False): "https://api-na.klarna.com",
    (Region.OC, False): "https://api-oc.klarna.com",
    (Region.EU, True): "https://api.playground.klarna.com",
    (Region.NA, True): "https://api-na.playground.klarna.com",
    (Region.OC, True): "https://api-oc.playground.klarna.com",
}

_LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"", "0", "false", "no", "off"})


@attrs.frozen(repr=False)
class Credentials:
    """HTTP Basic credentials: a username and password (or API key), or an API key alone."""

    username: str | None
    secret: str

    @classmethod
    def basic(cls, username: str, password: str) -> Credentials:
        if not username or not password:
            raise ConfigurationError(
                "Klarna credentials need both a username and a password (or API key); "
                "set KLARNA_USERNAME and KLARNA_PASSWORD."
            )
        return cls(username=username, secret=password)

    @classmethod
    def api_key(cls, key: str) -> Credentials:
        if not key:
            raise ConfigurationError("the Klarna API key is empty; set KLARNA_API_KEY.")
        return cls(username=None, secret=key)

    def authorization(self) -> str:
        """The value of the ``Authorization`` header."""
        if self.username is None:
            # Klarna's new-style API keys are sent as they are after "Basic".
            return f"Basic {self.secret}"
        pair = f"{self.username}:{self.secret}".encode()
        return f"Basic {base64.b64encode(pair).decode('ascii')}"

    def __repr__(self) -> str:
        return "Credentials(<redacted>)"

    def redact(self, text: str) -> str:
        """``text`` with every form of this secret in it (the password or key, the
        ``user:password`` pair, the Basic token) replaced by ``<redacted>``."""
        forms = [self.authorization().removeprefix("Basic "), self.secret]
        if self.username is not None:
            forms.insert(0, f"{self.username}:{self.secret}")
        for form in forms:
            text = text.replace(form, "<redacted>")
        return text


@attrs.frozen(kw_only=True)
class HttpRetryPolicy:
    """Retries inside one call: capped exponential backoff with full jitter.

    The defaults keep one gateway call under a few seconds; the relay retries the whole
    settlement later (with the same idempotency keys) if these attempts run out.
    """

    max_attempts: int = 4
    base_delay: float = 0.25
    max_delay: float = 2.0

    def __attrs_post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError("HttpRetryPolicy.max_attempts must be 1 or more.")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ConfigurationError(
                "HttpRetryPolicy needs 0 <= base_delay <= max_delay (seconds)."
            )

    def delay(self, failed_attempts: int, jitter: float) -> float:
        """Seconds to wait after ``failed_attempts`` failures; ``jitter`` is in [0, 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (failed_attempts - 1))
        return ceiling * jitter


def _positive(_instance: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value > 0:
        raise ConfigurationError(f"KlarnaConfig.{attribute.name} must be above zero seconds.")


@attrs.frozen(kw_only=True)
class KlarnaConfig:
    """How to reach Klarna's Order Management API.

    ``base_url`` overrides the host chosen by ``region`` and ``playground`` (for a proxy or
    a simulator). Plain ``http`` is accepted only for loopback addresses, so credentials
    never cross a network unencrypted.
    """

    credentials: Credentials
    region: Region = Region.EU
    playground: bool = False
    base_url: str | None = None
    connect_timeout: float = attrs.field(default=5.0, validator=_positive)
    read_timeout: float = attrs.field(default=15.0, validator=_positive)
    call_deadline: float = attrs.field(default=30.0, validator=_positive)
    """Seconds one gateway HTTP call may take in all, its retries and their waits included,
    however slowly the answer trickles in; well under the relay's 60-second lease."""
    retry: HttpRetryPolicy = HttpRetryPolicy()
    max_reconciles: int = 2
    key_window: timedelta = timedelta(hours=23)
    """Klarna honours an idempotency key for 24 hours; after this long, new keys are used."""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.region, Region):
            raise ConfigurationError(
                f"region must be a Region (EU, NA or OC), not {self.region!r}."
            )
        if self.base_url is not None:
            _check_base_url(self.base_url)
        if self.max_reconciles < 0:
            raise ConfigurationError("KlarnaConfig.max_reconciles must be 0 or more.")
        if not timedelta(0) < self.key_window < timedelta(hours=24):
            raise ConfigurationError(
                "KlarnaConfig.key_window must be shorter than the 24 hours Klarna honours a key."
            )

    @property
    def api_url(self) -> str:
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        return _HOSTS[self.region, self.playground]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KlarnaConfig:
        """Read the configuration from environment variables.

        ``KLARNA_USERNAME`` and ``KLARNA_PASSWORD`` (or ``KLARNA_API_KEY``, optionally with
        ``KLARNA_USERNAME``), ``KLARNA_REGION`` (EU, NA, OC; default EU),
        ``KLARNA_PLAYGROUND`` (true/false; default false), and optionally
        ``KLARNA_BASE_URL``, ``KLARNA_CONNECT_TIMEOUT``, ``KLARNA_READ_TIMEOUT`` and
        ``KLARNA_CALL_DEADLINE`` (seconds).
        """
        env = os.environ if environ is None else environ
        username = env.get("KLARNA_USERNAME", "").strip()
        api_key = env.get("KLARNA_API_KEY", "").strip()
        password = env.get("KLARNA_PASSWORD", "").strip() or api_key
        if username and password:
            credentials = Credentials.basic(username, password)
        elif api_key:
            credentials = Credentials.api_key(api_key)
        else:
            raise ConfigurationError(
                "Klarna credentials are missing: set KLARNA_USERNAME and KLARNA_PASSWORD "
                "(from the Merchant Portal, Settings > Klarna API keys) or KLARNA_API_KEY."
            )
        region_text = env.get("KLARNA_REGION", "EU").strip().upper() or "EU"
        try:
            region = Region(region_text)
        except ValueError:
            raise ConfigurationError(
                f"KLARNA_REGION is {region_text!r}; use EU (Europe), NA (United States and "
                "Canada) or OC (Australia and New Zealand)."
            ) from None
        defaults = cls(credentials=credentials)
        return cls(
            credentials=credentials,
            region=region,
            playground=_flag(env.get("KLARNA_PLAYGROUND", ""), "KLARNA_PLAYGROUND"),
            base_url=env.get("KLARNA_BASE_URL", "").strip() or None,
            connect_timeout=_seconds(env, "KLARNA_CONNECT_TIMEOUT", defaults.connect_timeout),
            read_timeout=_seconds(env, "KLARNA_READ_TIMEOUT", defaults.read_timeout),
            call_deadline=_seconds(env, "KLARNA_CALL_DEADLINE", defaults.call_deadline),
        )


def _check_base_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it checks it
    except ValueError:
        raise ConfigurationError(
            "the Klarna base URL cannot be read; give it as https://<host>."
        ) from None
    # The URL itself is never echoed: it might carry a secret someone pasted into it. A base
    # URL needs no query or fragment, and a token there would be shown wherever it is.
    if parts.username is not None or parts.password is not None or parts.query or parts.fragment:
        raise ConfigurationError(
            "the Klarna base URL must not contain credentials, a query string or a fragment; "
            "give only https://<host>[/path] and set KLARNA_USERNAME and KLARNA_PASSWORD."
        )
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS:
        return
    raise ConfigurationError(
        "the Klarna base URL must be https://<host> (plain http only for a loopback "
        "simulator such as http://127.0.0.1:<port>)."
    )


def _flag(text: str, name: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name} is {text!r}; use true or false.")


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigurationError(f"{name} is {text!r}; give a number of seconds.") from None
    if not value > 0:
        raise ConfigurationError(f"{name} must be above zero seconds, got {text!r}.")
    return value
