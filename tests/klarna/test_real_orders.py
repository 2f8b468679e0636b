"""Real orders through Klarna: shipping is captured with the first shipment, every capture
and refund sends order lines that add up, with their type, VAT rate and tax; a cancel never
refunds more than the order is worth. Every exchange is checked against Klarna's OpenAPI
contract (see conftest) and the simulator refuses lines whose arithmetic is off, as Klarna
does.
"""

from __future__ import annotations

import json

import pytest

from order_cancellation import (
    Discount,
    LineItem,
    Money,
    PaymentRef,
    PaymentStatus,
    ReturnFee,
    Sales,
    ShippingFee,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.klarna import KlarnaGateway
from order_cancellation.testing.klarna_simulator import Endpoint, KlarnaSimulator

from .support import EUR, posts


def eur(text: str) -> Money:
    return Money.of(text, EUR)


def shop(sim: KlarnaSimulator, gateway: KlarnaGateway) -> Sales:
    sales = Sales.in_memory("acme", gateways={"klarna": gateway}, clock=ManualClock(sim.clock))
    sales.set_stock("TSHIRT", 10)
    return sales


def checkout(sim: KlarnaSimulator, sales: Sales, *, discount: bool = False) -> str:
    """2 x 19.90 at 25.5 % VAT and 4.90 shipping (44.70), as a Klarna Checkout order."""
    order = sales.place_order(
        [LineItem("TSHIRT", 2, eur("19.90"), tax_rate="25.5")],
        shipping=[ShippingFee("Standard", eur("4.90"), tax_rate="25.5")],
        discounts=[Discount.percentage("WINTER10", "10")] if discount else [],
        payment=PaymentRef(provider="klarna", reference="kl-1", auto_capture=True),
    )
    sim.create_order("kl-1", order.total.minor)
    return order.id


def body(sim: KlarnaSimulator, endpoint: Endpoint) -> dict[str, object]:
    (post,) = [p for p in posts(sim) if p.endpoint is endpoint]
    parsed = json.loads(post.request.body)
    assert isinstance(parsed, dict)
    return parsed


def test_fulfilling_captures_the_goods_and_the_shipping_with_their_vat(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales = shop(sim, gateway)
    order_id = checkout(sim, sales)
    sales.fulfill(order_id)

    capture = body(sim, Endpoint.CAPTURE)
    assert capture["captured_amount"] == 4470
    assert capture["order_lines"] == [
        {
            "type": "physical",
            "reference": "TSHIRT",
            "name": "TSHIRT",
            "quantity": 2,
            "unit_price": 1990,
            "tax_rate": 2550,
            "total_amount": 3980,
            "total_discount_amount": 0,
            "total_tax_amount": 809,
        },
        {
            "type": "shipping_fee",
            "reference": "S1",
            "name": "Standard",
            "quantity": 1,
            "unit_price": 490,
            "tax_rate": 2550,
            "total_amount": 490,
            "total_discount_amount": 0,
            "total_tax_amount": 100,
        },
    ]
    assert sim.order("kl-1")["status"] == "CAPTURED"


def test_a_later_shipment_captures_its_units_without_the_shipping_again(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales = shop(sim, gateway)
    order_id = checkout(sim, sales)
    sales.fulfill(order_id, {"TSHIRT": 1})
    sales.fulfill(order_id, {"TSHIRT": 1})

    captured = [json.loads(p.request.body)["captured_amount"] for p in posts(sim)]
    assert captured == [2480, 1990]
    assert sim.order("kl-1")["captured_amount"] == 4470


def test_canceling_releases_the_whole_authorization_and_records_it_all(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales = shop(sim, gateway)
    order_id = checkout(sim, sales)

    refund = sales.cancel_order(order_id)

    assert refund.amount == eur("44.70")
    assert (refund.payment_status, refund.released) == (PaymentStatus.VOIDED, eur("44.70"))
    assert sim.order("kl-1")["status"] == "CANCELLED"


def test_a_discounted_return_refunds_its_lines_with_the_discount_and_tax(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales = shop(sim, gateway)
    order_id = checkout(sim, sales, discount=True)
    sales.fulfill(order_id)

    refund = sales.create_return(order_id, {"TSHIRT": 1}, refund_shipping=True)

    sent = body(sim, Endpoint.REFUND)
    assert refund.amount == eur("22.81")  # 19.90 - 1.99 + 4.90
    assert sent["refunded_amount"] == 2281
    assert sent["order_lines"] == [
        {
            "type": "physical",
            "reference": "TSHIRT",
            "name": "TSHIRT",
            "quantity": 1,
            "unit_price": 1990,
            "tax_rate": 2550,
            "total_amount": 1791,
            "total_discount_amount": 199,
            "total_tax_amount": 364,
        },
        {
            "type": "shipping_fee",
            "reference": "S1",
            "name": "Standard",
            "quantity": 1,
            "unit_price": 490,
            "tax_rate": 2550,
            "total_amount": 490,
            "total_discount_amount": 0,
            "total_tax_amount": 100,
        },
    ]
    assert refund.payment_status is PaymentStatus.REFUNDED


def test_a_fee_kept_from_a_return_is_sent_as_a_negative_return_fee_line(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales = shop(sim, gateway)
    order_id = checkout(sim, sales)
    sales.fulfill(order_id)

    refund = sales.create_return(
        order_id, {"TSHIRT": 1}, fees=[ReturnFee("Restocking fee", eur("2.00"))]
    )

    sent = body(sim, Endpoint.REFUND)
    assert (refund.amount, sent["refunded_amount"]) == (eur("17.90"), 1790)
    lines = sent["order_lines"]
    assert isinstance(lines, list)
    assert [line["type"] for line in lines] == ["physical", "return_fee"]
    assert lines[1] == {
        "type": "return_fee",
        "reference": "Restocking fee",
        "name": "Restocking fee",
        "quantity": 1,
        "unit_price": -200,
        "tax_rate": 2550,
        "total_amount": -200,
        "total_discount_amount": 0,
        "total_tax_amount": -41,
    }
    assert refund.payment_status is PaymentStatus.REFUNDED


def test_prices_without_tax_are_sent_to_klarna_with_their_tax_included(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sales = Sales.in_memory(
        "acme",
        gateways={"klarna": gateway},
        clock=ManualClock(sim.clock),
        prices_include_tax=False,
    )
    sales.set_stock("LAMP", 5)
    order = sales.place_order(
        [LineItem("LAMP", 3, eur("19.99"), tax_rate="24")],
        discounts=[Discount.fixed("SAVE5", eur("5.00"))],
        payment=PaymentRef(provider="klarna", reference="kl-1", auto_capture=True),
    )
    sim.create_order("kl-1", order.total.minor)
    sales.fulfill(order.id)

    refund = sales.create_return(order.id, {"LAMP": 1})

    lines = body(sim, Endpoint.REFUND)["order_lines"]
    assert isinstance(lines, list)
    (line,) = lines
    assert line["total_amount"] == refund.amount.minor
    assert line["total_tax_amount"] == refund.lines[0].tax.minor
    assert refund.payment_status is PaymentStatus.REFUNDED


def test_a_cancel_never_refunds_more_than_the_order_is_worth(
    sim: KlarnaSimulator, gateway: KlarnaGateway, caplog: pytest.LogCaptureFixture
) -> None:
    sales = shop(sim, gateway)
    order = sales.place_order(
        [LineItem("TSHIRT", 1, eur("20.00"))],
        payment=PaymentRef(provider="klarna", reference="kl-1", auto_capture=True),
    )
    # Klarna holds more than this order: the merchant's own capture in the portal.
    sim.create_order("kl-1", 9000)
    sim.capture("kl-1", 9000)

    refund = sales.cancel_order(order.id)

    assert body(sim, Endpoint.REFUND)["refunded_amount"] == 2000
    assert refund.refunded == eur("20.00")
    assert refund.payment_detail is not None
    assert "70.00 EUR more captured than this order is worth" in refund.payment_detail
    assert refund.payment_unrefunded == eur("70.00")
    (warning,) = [r for r in caplog.records if "beyond what it is worth" in r.getMessage()]
    assert warning.__dict__["unrefunded"] == "70.00 EUR"
