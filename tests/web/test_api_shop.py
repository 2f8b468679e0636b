"""The Returns list, manual refunds, stock, labels and the report over HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from order_cancellation import Order, Sales
from tests.web.conftest import Client, price


def test_the_returns_list_shows_the_refund_order_of_a_cancel(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    items = api.get("/api/refund-orders").json()["items"]
    assert [item["id"] for item in items] == [refund.id]


def test_the_returns_list_filters_by_order_and_pending(
    api: Client, acme: Sales, placed: Order
) -> None:
    acme.cancel_order("A-1")  # paid by card: the money is owed by hand, so still pending
    assert len(api.get("/api/refund-orders?order_id=A-1&pending=true").json()["items"]) == 1
    assert api.get("/api/refund-orders?pending=false").json()["items"] == []


def test_a_refund_order_reads_back_with_its_effects(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    body = api.get(f"/api/refund-orders/{refund.id}").json()
    assert body["stock_status"] == "done"
    assert body["payment_status"] == "manual_refund_required"


def test_retrying_a_refund_order_with_nothing_failed_is_a_409(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    reply = api.post(f"/api/refund-orders/{refund.id}/retry")
    assert reply.status_code == 409
    assert reply.json()["error"] == "EffectNotRetryable"


def test_manual_refunds_owed_lists_money_to_pay_back_by_hand(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    assert [item["id"] for item in api.get("/api/manual-refunds").json()["items"]] == [refund.id]


def test_marking_a_manual_refund_done_takes_it_off_the_list(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    reply = api.post(f"/api/manual-refunds/{refund.id}/done", {"note": "bank transfer"})
    assert reply.status_code == 200
    assert reply.json()["payment_status"] == "manually_refunded"
    assert acme.manual_refunds_owed() == []


def test_marking_part_of_a_manual_refund_keeps_the_rest_owed(
    api: Client, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    api.post(f"/api/manual-refunds/{refund.id}/done", {"amount": price(500)})
    assert acme.get_refund_order(refund.id).manual_amount.minor == 2000


def test_stock_is_read_and_set_per_sku(api: Client, acme: Sales) -> None:
    assert api.put("/api/stock/CAP", {"quantity": 7}).json() == {"sku": "CAP", "quantity": 7}
    assert api.get("/api/stock/CAP").json()["quantity"] == 7
    assert api.get("/api/stock").json()["levels"]["CAP"] == 7
    assert acme.stock_level("CAP") == 7


def test_a_label_defined_over_http_can_be_chosen_when_canceling(
    api: Client, acme: Sales, placed: Order
) -> None:
    reply = api.post("/api/labels", {"label": "Canceled - out of stock"})
    assert reply.status_code == 201
    assert api.get("/api/labels").json()["labels"]["Canceled - out of stock"] == "canceled"
    api.post("/api/orders/A-1/cancel", {"status": "Canceled - out of stock"})
    assert acme.get_order("A-1").status == "Canceled - out of stock"


def test_the_report_nets_a_canceled_order_to_zero(api: Client, acme: Sales, placed: Order) -> None:
    acme.cancel_order("A-1")
    today = datetime.now(UTC).date().isoformat()
    row = api.get(f"/api/report?day={today}").json()["totals"][0]
    assert (row["gross"]["minor"], row["refunds"]["minor"], row["net"]["minor"]) == (2500, 2500, 0)


def test_the_report_covers_a_period_given_by_start_and_end(
    api: Client, acme: Sales, placed: Order
) -> None:
    start = (datetime.now(UTC) - timedelta(days=7)).isoformat()
    end = (datetime.now(UTC) + timedelta(days=1)).isoformat()

    reply = api.get("/api/report?" + urlencode({"start": start, "end": end}))

    assert reply.status_code == 200
    assert reply.json()["totals"][0]["gross"]["minor"] == 2500


def test_a_report_without_a_day_or_a_whole_period_is_422(api: Client) -> None:
    reply = api.get("/api/report?" + urlencode({"start": "2026-11-01T00:00:00Z"}))

    assert reply.status_code == 422
    assert "?day=" in reply.json()["detail"]


def test_a_report_period_without_an_offset_is_422(api: Client) -> None:
    reply = api.get("/api/report?start=2026-11-01&end=2026-11-02")

    assert reply.status_code == 422
    assert "with its offset" in reply.json()["detail"]
