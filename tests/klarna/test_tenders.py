"""A Klarna payment beside a gift card: Klarna charges, reduces, releases and refunds only
its own part, over HTTP, with every exchange checked against Klarna's OpenAPI contract."""

from __future__ import annotations

import pytest

from order_cancellation import (
    LineItem,
    Money,
    PaymentRef,
    PaymentStatus,
    Sales,
    TenderKind,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.klarna import KlarnaGateway
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.testing.klarna_simulator import KlarnaSimulator, Operation

from .support import EUR


def eur(text: str) -> Money:
    return Money.of(text, EUR)


@pytest.fixture
def gift_cards() -> InMemoryPaymentProvider:
    return InMemoryPaymentProvider()


@pytest.fixture
def sales(
    sim: KlarnaSimulator, gateway: KlarnaGateway, gift_cards: InMemoryPaymentProvider
) -> Sales:
    shop = Sales.in_memory(
        "acme",
        gateways={"klarna": gateway, "giftcard": gift_cards},
        clock=ManualClock(sim.clock),
    )
    shop.set_stock("TSHIRT", 10)
    shop.set_stock("POSTER", 10)
    return shop


def place(sim: KlarnaSimulator, sales: Sales, gift_cards: InMemoryPaymentProvider) -> str:
    """3 T-shirts at 19.90 and 2 posters at 15.00 (89.70): 30.00 on a gift card, 59.70 on
    Klarna; both captured as the goods ship."""
    gift_cards.authorize("GC-7", eur("30.00"), at=sim.clock)
    order = sales.place_order(
        [LineItem("TSHIRT", 3, eur("19.90")), LineItem("POSTER", 2, eur("15.00"))],
        payments=[
            PaymentRef(
                provider="giftcard",
                reference="GC-7",
                amount=eur("30.00"),
                kind=TenderKind.GIFT_CARD,
                auto_capture=True,
            ),
            PaymentRef(provider="klarna", reference="kl-9", amount=eur("59.70"), auto_capture=True),
        ],
    )
    sim.create_order("kl-9", 5970)
    return order.id


def test_the_first_shipment_uses_the_gift_card_then_klarna(
    sim: KlarnaSimulator, sales: Sales, gift_cards: InMemoryPaymentProvider
) -> None:
    order_id = place(sim, sales, gift_cards)

    sales.fulfill(order_id, {"TSHIRT": 2})  # 39.80

    assert gift_cards.view("GC-7", now=sim.clock).captured == eur("30.00")
    assert sim.order("kl-9")["captured_amount"] == 980


def test_canceling_the_unshipped_rest_reduces_only_the_klarna_authorization(
    sim: KlarnaSimulator, sales: Sales, gift_cards: InMemoryPaymentProvider
) -> None:
    order_id = place(sim, sales, gift_cards)
    sales.fulfill(order_id, {"TSHIRT": 2})

    refund = sales.cancel_unfulfilled(order_id, {"POSTER": 2})

    assert [(p.payment.reference, p.amount, p.status) for p in refund.tenders] == [
        ("kl-9", eur("30.00"), PaymentStatus.RELEASED)
    ]
    klarna = sim.order("kl-9")
    assert (klarna["order_amount"], klarna["captured_amount"]) == (5970 - 3000, 980)
    sales.fulfill(order_id)  # the last shirt still ships, covered by what Klarna kept
    assert sim.order("kl-9")["captured_amount"] == 980 + 1990


def test_a_return_refunds_klarna_first_and_the_gift_card_last(
    sim: KlarnaSimulator, sales: Sales, gift_cards: InMemoryPaymentProvider
) -> None:
    order_id = place(sim, sales, gift_cards)
    sales.fulfill(order_id)

    refund = sales.create_return(order_id, {"TSHIRT": 3, "POSTER": 2})

    assert {p.payment.reference: p.amount for p in refund.tenders} == {
        "kl-9": eur("59.70"),
        "GC-7": eur("30.00"),
    }
    assert refund.payment_status is PaymentStatus.REFUNDED
    assert sim.count(Operation.REFUND, "kl-9") == 1
    assert sim.order("kl-9")["refunded_amount"] == 5970
    assert gift_cards.view("GC-7", now=sim.clock).refunded == eur("30.00")


def test_canceling_the_whole_order_cancels_the_klarna_authorization(
    sim: KlarnaSimulator, sales: Sales, gift_cards: InMemoryPaymentProvider
) -> None:
    order_id = place(sim, sales, gift_cards)

    refund = sales.cancel_order(order_id)

    assert refund.payment_status is PaymentStatus.VOIDED
    assert sim.order("kl-9")["status"] == "CANCELLED"
    assert gift_cards.view("GC-7", now=sim.clock).status.value == "CANCELLED"
