"""Goodwill through Klarna: refunded from the captures, or taken off the authorization of
an order not captured yet; every exchange checked against Klarna's OpenAPI contract."""

from __future__ import annotations

import json

from order_cancellation import LineItem, Money, PaymentRef, PaymentStatus, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.klarna import KlarnaGateway
from order_cancellation.testing.klarna_simulator import Endpoint, KlarnaSimulator

from .support import EUR, posts


def eur(text: str) -> Money:
    return Money.of(text, EUR)


def order_paid_with_klarna(
    sim: KlarnaSimulator, gateway: KlarnaGateway, *, captured: bool
) -> tuple[Sales, str]:
    sales = Sales.in_memory("acme", gateways={"klarna": gateway}, clock=ManualClock(sim.clock))
    sales.set_stock("LAMP", 5)
    order = sales.place_order(
        [LineItem("LAMP", 2, eur("30.00"), tax_rate="25.5")],
        payment=PaymentRef(provider="klarna", reference="kl-1", auto_capture=True),
    )
    sim.create_order("kl-1", order.total.minor)
    if captured:
        sales.fulfill(order.id)
    return sales, order.id


def test_goodwill_on_a_captured_order_is_a_klarna_refund_without_lines(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales, order_id = order_paid_with_klarna(sim, gateway, captured=True)

    refund = sales.refund(order_id, eur("5.00"), reason="late delivery")

    (post,) = [p for p in posts(sim) if p.endpoint is Endpoint.REFUND]
    body = json.loads(post.request.body)
    assert body["refunded_amount"] == 500
    assert "order_lines" not in body
    assert refund.payment_status is PaymentStatus.REFUNDED


def test_goodwill_before_anything_ships_lowers_the_klarna_authorization(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales, order_id = order_paid_with_klarna(sim, gateway, captured=False)

    refund = sales.refund(order_id, eur("5.00"))

    assert refund.payment_status is PaymentStatus.RELEASED
    assert sim.order("kl-1")["remaining_authorized_amount"] == 5500
    sales.fulfill(order_id)
    assert sim.order("kl-1")["captured_amount"] == 5500
