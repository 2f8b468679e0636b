"""Errors are RFC 9457 problem details carrying the library's error codes."""

from __future__ import annotations

from typing import Any

from order_cancellation import Order, Sales
from tests.web.conftest import Client, order_body


def test_an_unknown_order_is_a_404_problem(api: Client) -> None:
    reply = api.get("/api/orders/NOPE")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"
    body = reply.json()
    assert body["code"] == "not_found"
    assert body["type"].endswith("/not_found")
    assert body["error"] == "OrderNotFound"
    assert "NOPE" in body["detail"]


def test_a_second_cancel_is_a_409_already_canceled(api: Client, acme: Sales, placed: Order) -> None:
    api.post("/api/orders/A-1/cancel", {})
    reply = api.post("/api/orders/A-1/cancel", {})
    assert reply.status_code == 409
    assert reply.json()["code"] == "already_canceled"


def test_an_unknown_cancel_label_is_a_422_and_changes_nothing(
    api: Client, acme: Sales, placed: Order
) -> None:
    reply = api.post("/api/orders/A-1/cancel", {"status": "Gone fishing"})
    assert reply.status_code == 422
    assert reply.json()["error"] == "UnknownStatusLabel"
    assert acme.get_order("A-1").state == "open"


def test_a_misspelt_field_is_a_422_naming_it(api: Client, placed: Order) -> None:
    reply = api.post("/api/orders/A-1/cancel", {"reasn": "typo"})
    assert reply.status_code == 422
    assert "'reasn'" in reply.json()["detail"]


def test_a_body_that_is_not_json_is_a_400(api: Client, placed: Order) -> None:
    reply = api.http.post("/api/orders/A-1/cancel", content=b"{oops", headers=api.headers())
    assert reply.status_code == 400
    assert reply.json()["code"] == "malformed"


def test_an_if_match_that_is_no_etag_is_a_412(api: Client, placed: Order) -> None:
    reply = api.post("/api/orders/A-1/cancel", {}, **{"If-Match": "yesterday"})
    assert reply.status_code == 412


def test_a_money_amount_without_minor_units_is_a_422(api: Client) -> None:
    body: Any = order_body()
    body["lines"][0]["unit_price"] = {"amount": "12.50", "currency": "EUR"}
    reply = api.post("/api/orders", body)
    assert reply.status_code == 422
    assert "minor" in reply.json()["detail"]


def test_placing_an_existing_order_id_is_a_409_already_exists(api: Client, placed: Order) -> None:
    reply = api.post("/api/orders", {**order_body(), "order_id": "A-1"})
    assert reply.status_code == 409
    assert reply.json()["code"] == "already_exists"


def test_an_unknown_api_path_is_a_404_problem(api: Client) -> None:
    reply = api.get("/api/nothing-here")
    assert reply.status_code == 404
    assert reply.headers["content-type"] == "application/problem+json"
