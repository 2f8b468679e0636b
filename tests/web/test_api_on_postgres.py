"""The API over PostgreSQL, as ``serve --dsn`` runs it: tokens in migration 4's table,
commands, and another shop's token refused, on one shared database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from order_cancellation import Sales
from order_cancellation.web import create_app
from tests.backends.conftest import _drop_schema, postgres_dsn
from tests.web.conftest import order_body

__all__ = ["postgres_dsn"]  # the fixture: skips without a server, fails under CI=true


@pytest.fixture
def on_postgres(postgres_dsn: str) -> Iterator[Sales]:
    schema = f"test_web_{uuid.uuid4().hex[:10]}"
    sales = Sales.postgres(postgres_dsn, shop="acme", schema=schema)
    try:
        yield sales
    finally:
        sales.close()
        _drop_schema(postgres_dsn, schema)


def test_a_cancel_over_http_on_postgres_puts_the_stock_back(on_postgres: Sales) -> None:
    on_postgres.set_stock("MUG", 10)
    bolt = on_postgres.for_shop("bolt")
    bolt.set_stock("MUG", 10)
    token = on_postgres.create_api_token()[0]
    rival = bolt.create_api_token()[0]
    with TestClient(create_app(on_postgres)) as http:
        mine = {"Authorization": f"Bearer {token}"}
        theirs = {"Authorization": f"Bearer {rival}"}
        order = http.post("/api/orders", json=order_body(), headers=mine).json()
        assert http.get(f"/api/orders/{order['id']}", headers=theirs).status_code == 404
        assert http.post(f"/api/orders/{order['id']}/cancel", headers=theirs).status_code == 404
        assert on_postgres.stock_level("MUG") == 8
        assert http.post(f"/api/orders/{order['id']}/cancel", headers=mine).status_code == 201
    assert on_postgres.stock_level("MUG") == 10
    assert bolt.stock_level("MUG") == 10
