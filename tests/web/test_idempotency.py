"""Idempotency-Key over HTTP: a replay returns the first result and does nothing again."""

from __future__ import annotations

from order_cancellation import Order, Sales
from tests.web.conftest import Client, order_body, price


def test_a_replayed_place_creates_one_order(api: Client, acme: Sales) -> None:
    first = api.post("/api/orders", order_body(), **{"Idempotency-Key": "place-1"})
    again = api.post("/api/orders", order_body(), **{"Idempotency-Key": "place-1"})
    assert first.json()["id"] == again.json()["id"]
    assert len(acme.orders()) == 1
    assert acme.stock_level("MUG") == 8


def test_a_replayed_cancel_returns_the_same_refund_order(
    api: Client, acme: Sales, placed: Order
) -> None:
    first = api.post("/api/orders/A-1/cancel", {}, **{"Idempotency-Key": "cancel-1"})
    again = api.post("/api/orders/A-1/cancel", {}, **{"Idempotency-Key": "cancel-1"})
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert len(acme.refund_orders()) == 1
    assert acme.stock_level("MUG") == 10


def test_a_replayed_refund_refunds_once(api: Client, acme: Sales, placed: Order) -> None:
    for _ in range(3):
        api.post("/api/orders/A-1/refunds", {"amount": price(200)}, **{"Idempotency-Key": "r"})
    assert acme.get_order("A-1").adjusted_amount.minor == 200


def test_a_key_reused_for_another_command_is_a_409(api: Client, acme: Sales, placed: Order) -> None:
    api.post("/api/orders/A-1/refunds", {"amount": price(200)}, **{"Idempotency-Key": "k"})
    reply = api.post("/api/orders/A-1/refunds", {"amount": price(300)}, **{"Idempotency-Key": "k"})
    assert reply.status_code == 409
    assert reply.json()["error"] == "IdempotencyKeyReused"
    assert acme.get_order("A-1").adjusted_amount.minor == 200


def test_a_replayed_manual_refund_done_records_it_once(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    url = f"/api/manual-refunds/{refund.id}/done"
    for _ in range(2):
        reply = api.post(url, {"amount": price(500)}, **{"Idempotency-Key": "paid-1"})
        assert reply.status_code == 200
    assert acme.get_refund_order(refund.id).manual_amount.minor == 2000
