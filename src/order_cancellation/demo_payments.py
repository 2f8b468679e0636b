"""The demo's stories of money that is not one payment for whole units: the unshipped rest
of a partly shipped Klarna order, a goodwill refund, a return with a restocking fee, and an
order paid with a gift card and a card.

Klarna is Klarna's Order Management API as the library's Klarna adapter speaks it, over
HTTP, to the simulator in ``order_cancellation.testing`` served in this process (the demo
has no Klarna account and no network); it needs the ``klarna`` extra (httpx).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.domain.charges import ShippingFee
from order_cancellation.domain.fees import ReturnFee
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.values import LineItem, PaymentRef, TenderKind
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.sales import Sales

if TYPE_CHECKING:
    from order_cancellation.testing.klarna_simulator import KlarnaSimulator

EUR = "EUR"
VAT = TaxRate.percent("25.5")
SHIPPING = ShippingFee("Posti", Money.of("5.90", EUR), tax_rate=VAT)

Say = Callable[[str], None]


@contextlib.contextmanager
def klarna_gateway(start: datetime) -> Iterator[tuple[PaymentGateway, KlarnaSimulator] | None]:
    """The Klarna adapter talking to the simulator in process, or None without httpx."""
    try:
        from order_cancellation.adapters.klarna import (  # noqa: PLC0415
            Credentials,
            KlarnaConfig,
            KlarnaGateway,
        )
        from order_cancellation.testing.klarna_simulator import (  # noqa: PLC0415
            IN_PROCESS_URL,
            KlarnaSimulator,
        )

        sim = KlarnaSimulator(start=start)
        transport = sim.in_process_transport()
    except ImportError:
        yield None
        return
    config = KlarnaConfig(
        credentials=Credentials.basic(sim.username, sim.password), base_url=IN_PROCESS_URL
    )
    with KlarnaGateway(config, transport=transport) as gateway:
        yield gateway, sim


def unshipped_rest(say: Say, sales: Sales, clock: ManualClock, sim: KlarnaSimulator | None) -> None:
    say("\n## 5. A partly shipped Klarna order: the rest is canceled")
    if sim is None:
        say("(this story needs the klarna extra: pip install 'order-cancellation[klarna]')")
        return
    sim.advance(clock.now() - sim.clock)  # Klarna's time is the shop's
    items = [
        LineItem("TSHIRT-M", 3, Money.of("19.90", EUR), tax_rate=VAT),
        LineItem("POSTER", 2, Money.of("15.00", EUR), tax_rate=VAT),
    ]
    order = sales.place_order(
        items,
        payment=PaymentRef(provider="klarna", reference="kl-5001", auto_capture=True),
        shipping=[SHIPPING],
    )
    sim.create_order("kl-5001", order.total.minor, EUR)
    say(f"placed {order.total} with Klarna: 3 T-shirts at 19.90, 2 posters at 15.00, shipping")
    sales.fulfill(order.id, {"TSHIRT-M": 2, "POSTER": 2})
    say(f"shipped 2 T-shirts and both posters; Klarna: {_klarna(sim, 'kl-5001')}")
    refund = sales.cancel_unfulfilled(order.id, reason="The third T-shirt is out of stock")
    say(f"canceled the unshipped T-shirt: {refund_line(refund)}")
    say(f"Klarna: {_klarna(sim, 'kl-5001')}")
    say(f"order state: {sales.get_order(order.id).state.value}; stock: {_stock(sales)}")


def several_payments(
    say: Say,
    sales: Sales,
    clock: ManualClock,
    card: InMemoryPaymentProvider,
    gift_cards: InMemoryPaymentProvider,
) -> None:
    say("\n## 6. A gift card and a card; a goodwill refund; a return with a restocking fee")
    items = [LineItem("MUG", 2, Money.of("9.50", EUR), tax_rate=VAT)]
    total = Money.of("24.90", EUR)  # two mugs and the shipping
    gift, rest = Money.of("10.00", EUR), total - Money.of("10.00", EUR)
    gift_cards.authorize("GIFT-42", gift, at=clock.now())
    card.authorize("card-1004", rest, at=clock.now())
    order = sales.place_order(
        items,
        payments=[
            PaymentRef(
                provider="giftcard",
                reference="GIFT-42",
                amount=gift,
                kind=TenderKind.GIFT_CARD,
                auto_capture=True,
            ),
            PaymentRef(provider="card", reference="card-1004", amount=rest, auto_capture=True),
        ],
        shipping=[SHIPPING],
    )
    say(f"placed {order.total}: {gift} on gift card GIFT-42, {rest} on card card-1004")
    sales.fulfill(order.id)
    say(f"shipped; charged {_tenders(sales, order.id)}")
    goodwill = sales.refund(order.id, Money.of("3.00", EUR), reason="Late delivery")
    say(f"goodwill for the late delivery: {refund_line(goodwill)}")
    back = sales.create_return(
        order.id,
        {"MUG": 2},
        reason="Arrived chipped",
        fees=[ReturnFee("Restocking fee", Money.of("2.00", EUR))],
    )
    say(f"both mugs returned, a restocking fee kept: {refund_line(back)}")
    say(f"the payments now: {_tenders(sales, order.id)}")


def refund_line(refund: RefundOrder) -> str:
    parts = "; ".join(
        f"{part.amount} to {part.payment.provider} {part.payment.reference} ({part.status.value})"
        for part in refund.tenders
    )
    fees = f", fees kept {refund.fees_kept}" if refund.fees else ""
    money = parts or (
        f"refunded {refund.refunded}, released {refund.released} ({refund.payment_status.value})"
    )
    return f"{refund.kind.value} {refund.amount}{fees}: {money}"


def _tenders(sales: Sales, order_id: str) -> str:
    return ", ".join(
        f"{t.payment.reference} captured {t.captured}, refunded {t.refunded}"
        for t in sales.get_order(order_id).tenders
    )


def _klarna(sim: KlarnaSimulator, klarna_id: str) -> str:
    data = sim.order(klarna_id)
    figures = [
        Money(int(str(data[field])), EUR)
        for field in ("order_amount", "captured_amount", "remaining_authorized_amount")
    ]
    return "authorized {}, captured {}, still authorized {}".format(*figures)


def _stock(sales: Sales) -> str:
    return ", ".join(f"{sku} {units}" for sku, units in sorted(sales.stock_levels().items()))
