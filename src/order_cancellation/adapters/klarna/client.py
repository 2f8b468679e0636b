"""HTTP to Klarna: authentication, timeouts, the User-Agent, and retries within one call.

Timeouts, connection failures, 5xx, 409 and 429 are retried with the same idempotency key
(Klarna replays the first result of a key). Every other answer goes back to the caller,
which knows what it means for its operation. Headers and bodies are never logged.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Generator, Mapping
from importlib import metadata
from typing import Final

import attrs
import httpx

from order_cancellation.adapters.klarna.config import Credentials, KlarnaConfig
from order_cancellation.adapters.klarna.errors import (
    KlarnaCredentialsRejected,
    KlarnaResponseUnreadable,
    KlarnaUnavailable,
)

logger = logging.getLogger("order_cancellation.adapters.klarna")
# Without this, an application that configured no logging would see warnings on stderr.
logger.addHandler(logging.NullHandler())

IDEMPOTENCY_HEADER: Final = "Klarna-Idempotency-Key"
_RETRYABLE_4XX: Final = frozenset({409, 429})


def user_agent() -> str:
    try:
        version = metadata.version("order-cancellation")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "unknown"
    return f"order-cancellation/{version} python-httpx/{httpx.__version__}"


@attrs.frozen
class Reply:
    """An answer Klarna actually sent. ``redact`` takes the gateway's own secret out of any
    text read from it, in case the server echoes the Authorization header back."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    redact: Callable[[str], str] = attrs.field(eq=False, repr=False)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def json_object(self, what: str) -> dict[str, object]:
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise KlarnaResponseUnreadable(
                f"Klarna's answer to {what} is not JSON (HTTP {self.status}, "
                f"{len(self.body)} bytes, starting {self.redact(repr(self.body[:40]))}). "
                "Nothing was changed; "
                "the payment stays pending and is retried.",
                status_code=self.status,
            ) from None
        if not isinstance(data, dict):
            raise KlarnaResponseUnreadable(
                f"Klarna's answer to {what} is JSON but not an object (HTTP {self.status}). "
                "Nothing was changed; the payment stays pending and is retried.",
                status_code=self.status,
            )
        return data

    @property
    def error_code(self) -> str | None:
        return self._field("error_code")

    @property
    def correlation_id(self) -> str | None:
        return self._field("correlation_id")

    def _field(self, name: str) -> str | None:
        value = _text(self._error_body().get(name))
        return None if value is None else self.redact(value)

    def describe(self) -> str:
        """``HTTP 403 CANCEL_NOT_ALLOWED: <Klarna's messages> (correlation id ...)``."""
        error = self._error_body()
        parts = [f"HTTP {self.status}"]
        if self.error_code:
            parts.append(self.error_code)
        messages = error.get("error_messages")
        text = " ".join(parts)
        if isinstance(messages, list) and messages:
            text += ": " + "; ".join(str(message)[:200] for message in messages[:3])
        if self.correlation_id:
            text += f" (correlation id {self.correlation_id})"
        return self.redact(text)

    def _error_body(self) -> dict[str, object]:
        try:
            data = json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return {}
        return data if isinstance(data, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


class _KlarnaAuth(httpx.Auth):
    """Adds the Basic header per request, so the secret sits in no default header map."""

    def __init__(self, credentials: Credentials) -> None:
        self._credentials = credentials

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._credentials.authorization()
        yield request


class KlarnaClient:
    """One HTTP connection pool to Klarna's Order Management API."""

    def __init__(
        self,
        config: KlarnaConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._config = config
        self._sleep = sleep
        self._jitter = jitter
        self._http = httpx.Client(
            base_url=config.api_url,
            auth=_KlarnaAuth(config.credentials),
            headers={"User-Agent": user_agent(), "Accept": "application/json"},
            timeout=httpx.Timeout(
                config.read_timeout, connect=config.connect_timeout, pool=config.connect_timeout
            ),
            transport=transport,
            follow_redirects=False,
        )

    def get(self, path: str, *, what: str) -> Reply:
        return self._send("GET", path, what=what)

    def post(
        self, path: str, *, what: str, key: str, body: Mapping[str, object] | None = None
    ) -> Reply:
        return self._send("POST", path, what=what, key=key, body=body)

    def patch(
        self, path: str, *, what: str, key: str, body: Mapping[str, object] | None = None
    ) -> Reply:
        return self._send("PATCH", path, what=what, key=key, body=body)

    def close(self) -> None:
        self._http.close()

    def _send(
        self,
        method: str,
        path: str,
        *,
        what: str,
        key: str | None = None,
        body: Mapping[str, object] | None = None,
    ) -> Reply:
        headers: dict[str, str] = {}
        if key is not None:
            headers[IDEMPOTENCY_HEADER] = key
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body, separators=(",", ":")).encode()
            headers["Content-Type"] = "application/json"
        policy = self._config.retry
        deadline = time.monotonic() + self._config.call_deadline
        cause: Exception | None = None
        last = ""
        last_reply: Reply | None = None
        attempt = 0
        while attempt < policy.max_attempts:
            attempt += 1
            try:
                reply = self._exchange(method, path, content, headers, deadline)
            except (httpx.RequestError, _DeadlinePassed) as error:
                cause, last_reply = error, None
                last = self._redact(f"{type(error).__name__}: {str(error)[:200] or 'no detail'}")
            else:
                if reply.status == 401:
                    raise self._unauthorized(reply, what)
                if not _retryable(reply.status):
                    logger.debug(
                        "klarna %s %s -> %s (attempt %d)", method, path, reply.status, attempt
                    )
                    return reply
                cause, last_reply, last = None, reply, reply.describe()
            logger.info(
                "klarna %s failed on attempt %d of %d: %s", what, attempt, policy.max_attempts, last
            )
            pause = policy.delay(attempt, self._jitter())
            if attempt < policy.max_attempts and time.monotonic() + pause < deadline:
                self._sleep(pause)
            elif attempt < policy.max_attempts:
                last += f"; no time left within the {self._config.call_deadline:g} s deadline"
                break
        logger.warning("klarna %s gave up after %d attempts: %s", what, attempt, last)
        raise KlarnaUnavailable(
            f"Klarna did not complete {what} after {attempt} attempts "
            f"(last: {last}). Nothing is lost: the payment stays pending and is retried "
            "later with the same idempotency keys, so it is never paid out twice.",
            status_code=last_reply.status if last_reply else None,
            error_code=last_reply.error_code if last_reply else None,
            correlation_id=last_reply.correlation_id if last_reply else None,
        ) from cause

    def _exchange(
        self,
        method: str,
        path: str,
        content: bytes | None,
        headers: Mapping[str, str],
        deadline: float,
    ) -> Reply:
        """One request; the answer is streamed so that a server trickling it in byte by
        byte (each byte resetting the read timeout) cannot hold the call past ``deadline``."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise _DeadlinePassed(self._config.call_deadline)
        timeout = httpx.Timeout(
            min(self._config.read_timeout, left),
            connect=min(self._config.connect_timeout, left),
            pool=min(self._config.connect_timeout, left),
        )
        with self._http.stream(
            method, path, content=content, headers=headers, timeout=timeout
        ) as response:
            chunks = []
            for chunk in response.iter_bytes():
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _DeadlinePassed(self._config.call_deadline)
            return Reply(response.status_code, response.headers, b"".join(chunks), self._redact)

    def _redact(self, text: str) -> str:
        return self._config.credentials.redact(text)

    def _unauthorized(self, reply: Reply, what: str) -> KlarnaCredentialsRejected:
        environment = "playground" if self._config.playground else "live"
        where = (
            "the configured base URL"
            if self._config.base_url
            else f"{self._config.region.value} {environment}"
        )
        return KlarnaCredentialsRejected(
            f"Klarna answered 401 Unauthorized to {what} on {where}. Check KLARNA_USERNAME "
            "and KLARNA_PASSWORD (or KLARNA_API_KEY): keys are per region, playground keys "
            "do not work live, and unused keys are disabled after two months. Nothing was "
            "changed; retry the payment once the credentials are fixed.",
            status_code=reply.status,
            correlation_id=reply.correlation_id,
        )


class _DeadlinePassed(Exception):
    """The call's deadline passed before Klarna's answer was complete."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the answer was not complete within the {seconds:g} s call deadline")


def _retryable(status: int) -> bool:
    return status >= 500 or status in _RETRYABLE_4XX
