"""A valid token of another shop, on every operation: acme's records answer 404 exactly as a
missing one would, listings show none of them, and nothing of acme changes."""

from __future__ import annotations

from typing import Any

import pytest

from order_cancellation import Order, Sales
from order_cancellation.web.api.routes import OPERATIONS
from tests.web.conftest import Client, order_body, price

BODIES: dict[str, Any] = {
    "placeOrder": order_body(),
    "fulfillOrder": {"quantities": {"MUG": 1}},
    "cancelOrder": {"reason": "not yours"},
    "cancelUnfulfilled": {},
    "refundOrder": {"amount": price(100)},
    "createReturn": {"quantities": {"MUG": 1}},
    "markManualRefundDone": {"note": "x"},
    "setStock": {"quantity": 1},
    "defineStatusLabel": {"label": "Canceled - by rival"},
}


def snapshot(sales: Sales) -> object:
    return (
        [(order.id, order.version, order.status) for order in sales.orders(limit=500)],
        [(refund.id, refund.payment_status) for refund in sales.refund_orders()],
        sales.stock_levels(),
        sales.status_labels(),
    )


@pytest.fixture
def acme_refund_id(acme: Sales, placed: Order) -> str:
    return acme.cancel_order("A-1").id


def _url(path: str, refund_id: str) -> str:
    return "/api" + path.format(order_id="A-1", refund_order_id=refund_id, sku="MUG")


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.operation_id)
def test_another_shops_token_never_reaches_acme(
    operation: Any, rival: Client, acme: Sales, acme_refund_id: str
) -> None:
    before = snapshot(acme)
    url = _url(operation.path, acme_refund_id)
    if operation.operation_id == "salesReport":
        url += "?day=2026-01-05"
    body = BODIES.get(operation.operation_id)
    reply = rival.http.request(operation.method, url, json=body, headers=rival.headers())
    if "{order_id}" in operation.path or "{refund_order_id}" in operation.path:
        assert reply.status_code == 404, reply.text
        assert reply.json()["code"] == "not_found"
    else:
        assert reply.status_code < 400, reply.text
        assert "A-1" not in reply.text
        assert acme_refund_id not in reply.text
    assert snapshot(acme) == before


def test_another_shops_404_reads_like_a_missing_order(rival: Client, api: Client) -> None:
    acme_order = api.post("/api/orders", {**order_body(), "order_id": "SECRET"}).json()["id"]
    theirs = rival.get(f"/api/orders/{acme_order}").json()
    missing = rival.get("/api/orders/NO-SUCH").json()
    assert theirs["detail"].replace("SECRET", "X") == missing["detail"].replace("NO-SUCH", "X")
    assert theirs["status"] == missing["status"] == 404


def test_no_credential_is_a_401_problem(http: Any, placed: Order) -> None:
    reply = http.get("/api/orders/A-1")
    assert reply.status_code == 401
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["www-authenticate"].startswith("Bearer")


def test_a_revoked_token_is_a_401(api: Client, acme: Sales, placed: Order) -> None:
    for token in acme.api_tokens():
        acme.revoke_api_token(token.id)
    assert api.get("/api/orders/A-1").status_code == 401


def test_a_token_naming_a_shop_it_was_not_made_for_is_a_401(
    rival: Client, acme: Sales, placed: Order
) -> None:
    from order_cancellation.domain.tokens import TokenParts, parse_token, token_text

    forged = token_text(TokenParts(shop="acme", **_id_and_secret(parse_token(rival.token))))
    assert Client(rival.http, forged).get("/api/orders/A-1").status_code == 401


def _id_and_secret(parts: Any) -> dict[str, str]:
    return {"token_id": parts.token_id, "secret": parts.secret}
