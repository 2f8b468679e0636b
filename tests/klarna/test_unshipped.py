"""The unshipped rest of a partly shipped Klarna order: the authorization is reduced while
more will ship (Klarna's update-authorization, a PATCH), released when nothing will, and
refunded for whatever was captured beyond what the order keeps. Every exchange is checked
against Klarna's OpenAPI contract (see conftest)."""

from __future__ import annotations

import json

import httpx
import pytest

from order_cancellation import LineItem, Money, PaymentRef, PaymentStatus, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.klarna import KlarnaGateway
from order_cancellation.testing.klarna_simulator import Endpoint, KlarnaSimulator, Operation

from .support import EUR


def eur(text: str) -> Money:
    return Money.of(text, EUR)


@pytest.fixture
def sales(sim: KlarnaSimulator, gateway: KlarnaGateway) -> Sales:
    shop = Sales.in_memory("acme", gateways={"klarna": gateway}, clock=ManualClock(sim.clock))
    shop.set_stock("TSHIRT", 10)
    shop.set_stock("POSTER", 10)
    return shop


def shirts_and_posters(sim: KlarnaSimulator, sales: Sales) -> str:
    """3 T-shirts at 19.90 and 2 posters at 15.00 (89.70), captured as they ship."""
    order = sales.place_order(
        [LineItem("TSHIRT", 3, eur("19.90")), LineItem("POSTER", 2, eur("15.00"))],
        payment=PaymentRef(provider="klarna", reference="kl-1", auto_capture=True),
    )
    sim.create_order("kl-1", order.total.minor)
    return order.id


def test_when_nothing_else_will_ship_the_remaining_authorization_is_released(
    sim: KlarnaSimulator, sales: Sales
) -> None:
    order_id = shirts_and_posters(sim, sales)
    sales.fulfill(order_id, {"TSHIRT": 2, "POSTER": 2})

    refund = sales.cancel_unfulfilled(order_id, reason="the third shirt never came")

    assert (refund.amount, refund.released) == (eur("19.90"), eur("19.90"))
    assert refund.payment_status is PaymentStatus.RELEASED
    klarna = sim.order("kl-1")
    assert (klarna["captured_amount"], klarna["remaining_authorized_amount"]) == (6980, 0)
    assert sim.count(Operation.REFUND, "kl-1") == 0


def test_while_more_will_ship_the_authorization_is_reduced_by_a_patch(
    sim: KlarnaSimulator, sales: Sales
) -> None:
    order_id = shirts_and_posters(sim, sales)
    sales.fulfill(order_id, {"TSHIRT": 1})

    refund = sales.cancel_unfulfilled(order_id, {"TSHIRT": 1})

    (patch,) = [e for e in sim.requests() if e.endpoint is Endpoint.UPDATE_AUTHORIZATION]
    assert json.loads(patch.request.body)["order_amount"] == 8970 - 1990
    assert refund.payment_status is PaymentStatus.RELEASED
    # What still ships is still covered: the last shirt and the posters.
    sales.fulfill(order_id)
    klarna = sim.order("kl-1")
    assert (klarna["captured_amount"], klarna["remaining_authorized_amount"]) == (6980, 0)


def test_units_captured_at_checkout_are_refunded_when_canceled(
    sim: KlarnaSimulator, sales: Sales
) -> None:
    order_id = shirts_and_posters(sim, sales)
    sim.capture("kl-1", 8970)  # everything captured at checkout
    sales.fulfill(order_id, {"POSTER": 2})

    refund = sales.cancel_unfulfilled(order_id)

    assert refund.payment_status is PaymentStatus.REFUNDED
    assert refund.refunded == eur("59.70")
    assert sim.order("kl-1")["refunded_amount"] == 5970


def test_klarna_refuses_to_raise_an_authorization_or_lower_it_below_the_captures(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 5000)
    sim.capture("kl-1", 2000)
    auth = (sim.username, sim.password)
    url = f"{sim.base_url}/ordermanagement/v1/orders/kl-1/authorization"

    raised = httpx.patch(url, json={"order_amount": 6000}, auth=auth)
    lowered = httpx.patch(url, json={"order_amount": 1999}, auth=auth)
    reduced = httpx.patch(url, json={"order_amount": 3000}, auth=auth)

    assert (raised.status_code, raised.json()["error_code"]) == (403, "NOT_ALLOWED")
    assert (lowered.status_code, lowered.json()["error_code"]) == (403, "NOT_ALLOWED")
    assert reduced.status_code == 204
    assert sim.order("kl-1")["remaining_authorized_amount"] == 1000
