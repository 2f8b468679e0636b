"""Two shops on one in-memory backend behind the web app, each with a live API token.

``acme`` is the shop under test; ``bolt`` is the other shop, whose valid token must never
reach acme's records. ``api`` is a Starlette TestClient speaking for acme.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
import pytest
from starlette.testclient import TestClient

from order_cancellation import Money, Order, Sales
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.web import create_app


@attrs.frozen
class Client:
    """HTTP calls with one shop's token."""

    http: TestClient
    token: str

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def get(self, path: str, **headers: str) -> Any:
        return self.http.get(path, headers=self.headers(**headers))

    def post(self, path: str, body: object = None, **headers: str) -> Any:
        return self.http.post(path, json=body, headers=self.headers(**headers))

    def put(self, path: str, body: object = None, **headers: str) -> Any:
        return self.http.put(path, json=body, headers=self.headers(**headers))


def price(minor: int) -> dict[str, object]:
    return {"minor": minor, "currency": "EUR"}


def order_body(sku: str = "MUG", quantity: int = 2, minor: int = 1250) -> dict[str, object]:
    return {"lines": [{"sku": sku, "quantity": quantity, "unit_price": price(minor)}]}


@pytest.fixture
def backend() -> MemoryBackend:
    return MemoryBackend()


@pytest.fixture
def acme(backend: MemoryBackend) -> Sales:
    sales = Sales.in_memory("acme", backend=backend)
    sales.set_stock("MUG", 10)
    sales.set_stock("TEE", 10)
    return sales


@pytest.fixture
def bolt(acme: Sales) -> Sales:
    sales = acme.for_shop("bolt")
    sales.set_stock("MUG", 5)
    return sales


@pytest.fixture
def http(acme: Sales) -> Iterator[TestClient]:
    with TestClient(create_app(acme, session_secret="test-secret")) as client:
        yield client


@pytest.fixture
def api(http: TestClient, acme: Sales) -> Client:
    return Client(http, acme.create_api_token(name="tests")[0])


@pytest.fixture
def rival(http: TestClient, bolt: Sales) -> Client:
    """A valid token, of the other shop."""
    return Client(http, bolt.create_api_token(name="rival")[0])


@pytest.fixture
def placed(acme: Sales) -> Order:
    """An open order of acme: 2 x MUG at 12.50 EUR, paid by card (refunded by hand)."""
    from order_cancellation import LineItem, PaymentRef

    return acme.place_order(
        [LineItem("MUG", 2, Money.of("12.50", "EUR"))],
        payment=PaymentRef(provider="card", reference="pay-1"),
        order_id="A-1",
    )


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match is not None, "the page has no CSRF field"
    return match.group(1)


@pytest.fixture
def admin(http: TestClient, acme: Sales) -> TestClient:
    """A browser session signed in to acme."""
    token = acme.create_api_token(name="merchant")[0]
    form = http.get("/sign-in").text
    http.post("/sign-in", data={"token": token, "csrf_token": csrf(form)})
    return http


def post(admin: TestClient, page_url: str, action: str, data: dict[str, str]) -> Any:
    token = csrf(admin.get(page_url).text)
    return admin.post(action, data={**data, "csrf_token": token})
