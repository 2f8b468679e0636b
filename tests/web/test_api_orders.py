"""The order endpoints, one behaviour each, asserted on the shop as well as on the reply."""

from __future__ import annotations

from order_cancellation import Order, Sales
from tests.web.conftest import Client, order_body, price


def test_placing_an_order_answers_201_with_its_form_and_etag(api: Client, acme: Sales) -> None:
    reply = api.post("/api/orders", {**order_body(), "order_id": "W-1"})
    assert reply.status_code == 201
    assert reply.json()["id"] == "W-1"
    assert reply.json()["total"]["minor"] == 2500
    assert reply.headers["etag"] == '"1"'
    assert acme.stock_level("MUG") == 8


def test_placing_with_a_payment_records_it(api: Client, acme: Sales) -> None:
    body = {**order_body(), "payment": {"provider": "card", "reference": "p-9"}}
    order_id = api.post("/api/orders", body).json()["id"]
    payment = acme.get_order(order_id).payment
    assert payment is not None
    assert payment.reference == "p-9"


def test_an_order_reads_back_with_its_version_as_etag(api: Client, placed: Order) -> None:
    reply = api.get("/api/orders/A-1")
    assert reply.status_code == 200
    assert reply.json()["lines"][0]["sku"] == "MUG"
    assert reply.headers["etag"] == f'"{placed.version}"'


def test_the_orders_list_pages_newest_first(api: Client, acme: Sales) -> None:
    for number in range(3):
        api.post("/api/orders", {**order_body(quantity=1), "order_id": f"P-{number}"})
    first = api.get("/api/orders?limit=2").json()
    second = api.get(f"/api/orders?limit=2&after={first['next_cursor']}").json()
    ids = [order["id"] for order in first["items"] + second["items"]]
    assert sorted(ids) == ["P-0", "P-1", "P-2"]
    assert second["next_cursor"] is None


def test_the_orders_list_filters_by_state(api: Client, acme: Sales, placed: Order) -> None:
    api.post("/api/orders/A-1/cancel", {})
    api.post("/api/orders", {**order_body(), "order_id": "A-2"})
    canceled = api.get("/api/orders?state=canceled").json()["items"]
    assert [order["id"] for order in canceled] == ["A-1"]


def test_fulfilling_ships_the_units_given(api: Client, acme: Sales, placed: Order) -> None:
    reply = api.post("/api/orders/A-1/fulfill", {"quantities": {"MUG": 1}})
    assert reply.status_code == 200
    assert acme.get_order("A-1").lines[0].fulfilled == 1
    assert reply.headers["etag"] == f'"{acme.get_order("A-1").version}"'


def test_canceling_returns_the_refund_order_and_puts_the_stock_back(
    api: Client, acme: Sales, placed: Order
) -> None:
    acme.define_status_label("Canceled - out of stock")
    reply = api.post(
        "/api/orders/A-1/cancel", {"status": "Canceled - out of stock", "reason": "no stock"}
    )
    assert reply.status_code == 201
    assert reply.json()["kind"] == "cancellation"
    assert reply.json()["amount"]["minor"] == 2500
    assert acme.get_order("A-1").status == "Canceled - out of stock"
    assert acme.stock_level("MUG") == 10


def test_canceling_a_fulfilled_order_is_a_409_pointing_to_a_return(
    api: Client, acme: Sales, placed: Order
) -> None:
    acme.fulfill("A-1")
    reply = api.post("/api/orders/A-1/cancel", {})
    assert reply.status_code == 409
    assert reply.json()["error"] == "OrderFulfilledError"
    assert acme.get_order("A-1").state == "fulfilled"


def test_canceling_the_unshipped_rest_cancels_only_those_units(
    api: Client, acme: Sales, placed: Order
) -> None:
    acme.fulfill("A-1", {"MUG": 1})
    reply = api.post("/api/orders/A-1/cancel-unfulfilled", {"reason": "rest out of stock"})
    assert reply.status_code == 201
    assert acme.get_order("A-1").lines[0].canceled == 1


def test_a_refund_of_any_amount_makes_an_adjustment(
    api: Client, acme: Sales, placed: Order
) -> None:
    reply = api.post("/api/orders/A-1/refunds", {"amount": price(300), "reason": "late"})
    assert reply.status_code == 201
    assert reply.json()["kind"] == "adjustment"
    assert acme.get_order("A-1").adjusted_amount.minor == 300


def test_a_return_of_fulfilled_units_restocks_them(api: Client, acme: Sales, placed: Order) -> None:
    acme.fulfill("A-1")
    reply = api.post("/api/orders/A-1/returns", {"quantities": {"MUG": 1}, "reason": "broken"})
    assert reply.status_code == 201
    assert reply.json()["kind"] == "return"
    assert acme.stock_level("MUG") == 9


def test_a_stale_if_match_is_a_412_and_changes_nothing(
    api: Client, acme: Sales, placed: Order
) -> None:
    reply = api.post("/api/orders/A-1/cancel", {}, **{"If-Match": '"99"'})
    assert reply.status_code == 412
    assert reply.json()["code"] == "precondition_failed"
    assert acme.get_order("A-1").state == "open"


def test_a_current_if_match_lets_the_command_through(
    api: Client, acme: Sales, placed: Order
) -> None:
    etag = api.get("/api/orders/A-1").headers["etag"]
    assert api.post("/api/orders/A-1/cancel", {}, **{"If-Match": etag}).status_code == 201
