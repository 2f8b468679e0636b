"""Requests the simulator received and the answers it gave, kept for tests to inspect."""

from __future__ import annotations

import enum
import json
import re
from typing import Final

import attrs

from order_cancellation.testing.klarna_simulator.faults import Delivery, Fault

IDEMPOTENCY_HEADER: Final = "Klarna-Idempotency-Key"


class Endpoint(enum.Enum):
    """The Order Management operations the simulator serves."""

    GET_ORDER = "getOrder"
    CANCEL = "cancelOrder"
    CAPTURE = "captureOrder"
    LIST_CAPTURES = "getCaptures"
    GET_CAPTURE = "getCapture"
    REFUND = "refundOrder"
    GET_REFUND = "getRefund"
    RELEASE = "releaseRemainingAuthorization"
    EXTEND = "extendAuthorizationTime"
    UPDATE_AUTHORIZATION = "updateAuthorization"


_ORDER: Final = r"/ordermanagement/v1/orders/(?P<order_id>[^/?]+)"
_ROUTES: Final = (
    ("GET", re.compile(_ORDER + r"$"), Endpoint.GET_ORDER),
    ("POST", re.compile(_ORDER + r"/cancel$"), Endpoint.CANCEL),
    ("POST", re.compile(_ORDER + r"/captures$"), Endpoint.CAPTURE),
    ("GET", re.compile(_ORDER + r"/captures$"), Endpoint.LIST_CAPTURES),
    ("GET", re.compile(_ORDER + r"/captures/(?P<item_id>[^/?]+)$"), Endpoint.GET_CAPTURE),
    ("POST", re.compile(_ORDER + r"/refunds$"), Endpoint.REFUND),
    ("GET", re.compile(_ORDER + r"/refunds/(?P<item_id>[^/?]+)$"), Endpoint.GET_REFUND),
    ("POST", re.compile(_ORDER + r"/release-remaining-authorization$"), Endpoint.RELEASE),
    ("POST", re.compile(_ORDER + r"/extend-authorization-time$"), Endpoint.EXTEND),
    ("PATCH", re.compile(_ORDER + r"/authorization$"), Endpoint.UPDATE_AUTHORIZATION),
)


@attrs.frozen(kw_only=True)
class SimRequest:
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    base_url: str

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @property
    def idempotency_key(self) -> str | None:
        return self.header(IDEMPOTENCY_HEADER)

    def route(self) -> tuple[Endpoint | None, dict[str, str]]:
        path = self.path.split("?", 1)[0]
        for method, pattern, endpoint in _ROUTES:
            match = pattern.match(path)
            if match and method == self.method:
                return endpoint, match.groupdict()
        return None, {}


@attrs.frozen(kw_only=True)
class SimResponse:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for key, value in self.headers if key.lower() == wanted), None)

    @classmethod
    def json(
        cls, status: int, data: object, headers: tuple[tuple[str, str], ...] = ()
    ) -> SimResponse:
        return cls(
            status=status,
            headers=(("Content-Type", "application/json"), *headers),
            body=json.dumps(data).encode(),
        )


@attrs.frozen(kw_only=True)
class Exchange:
    """One request, what the simulator did with it, and what the client received."""

    request: SimRequest
    endpoint: Endpoint | None
    order_id: str | None
    response: SimResponse | None  # None: the client got no answer at all
    fault: Fault | None = None
    replayed: bool = False  # answered from the idempotency store, nothing done again

    @property
    def delivery(self) -> Delivery:
        return self.fault.delivery if self.fault else Delivery.NORMAL

    @property
    def conforming(self) -> bool:
        """Whether the answer is the simulator's own (not a body a test asked to corrupt)."""
        return self.response is not None and (self.fault is None or self.fault.conforming)
