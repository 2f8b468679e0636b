"""The admin pages in-process: sign in, the help page's cancel flow, returns, manual
refunds, the report, and the guards (session, CSRF, another shop)."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.testclient import TestClient

from order_cancellation import LineItem, Money, Order, PaymentRef, Sales
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.web import create_app
from tests.web.conftest import csrf, post


def test_pages_send_a_visitor_without_a_session_to_sign_in(http: TestClient) -> None:
    reply = http.get("/orders", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"].startswith("/sign-in")


def test_a_wrong_token_does_not_sign_in(http: TestClient) -> None:
    form = http.get("/sign-in").text
    reply = http.post("/sign-in", data={"token": "oct_x.y.z", "csrf_token": csrf(form)})
    assert reply.status_code == 401
    assert "not a live token" in reply.text


def test_the_session_cookie_is_httponly_and_samesite(http: TestClient, acme: Sales) -> None:
    token = acme.create_api_token()[0]
    form = http.get("/sign-in").text
    reply = http.post(
        "/sign-in", data={"token": token, "csrf_token": csrf(form)}, follow_redirects=False
    )
    cookie = reply.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert token not in reply.headers["set-cookie"]


def test_the_sales_list_finds_an_order_by_id(admin: TestClient, placed: Order) -> None:
    reply = admin.get("/orders?q=A-1")
    assert reply.url.path == "/orders/A-1"


def test_the_sales_list_filters_by_state(admin: TestClient, acme: Sales, placed: Order) -> None:
    acme.place_order([LineItem("TEE", 1, Money.of("9", "EUR"))], order_id="B-1")
    acme.cancel_order("A-1")
    page = admin.get("/orders?state=canceled").text
    assert "A-1" in page
    assert "B-1" not in page


def test_an_open_order_offers_cancel_order_with_canceled_preselected(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.define_status_label("Canceled - out of stock")
    page = admin.get("/orders/A-1").text
    assert 'id="cancel-order"' in page
    assert '<option value="Canceled" selected>' in page
    assert '<option value="Canceled - out of stock" >' in page


def test_confirming_the_cancel_dialog_cancels_with_label_and_reason(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.define_status_label("Canceled - out of stock")
    reply = post(
        admin,
        "/orders/A-1",
        "/orders/A-1/cancel",
        {"status": "Canceled - out of stock", "reason": "supplier failed"},
    )
    assert "Refund order" in reply.text
    order = acme.get_order("A-1")
    assert order.status == "Canceled - out of stock"
    assert order.cancellation is not None
    assert order.cancellation.reason == "supplier failed"
    assert acme.stock_level("MUG") == 10


def test_a_fulfilled_order_has_no_cancel_button_but_create_return(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.fulfill("A-1")
    page = admin.get("/orders/A-1").text
    assert "Cancel Order" not in page
    assert 'id="create-return"' in page


def test_canceling_a_fulfilled_order_says_why_in_the_page(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    token = csrf(admin.get("/orders/A-1").text)
    acme.fulfill("A-1")
    reply = admin.post("/orders/A-1/cancel", data={"csrf_token": token, "status": "Canceled"})
    assert reply.status_code == 409
    assert "Create a return for the fulfilled items instead" in reply.text


def test_creating_a_return_restocks_the_units_chosen(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.fulfill("A-1")
    line = acme.get_order("A-1").lines[0].id
    post(
        admin,
        "/orders/A-1/return",
        "/orders/A-1/return",
        {f"units-{line}": "1", "restock": "on", "reason": "damaged"},
    )
    assert [refund.kind for refund in acme.refund_orders(order_id="A-1")] == ["return"]
    assert acme.stock_level("MUG") == 9


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    reply = admin.post("/orders/A-1/cancel", data={"status": "Canceled"})
    assert reply.status_code == 403
    assert acme.get_order("A-1").state == "open"


def test_the_returns_list_shows_refund_orders_with_their_effects(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    page = admin.get("/returns").text
    assert refund.id in page
    assert "Manual refund required" in page


def test_mark_as_refunded_takes_a_manual_refund_off_the_list(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    refund = acme.cancel_order("A-1")
    assert refund.id in admin.get("/manual-refunds").text
    post(admin, "/manual-refunds", f"/manual-refunds/{refund.id}/done", {"note": "paid"})
    assert acme.manual_refunds_owed() == []


def test_the_report_draws_sales_and_refunds_per_day(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.cancel_order("A-1")
    page = admin.get("/report").text
    assert "<svg" in page
    assert page.count("<rect") == 2 * 14


def test_a_session_of_another_shop_cannot_open_acmes_order(
    http: TestClient, bolt: Sales, placed: Order
) -> None:
    token = bolt.create_api_token()[0]
    form = http.get("/sign-in").text
    http.post("/sign-in", data={"token": token, "csrf_token": csrf(form)})
    reply = http.get("/orders/A-1")
    assert reply.status_code == 404
    assert "12.50" not in reply.text


def test_revoking_the_token_ends_the_session(admin: TestClient, acme: Sales) -> None:
    for token in acme.api_tokens():
        acme.revoke_api_token(token.id)
    assert admin.get("/orders", follow_redirects=False).status_code == 303


def test_a_failed_refund_is_highlighted_and_retried_from_the_returns_list() -> None:
    card = InMemoryPaymentProvider()
    shop = Sales.in_memory("shop", gateways={"card": card})
    shop.set_stock("MUG", 5)
    card.authorize("pay-7", Money.of("25", "EUR"), at=datetime.now(UTC))
    order = shop.place_order(
        [LineItem("MUG", 2, Money.of("12.50", "EUR"))],
        payment=PaymentRef(provider="card", reference="pay-7"),
    )
    card.fail_next(1)
    refund = shop.cancel_order(order.id)
    with TestClient(create_app(shop)) as browser:
        token = shop.create_api_token()[0]
        form = browser.get("/sign-in").text
        browser.post("/sign-in", data={"token": token, "csrf_token": csrf(form)})
        listed = browser.get("/returns").text
        assert f'<tr id="{refund.id}" class="attention">' in listed
        post(browser, "/returns", f"/returns/{refund.id}/retry", {})
        assert f'<tr id="{refund.id}" class="attention">' not in browser.get("/returns").text
    assert shop.get_refund_order(refund.id).payment_status == "voided"


def test_the_sales_list_pages_on(admin: TestClient, acme: Sales) -> None:
    acme.set_stock("TEE", 26)
    for number in range(26):
        acme.place_order([LineItem("TEE", 1, Money.of("1", "EUR"))], order_id=f"N-{number:02}")
    first = admin.get("/orders").text
    assert 'rel="next"' in first
    assert "N-00" not in first
    link = first.split('href="/orders?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "N-00" in admin.get(f"/orders?{link}").text


def test_text_a_customer_typed_is_shown_escaped(
    admin: TestClient, acme: Sales, placed: Order
) -> None:
    acme.cancel_order("A-1", reason="<script>alert(1)</script>")
    page = admin.get("/orders/A-1").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_order_paid_with_several_payments_lists_each_and_what_it_gave_back(
    admin: TestClient, acme: Sales
) -> None:
    eur = Money.of
    acme.place_order(
        [LineItem("MUG", 2, eur("12.50", "EUR"))],
        order_id="T-1",
        payments=[
            PaymentRef(
                provider="giftcard", reference="GC-1", amount=eur("10.00", "EUR"), kind="gift_card"
            ),
            PaymentRef(provider="card", reference="C-1", amount=eur("15.00", "EUR")),
        ],
    )
    acme.cancel_order("T-1")

    order_page = admin.get("/orders/T-1").text
    returns_page = admin.get("/returns").text

    assert "giftcard (Gift card)" in order_page
    assert "GC-1" in order_page
    assert "C-1" in order_page
    assert "15.00 EUR to card C-1" in returns_page
    assert "10.00 EUR to giftcard GC-1" in returns_page
