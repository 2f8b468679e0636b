"""The API tokens contract: every backend keeps a shop's token records (hashes only), and
only its own. Part of :class:`~order_cancellation.testing.contracts.BackendContract`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation.domain.errors import ConcurrencyConflict
from order_cancellation.domain.tokens import ApiToken, secret_hash
from order_cancellation.ports.backend import Backend

SHOP = "shop-a"
OTHER_SHOP = "shop-b"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _token(token_id: str, minutes: int = 0) -> ApiToken:
    return ApiToken(
        id=token_id,
        name=f"holder of {token_id}",
        secret_hash=secret_hash(f"secret of {token_id}"),
        created_at=T0 + timedelta(minutes=minutes),
    )


class ApiTokensContract:
    def test_tokens_are_kept_and_listed_oldest_first(self, backend: Backend) -> None:
        second, first = _token("tok-2", 5), _token("tok-1", 1)
        with backend.unit_of_work(SHOP) as uow:
            uow.api_tokens.add(second)
            uow.api_tokens.add(first)
            uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.api_tokens.list()) == [first, second]
            assert uow.api_tokens.get("tok-1") == first
        with backend.unit_of_work(OTHER_SHOP) as uow:
            assert list(uow.api_tokens.list()) == []
            assert uow.api_tokens.get("tok-1") is None

    def test_a_revoked_token_keeps_its_first_revocation_time(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.api_tokens.add(_token("tok-1"))
            uow.commit()
        for minutes in (10, 20):
            with backend.unit_of_work(SHOP) as uow:
                assert uow.api_tokens.revoke("tok-1", T0 + timedelta(minutes=minutes)) is True
                uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            token = uow.api_tokens.get("tok-1")
            assert token is not None
            assert token.revoked_at == T0 + timedelta(minutes=10)
            assert uow.api_tokens.revoke("tok-missing", T0) is False

    def test_another_shop_cannot_revoke_a_token(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.api_tokens.add(_token("tok-1"))
            uow.commit()
        with backend.unit_of_work(OTHER_SHOP) as uow:
            assert uow.api_tokens.revoke("tok-1", T0) is False
            uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            token = uow.api_tokens.get("tok-1")
            assert token is not None
            assert token.active

    def test_a_token_id_is_used_once_per_shop(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.api_tokens.add(_token("tok-1"))
            uow.commit()
        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.api_tokens.add(_token("tok-1"))
            uow.commit()
        with backend.unit_of_work(OTHER_SHOP) as uow:
            uow.api_tokens.add(_token("tok-1"))
            uow.commit()
