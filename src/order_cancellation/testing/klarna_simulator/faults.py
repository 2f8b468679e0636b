"""What can go wrong between a shop and Klarna, as the simulator injects it.

A fault either hits before Klarna processed the request (nothing changed) or after (the
change is applied, but the shop never learns it): the second kind is what idempotency keys
exist for.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Final

import attrs


class Delivery(enum.Enum):
    """How the response reaches the client."""

    NORMAL = "normal"
    HANG = "hang"  # no answer: the client waits until its read timeout
    DISCONNECT = "disconnect"  # the connection closes without an answer
    TRUNCATE = "truncate"  # the answer is cut short


Rewrite = Callable[[object], object]


@attrs.frozen(kw_only=True)
class Fault:
    """One injected fault.

    ``processed``: Klarna applied the request before the fault hit. ``status`` replaces the
    answer with an error of that status and ``error_code``; ``body`` replaces the answer's
    body as is; ``rewrite`` transforms the decoded JSON of the real answer.
    """

    name: str
    processed: bool
    delivery: Delivery = Delivery.NORMAL
    status: int | None = None
    error_code: str | None = None
    body: bytes | None = None
    rewrite: Rewrite | None = attrs.field(default=None, eq=False)

    @property
    def conforming(self) -> bool:
        """Whether the answer still follows Klarna's contract (error bodies included)."""
        return self.body is None and self.rewrite is None and self.delivery is Delivery.NORMAL

    @property
    def answers(self) -> bool:
        """Whether the client receives an answer at all."""
        return self.delivery in (Delivery.NORMAL, Delivery.TRUNCATE)


def error(status: int, error_code: str) -> Fault:
    """An error answer, sent without processing the request (Klarna's 5xx, 429, 409)."""
    return Fault(
        name=f"{status} {error_code}", processed=False, status=status, error_code=error_code
    )


def replace_body(body: bytes, *, status: int = 200) -> Fault:
    """Process the request, then answer ``body`` (for example something that is not JSON)."""
    return Fault(name=f"body {body[:20]!r}", processed=True, status=status, body=body)


def rewrite(transform: Rewrite, *, name: str = "rewritten body") -> Fault:
    """Process the request, then answer ``transform(json)`` instead of the JSON it made."""
    return Fault(name=name, processed=True, rewrite=transform)


TIMEOUT_BEFORE: Final = Fault(
    name="timeout before processing", processed=False, delivery=Delivery.HANG
)
TIMEOUT_AFTER: Final = Fault(
    name="timeout after processing", processed=True, delivery=Delivery.HANG
)
DISCONNECT_BEFORE: Final = Fault(
    name="disconnect before processing", processed=False, delivery=Delivery.DISCONNECT
)
DISCONNECT_AFTER: Final = Fault(
    name="disconnect after processing", processed=True, delivery=Delivery.DISCONNECT
)
TRUNCATED: Final = Fault(name="truncated answer", processed=True, delivery=Delivery.TRUNCATE)
INTERNAL_ERROR: Final = error(500, "INTERNAL_SERVER_ERROR")
BAD_GATEWAY: Final = error(502, "TEMPORARILY_UNAVAILABLE")
UNAVAILABLE: Final = error(503, "TEMPORARILY_UNAVAILABLE")
GATEWAY_TIMEOUT: Final = error(504, "TEMPORARILY_UNAVAILABLE")
RATE_LIMITED: Final = error(429, "TOO_MANY_REQUESTS")
CONFLICT: Final = error(409, "CONFLICT")

TRANSIENT_FAULTS: Final = (
    TIMEOUT_BEFORE,
    TIMEOUT_AFTER,
    DISCONNECT_AFTER,
    INTERNAL_ERROR,
    BAD_GATEWAY,
    UNAVAILABLE,
    GATEWAY_TIMEOUT,
    RATE_LIMITED,
    CONFLICT,
)
"""The faults a retry can get past: lost requests, lost answers, 5xx, 429 and 409."""
