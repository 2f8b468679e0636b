"""The shops a server hosts: ``Sales.for_shop``, the directory's workers for deferred
effects, and the hook through which a platform's own login names the shop."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request
from starlette.testclient import TestClient

from order_cancellation import LineItem, Money, Sales
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.domain.errors import InvalidOption
from order_cancellation.web import ShopDirectory, create_app
from tests.web.conftest import order_body


def test_for_shop_shares_the_backend_but_not_the_records(acme: Sales) -> None:
    bolt = acme.for_shop("bolt")
    assert bolt.shop == "bolt"
    assert bolt.stock_levels() == {}
    bolt.set_stock("MUG", 3)
    assert acme.stock_level("MUG") == 10


def test_for_shop_needs_a_sales_made_by_a_factory() -> None:
    from order_cancellation.adapters.clock import SystemClock
    from order_cancellation.adapters.manual import ManualPaymentGateway
    from order_cancellation.adapters.memory import MemoryBackend

    bare = Sales(
        shop="acme",
        backend=MemoryBackend(),
        gateways={},
        default_gateway=ManualPaymentGateway(),
        clock=SystemClock(),
    )
    with pytest.raises(InvalidOption, match="factory"):
        bare.for_shop("bolt")


def test_a_worker_delivers_deferred_effects_of_a_shop_first_seen_later(tmp_path: object) -> None:
    with SQLiteBackend(f"{tmp_path}/shop.db") as backend:
        root = Sales.sqlite(backend=backend, shop="default", effects="deferred")
        shops = ShopDirectory(root, workers=True, poll_interval=0.05)
        try:
            acme = shops.sales("acme")
            acme.set_stock("MUG", 5)
            order = acme.place_order([LineItem("MUG", 2, Money.of("3", "EUR"))])
            acme.cancel_order(order.id)
            deadline = time.monotonic() + 10
            while acme.stock_level("MUG") != 5 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert acme.stock_level("MUG") == 5
        finally:
            shops.close()


def test_a_platform_hook_names_the_shop_instead_of_a_token(acme: Sales) -> None:
    def platform_login(request: Request) -> str | None:
        # Stands for a platform's own session: here, a header its proxy sets.
        return request.headers.get("x-platform-shop")

    app = create_app(acme, shop_from_request=platform_login)
    with TestClient(app) as http:
        placed = http.post("/api/orders", json=order_body(), headers={"x-platform-shop": "acme"})
        refused = http.get("/api/stock")
        page = http.get("/orders", headers={"x-platform-shop": "acme"})
    assert placed.status_code == 201
    assert acme.stock_level("MUG") == 8
    assert refused.status_code == 401
    assert page.status_code == 200
