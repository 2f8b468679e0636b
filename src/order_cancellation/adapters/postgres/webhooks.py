"""Webhook endpoints in PostgreSQL (table ``webhook_endpoints``, migration 3)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from order_cancellation.adapters.postgres.connection import Row, Session, corrupted, utc
from order_cancellation.domain.errors import ConcurrencyConflict, InvalidInput
from order_cancellation.domain.webhooks import WebhookEndpoint


class PostgresWebhookEndpoints:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, endpoint: WebhookEndpoint) -> None:
        added = self._s.run(
            "INSERT INTO {schema}.webhook_endpoints"
            " (shop, id, url, secret, event_types, created_at)"
            " VALUES (%s, %s, %s, %s, %s::jsonb, %s) ON CONFLICT (shop, id) DO NOTHING",
            (
                self._s.shop,
                endpoint.id,
                endpoint.url,
                endpoint.secret,
                json.dumps(list(endpoint.event_types)),
                utc(endpoint.created_at),
            ),
            "adding a webhook endpoint",
        )
        if not added:
            raise ConcurrencyConflict(f"a webhook endpoint {endpoint.id!r} exists already.")

    def remove(self, endpoint_id: str) -> bool:
        removed = self._s.run(
            "DELETE FROM {schema}.webhook_endpoints WHERE shop = %s AND id = %s",
            (self._s.shop, endpoint_id),
            "removing a webhook endpoint",
        )
        return removed > 0

    def list(self) -> Sequence[WebhookEndpoint]:
        rows = self._s.rows(
            "SELECT id, url, secret, event_types::text, created_at"
            " FROM {schema}.webhook_endpoints WHERE shop = %s ORDER BY created_at, id",
            (self._s.shop,),
            "listing webhook endpoints",
        )
        return [self._endpoint(row) for row in rows]

    def _endpoint(self, row: Row) -> WebhookEndpoint:
        endpoint_id, url, secret, types, created = row
        what = f"webhook endpoint {endpoint_id!r} of shop {self._s.shop!r}"
        try:
            return WebhookEndpoint(
                id=endpoint_id,
                url=url,
                secret=secret,
                event_types=tuple(json.loads(types)),
                created_at=utc(created),
            )
        except (ValueError, TypeError, InvalidInput) as error:
            raise corrupted(what, f"it does not read back ({error})") from error
