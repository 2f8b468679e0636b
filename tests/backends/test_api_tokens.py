"""Every backend keeps API tokens the same way: per shop, hashed, revocable, surviving a
reopen of the store (migration 4 on SQLite and PostgreSQL)."""

from __future__ import annotations

from order_cancellation import Sales
from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.ports.backend import Backend
from tests.backends.conftest import BackendFactory


def _shop(factory: BackendFactory | Backend, shop: str) -> Sales:
    backend = factory if not callable(factory) else factory()
    return Sales(
        shop=shop,
        backend=backend,
        gateways={},
        default_gateway=ManualPaymentGateway(),
        clock=SystemClock(),
    )


def test_a_token_is_checked_after_the_store_is_reopened(backend_factory: BackendFactory) -> None:
    text, _ = _shop(backend_factory, "acme").create_api_token(name="pos")
    reopened = _shop(backend_factory, "acme")
    assert reopened.accepts_api_token(text)
    assert [token.name for token in reopened.api_tokens()] == ["pos"]


def test_a_token_belongs_to_one_shop_on_a_shared_store(backend_factory: BackendFactory) -> None:
    shared = backend_factory()
    acme = _shop(shared, "acme")
    text, _ = acme.create_api_token()
    bolt = _shop(shared, "bolt")
    assert not bolt.accepts_api_token(text)
    assert bolt.api_tokens() == []


def test_revoking_twice_keeps_the_first_revocation(backend_factory: BackendFactory) -> None:
    acme = _shop(backend_factory, "acme")
    text, token = acme.create_api_token()
    first = acme.revoke_api_token(token.id).revoked_at
    second = acme.revoke_api_token(token.id).revoked_at
    assert first is not None
    assert first == second
    assert not _shop(backend_factory, "acme").accepts_api_token(text)
