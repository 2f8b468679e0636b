"""Webhook endpoints in any SQL store (table ``webhook_endpoints``, migration 3)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.sql.dialect import Dialect, Row, Runner
from order_cancellation.adapters.sql.rows import corrupted
from order_cancellation.domain.errors import ConcurrencyConflict, InvalidInput
from order_cancellation.domain.webhooks import WebhookEndpoint

_ADD: Final = (
    "INSERT INTO {t}webhook_endpoints (shop, id, url, secret, event_types, created_at)"
    " VALUES (?, ?, ?, ?, ?{json}, ?) ON CONFLICT (shop, id) DO NOTHING"
)
_REMOVE: Final = "DELETE FROM {t}webhook_endpoints WHERE shop = ? AND id = ?"
_LIST: Final = (
    "SELECT id, url, secret, event_types{json}, created_at FROM {t}webhook_endpoints"
    " WHERE shop = ? ORDER BY created_at, id"
)


class SQLWebhookEndpoints:
    def __init__(self, db: Runner, dialect: Dialect, shop: str) -> None:
        self._db, self._dialect, self._shop = db, dialect, shop

    def add(self, endpoint: WebhookEndpoint) -> None:
        added = self._db.run(
            self._dialect.sql(_ADD),
            (
                self._shop,
                endpoint.id,
                endpoint.url,
                endpoint.secret,
                json.dumps(list(endpoint.event_types)),
                self._dialect.write_time(endpoint.created_at),
            ),
            "adding a webhook endpoint",
        )
        if not added:
            raise ConcurrencyConflict(f"a webhook endpoint {endpoint.id!r} exists already.")

    def remove(self, endpoint_id: str) -> bool:
        removed = self._db.run(
            self._dialect.sql(_REMOVE), (self._shop, endpoint_id), "removing a webhook endpoint"
        )
        return removed > 0

    def list(self) -> Sequence[WebhookEndpoint]:
        rows = self._db.rows(self._dialect.sql(_LIST), (self._shop,), "listing webhook endpoints")
        return [self._endpoint(row) for row in rows]

    def _endpoint(self, row: Row) -> WebhookEndpoint:
        endpoint_id, url, secret, types, created = row
        what = f"webhook endpoint {endpoint_id!r} of shop {self._shop!r}"
        try:
            return WebhookEndpoint(
                id=endpoint_id,
                url=url,
                secret=secret,
                event_types=tuple(json.loads(types)),
                created_at=self._dialect.read_time(created, what),
            )
        except (ValueError, TypeError, InvalidInput) as error:
            raise corrupted(what, f"it does not read back ({error})") from error
