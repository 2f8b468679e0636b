"""The webhook endpoints contract: every backend keeps a shop's endpoints, and only its own.
Part of :class:`~order_cancellation.testing.contracts.BackendContract`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation.domain.errors import ConcurrencyConflict
from order_cancellation.domain.webhooks import WebhookEndpoint, new_secret
from order_cancellation.ports.backend import Backend

SHOP = "shop-a"
OTHER_SHOP = "shop-b"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _endpoint(endpoint_id: str, minutes: int = 0, *types: str) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=endpoint_id,
        url=f"https://example.com/{endpoint_id}",
        secret=new_secret(),
        event_types=types,
        created_at=T0 + timedelta(minutes=minutes),
    )


class WebhookEndpointsContract:
    def test_endpoints_are_kept_and_listed_oldest_first(self, backend: Backend) -> None:
        second, first = _endpoint("wh-2", 5, "order.canceled"), _endpoint("wh-1", 1)
        with backend.unit_of_work(SHOP) as uow:
            uow.webhooks.add(second)
            uow.webhooks.add(first)
            uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.webhooks.list()) == [first, second]
        with backend.unit_of_work(OTHER_SHOP) as uow:
            assert list(uow.webhooks.list()) == []

    def test_a_removed_endpoint_is_gone_and_removing_it_again_says_so(
        self, backend: Backend
    ) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.webhooks.add(_endpoint("wh-1"))
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.webhooks.remove("wh-1") is True
            uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            assert uow.webhooks.remove("wh-1") is False
            assert list(uow.webhooks.list()) == []

    def test_an_endpoint_id_is_used_once_per_shop(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.webhooks.add(_endpoint("wh-1"))
            uow.commit()

        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.webhooks.add(_endpoint("wh-1"))
            uow.commit()

    def test_an_endpoint_added_without_commit_is_not_kept(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.webhooks.add(_endpoint("wh-1"))

        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.webhooks.list()) == []
