"""Registering a shop's webhook endpoints. Delivery is the publisher's
(:class:`order_cancellation.adapters.webhooks.WebhookPublisher`), through the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import uuid4

from order_cancellation.application.core import ServiceCore
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.values import check_identifier, shown
from order_cancellation.domain.webhooks import (
    WebhookEndpoint,
    WebhookEndpointNotFound,
    new_secret,
)
from order_cancellation.forms import EVENT_TYPES


def _event_types(event_types: Iterable[str] | None) -> tuple[str, ...]:
    if event_types is None:
        return ()
    if isinstance(event_types, str):
        raise InvalidInput("event_types is a list of event types, such as ['order.canceled'].")
    chosen = tuple(dict.fromkeys(event_types))
    for name in chosen:
        if name not in EVENT_TYPES:
            raise InvalidInput(
                f"{shown(name)} is not an event type; the types are: {', '.join(EVENT_TYPES)}."
            )
    return chosen


class WebhookAdmin(ServiceCore):
    """The shop's webhook endpoints: where its events are POSTed, signed."""

    def add_webhook(
        self,
        url: str,
        *,
        event_types: Iterable[str] | None = None,
        secret: str | None = None,
        endpoint_id: str | None = None,
    ) -> WebhookEndpoint:
        """Register ``url`` for ``event_types`` (dotted, e.g. ``"order.canceled"``; every
        type when None). The endpoint's signing ``secret`` (``whsec_...``) is made unless
        given: give it to the receiver, which verifies each delivery with it."""
        endpoint = WebhookEndpoint(
            id=f"wh_{uuid4().hex}" if endpoint_id is None else endpoint_id,
            url=url,
            secret=new_secret() if secret is None else secret,
            event_types=_event_types(event_types),
            created_at=self._now(),
        )
        with self._uow() as uow:
            uow.webhooks.add(endpoint)
            uow.commit()
        return endpoint

    def webhooks(self) -> list[WebhookEndpoint]:
        """The shop's endpoints, oldest first."""
        with self._uow() as uow:
            return list(uow.webhooks.list())

    def remove_webhook(self, endpoint_id: str) -> None:
        """Stop delivering to an endpoint. Deliveries already failing stay listed in
        ``failed_effects()`` until retried."""
        check_identifier(endpoint_id, "the webhook endpoint id")
        with self._uow() as uow:
            if not uow.webhooks.remove(endpoint_id):
                raise WebhookEndpointNotFound(
                    f"this shop has no webhook endpoint {endpoint_id!r}; list webhooks() to "
                    "see them."
                )
            uow.commit()
