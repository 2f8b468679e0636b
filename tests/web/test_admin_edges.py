"""The admin's less travelled paths: what a merchant sees when a search, a period, a form or
a link does not work out, and signing out."""

from __future__ import annotations

from starlette.testclient import TestClient

from order_cancellation import Order, Sales
from tests.web.conftest import csrf, post


def test_searching_a_missing_order_says_so_in_the_list(admin: TestClient) -> None:
    page = admin.get("/orders?q=NOPE").text
    assert "No order &#39;NOPE&#39; in this shop." in page


def test_a_bad_paging_cursor_is_shown_not_crashed(admin: TestClient) -> None:
    reply = admin.get("/orders?after=garbage")
    assert reply.status_code == 200
    assert 'class="error"' in reply.text


def test_a_missing_order_page_is_a_404_in_plain_words(admin: TestClient) -> None:
    reply = admin.get("/orders/NOPE")
    assert reply.status_code == 404
    assert "There is no such record in this shop." in reply.text
    assert admin.get("/orders/NOPE/return").status_code == 404


def test_a_report_period_too_long_falls_back_with_a_message(admin: TestClient) -> None:
    page = admin.get("/report?from=2026-01-01&to=2026-12-31").text
    assert "Choose a period of 1 to 62 days" in page


def test_a_report_date_that_is_no_date_uses_the_default(admin: TestClient) -> None:
    assert admin.get("/report?from=someday").status_code == 200


def test_units_that_are_no_number_are_refused_in_the_return_form(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.fulfill("A-1")
    line = acme.get_order("A-1").lines[0].id
    reply = post(admin, "/orders/A-1/return", "/orders/A-1/return", {f"units-{line}": "two"})
    assert reply.status_code == 422
    assert "Units are whole numbers." in reply.text
    assert acme.refund_orders() == []


def test_a_return_of_nothing_asks_for_an_item(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.fulfill("A-1")
    reply = post(admin, "/orders/A-1/return", "/orders/A-1/return", {"reason": "none"})
    assert reply.status_code == 409
    assert 'role="alert"' in reply.text


def test_retrying_with_nothing_failed_says_why(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    page = post(admin, "/returns", f"/returns/{refund.id}/retry", {}).text
    assert f"Could not retry {refund.id}" in page


def test_marking_an_unknown_refund_as_refunded_says_so(admin: TestClient) -> None:
    page = post(admin, "/manual-refunds", "/manual-refunds/NOPE/done", {}).text
    assert "There is no such record in this shop." in page


def test_signing_in_with_an_expired_form_is_refused(http: TestClient, acme: Sales) -> None:
    token = acme.create_api_token()[0]
    reply = http.post("/sign-in", data={"token": token, "csrf_token": "stale"})
    assert reply.status_code == 403
    assert http.get("/orders", follow_redirects=False).status_code == 303


def test_sign_in_never_redirects_off_site(http: TestClient, acme: Sales) -> None:
    token = acme.create_api_token()[0]
    form = http.get("/sign-in?next=//evil.example").text
    reply = http.post(
        "/sign-in?next=//evil.example",
        data={"token": token, "csrf_token": csrf(form)},
        follow_redirects=False,
    )
    assert reply.headers["location"] == "/orders"


def test_signing_out_ends_the_session(admin: TestClient) -> None:
    post(admin, "/orders", "/sign-out", {})
    assert admin.get("/orders", follow_redirects=False).status_code == 303


def test_the_home_page_leads_to_sales(admin: TestClient) -> None:
    assert admin.get("/").url.path == "/orders"
