"""POSTing events to webhook endpoints, signed as Standard Webhooks says.

Each delivery is one POST of the payload ``{"type", "timestamp", "data"}`` (``data`` is the
event's public JSON form) with the headers

- ``webhook-id``: the event's id, the same on every retry and redelivery;
- ``webhook-timestamp``: Unix seconds of this attempt;
- ``webhook-signature``: ``v1,<base64>``, HMAC-SHA256 with the endpoint's secret over
  ``id.timestamp.body``.

Only a 2xx answer counts (redirects are not followed). Any other outcome raises
:class:`WebhookDeliveryFailed`, so the outbox retries the event later with backoff (at least
once; the same id every time) and, once out of attempts, lists it in
``Sales.failed_effects()`` with the last error, retryable with ``Sales.retry_effect``. An
event for several endpoints is retried for all of them if one fails: receivers de-duplicate
on ``webhook-id``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from standardwebhooks import Webhook

from order_cancellation.domain.errors import ConfigurationError, OrderCancellationError
from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.webhooks import WebhookEndpoint
from order_cancellation.forms import event_type_name, moment_text, to_json
from order_cancellation.ports.backend import Backend


class WebhookDeliveryFailed(OrderCancellationError):
    """An endpoint did not take the event (no 2xx answer in time); it is retried."""


def payload(event: DomainEvent) -> bytes:
    """The exact bytes POSTed for ``event`` (and signed)."""
    document = {
        "type": event_type_name(type(event)),
        "timestamp": moment_text(event.occurred_at),
        "data": to_json(event),
    }
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()


class WebhookPublisher:
    """Delivers each event of a shop to the shop's endpoints that want its type.

    ``timeout`` bounds connecting and each read; ``deadline`` bounds one whole delivery
    (every endpoint of the event, a server trickling its answer included). Pass it to a
    ``Sales`` on the same backend::

        backend = SQLiteBackend("shop.db")
        sales = Sales.sqlite(backend=backend, shop="acme", publisher=WebhookPublisher(backend))
    """

    def __init__(
        self,
        backend: Backend,
        *,
        timeout: float = 10.0,
        deadline: float = 30.0,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not 0 < timeout <= deadline:
            raise ConfigurationError(
                f"a webhook timeout is above 0 and at most the deadline, not {timeout!r} "
                f"with a {deadline!r} s deadline."
            )
        self._backend = backend
        self._timeout, self._deadline = timeout, deadline
        self._http = client or httpx.Client(follow_redirects=False)
        self._owns_client = client is None
        self._clock = clock or (lambda: datetime.now(UTC))

    def close(self) -> None:
        if self._owns_client:
            self._http.close()

    def publish(self, event: DomainEvent) -> None:
        kind = event_type_name(type(event))
        with self._backend.unit_of_work(event.shop) as uow:
            endpoints = [endpoint for endpoint in uow.webhooks.list() if endpoint.wants(kind)]
        if not endpoints:
            return
        body = payload(event)
        deadline = time.monotonic() + self._deadline
        failures = []
        for endpoint in endpoints:
            try:
                self._deliver(endpoint, event.event_id, body, deadline)
            except WebhookDeliveryFailed as error:
                failures.append(f"{endpoint.id} ({endpoint.url}): {error}")
        if failures:
            raise WebhookDeliveryFailed("; ".join(failures))

    def headers(self, endpoint: WebhookEndpoint, event_id: str, body: bytes) -> dict[str, str]:
        """The Standard Webhooks headers of one attempt, signed now."""
        now = self._clock().astimezone(UTC)  # Webhook.sign reads the time as UTC
        signature = Webhook(endpoint.secret).sign(event_id, now, body.decode())
        return {
            "content-type": "application/json",
            "webhook-id": event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": signature,
        }

    def _deliver(
        self, endpoint: WebhookEndpoint, event_id: str, body: bytes, deadline: float
    ) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise WebhookDeliveryFailed(f"not tried: the {self._deadline:g} s deadline passed")
        limit = min(self._timeout, left)
        try:
            with self._http.stream(
                "POST",
                endpoint.url,
                content=body,
                headers=self.headers(endpoint, event_id, body),
                timeout=httpx.Timeout(limit, connect=limit, pool=limit),
            ) as response:
                for _ in response.iter_bytes():
                    if time.monotonic() > deadline:
                        raise WebhookDeliveryFailed(
                            f"the answer was not complete within the {self._deadline:g} s deadline"
                        )
                status = response.status_code
        except httpx.HTTPError as error:
            raise WebhookDeliveryFailed(f"{type(error).__name__}: {error}") from error
        if not 200 <= status < 300:
            raise WebhookDeliveryFailed(f"the endpoint answered HTTP {status}")
