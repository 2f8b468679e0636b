"""Where a shop's webhook endpoints are kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from order_cancellation.domain.webhooks import WebhookEndpoint


class WebhookEndpoints(Protocol):
    def add(self, endpoint: WebhookEndpoint) -> None:
        """Store a new endpoint; an existing id raises :class:`ConcurrencyConflict`."""
        ...

    def remove(self, endpoint_id: str) -> bool:
        """Remove the endpoint; False when the shop has none of that id."""
        ...

    def list(self) -> Sequence[WebhookEndpoint]:
        """The shop's endpoints, oldest first."""
        ...
