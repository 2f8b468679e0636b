"""Webhook endpoints in SQLite (table ``webhook_endpoints``, migration 3)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from order_cancellation.adapters.sqlite.columns import corrupted, utc_datetime, utc_text
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.webhooks import WebhookEndpoint


class SQLiteWebhookEndpoints:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def add(self, endpoint: WebhookEndpoint) -> None:
        self._db.run(
            "INSERT INTO webhook_endpoints (shop, id, url, secret, event_types, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                self._shop,
                endpoint.id,
                endpoint.url,
                endpoint.secret,
                json.dumps(list(endpoint.event_types)),
                utc_text(endpoint.created_at),
            ),
            conflict=f"a webhook endpoint {endpoint.id!r} exists already.",
        )

    def remove(self, endpoint_id: str) -> bool:
        cursor = self._db.run(
            "DELETE FROM webhook_endpoints WHERE shop = ? AND id = ?", (self._shop, endpoint_id)
        )
        return cursor.rowcount > 0

    def list(self) -> Sequence[WebhookEndpoint]:
        rows = self._db.run(
            "SELECT id, url, secret, event_types, created_at FROM webhook_endpoints"
            " WHERE shop = ? ORDER BY created_at, id",
            (self._shop,),
        ).fetchall()
        return [self._endpoint(*row) for row in rows]

    def _endpoint(
        self, endpoint_id: str, url: str, secret: str, types: str, created: str
    ) -> WebhookEndpoint:
        what = f"webhook endpoint {endpoint_id!r} of shop {self._shop!r}"
        try:
            event_types = json.loads(types)
            return WebhookEndpoint(
                id=endpoint_id,
                url=url,
                secret=secret,
                event_types=tuple(event_types),
                created_at=utc_datetime(created, what=what),
            )
        except (ValueError, TypeError, InvalidInput) as error:
            raise corrupted(what, f"it does not read back ({error})") from error
