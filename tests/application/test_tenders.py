"""Orders paid with several payments: a gift card and a card, each settled by its gateway."""

from __future__ import annotations

from datetime import timedelta

import pytest

from order_cancellation import (
    CurrencyMismatch,
    LineItem,
    Money,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RefundExceedsCharge,
    Sales,
    TenderKind,
    TendersDoNotAddUp,
    UnknownTender,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    Operation,
    RecordingPublisher,
)
from order_cancellation.domain.events import ManualRefundRequired, PaymentCaptured
from tests.application.harness import eur


class GiftCardShop:
    """A shop whose customers pay with a gift card ("giftcard") and a card ("card")."""

    def __init__(self) -> None:
        self.clock = ManualClock()
        self.card = InMemoryPaymentProvider()
        self.gift_cards = InMemoryPaymentProvider()
        self.publisher = RecordingPublisher()
        self.sales = Sales.in_memory(
            "acme",
            gateways={"card": self.card, "giftcard": self.gift_cards},
            clock=self.clock,
            publisher=self.publisher,
        )
        self.sales.set_stock("MUG", 10)
        self.sales.set_stock("TEE", 10)

    def payments(self, gift: str, card: str, *, auto_capture: bool = True) -> list[PaymentRef]:
        now = self.clock.now()
        self.gift_cards.authorize("GC-1", eur(gift), at=now)
        self.card.authorize("CARD-1", eur(card), at=now)
        return [
            PaymentRef(
                provider="giftcard",
                reference="GC-1",
                amount=eur(gift),
                kind=TenderKind.GIFT_CARD,
                auto_capture=auto_capture,
            ),
            PaymentRef(
                provider="card", reference="CARD-1", amount=eur(card), auto_capture=auto_capture
            ),
        ]

    def place(self, gift: str = "20.00", card: str = "25.00", **options: bool) -> str:
        """Two mugs at 12.50 and a tee at 20.00 (45.00), paid ``gift`` + ``card``."""
        order = self.sales.place_order(
            [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))],
            payments=self.payments(gift, card, **options),
        )
        return order.id


@pytest.fixture
def shop() -> GiftCardShop:
    return GiftCardShop()


def _by_reference(refund_tenders: tuple[object, ...]) -> dict[str, Money]:
    return {part.payment.reference: part.amount for part in refund_tenders}  # type: ignore[attr-defined]


def test_an_order_keeps_what_each_payment_authorized(shop: GiftCardShop) -> None:
    order = shop.sales.get_order(shop.place())

    assert [(t.payment.reference, t.authorized) for t in order.tenders] == [
        ("GC-1", eur("20.00")),
        ("CARD-1", eur("25.00")),
    ]
    assert order.payment == order.tenders[0].payment


def test_a_shipment_charges_the_gift_card_first(shop: GiftCardShop) -> None:
    order_id = shop.place()

    shop.sales.fulfill(order_id, {"MUG": 2})

    assert shop.gift_cards.view("GC-1", now=shop.clock.now()).captured == eur("20.00")
    assert shop.card.view("CARD-1", now=shop.clock.now()).captured == eur("5.00")
    captured = [e for e in shop.publisher.events if isinstance(e, PaymentCaptured)]
    assert {(e.reference, e.amount) for e in captured} == {
        ("GC-1", eur("20.00")),
        ("CARD-1", eur("5.00")),
    }


def test_canceling_releases_both_authorizations(shop: GiftCardShop) -> None:
    order_id = shop.place()

    refund = shop.sales.cancel_order(order_id)

    assert _by_reference(refund.tenders) == {"CARD-1": eur("25.00"), "GC-1": eur("20.00")}
    assert [part.status for part in refund.tenders] == [PaymentStatus.VOIDED] * 2
    assert refund.payment_status is PaymentStatus.VOIDED
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert shop.gift_cards.count(Operation.CANCEL_AUTHORIZATION) == 1


def test_a_return_goes_back_to_the_card_before_the_gift_card(shop: GiftCardShop) -> None:
    order_id = shop.place()
    shop.sales.fulfill(order_id)

    first = shop.sales.create_return(order_id, {"TEE": 1})
    second = shop.sales.create_return(order_id, {"MUG": 2})

    assert _by_reference(first.tenders) == {"CARD-1": eur("20.00")}
    assert _by_reference(second.tenders) == {"CARD-1": eur("5.00"), "GC-1": eur("20.00")}
    assert shop.card.view("CARD-1", now=shop.clock.now()).refunded == eur("25.00")
    assert shop.gift_cards.view("GC-1", now=shop.clock.now()).refunded == eur("20.00")
    assert second.payment_status is PaymentStatus.REFUNDED
    assert shop.sales.get_order(order_id).state is OrderState.RETURNED


def test_a_refund_goes_first_to_the_payment_charged_most_recently(shop: GiftCardShop) -> None:
    shop.gift_cards.authorize("GC-1", eur("30.00"), at=shop.clock.now())
    shop.card.authorize("CARD-1", eur("15.00"), at=shop.clock.now())
    order_id = shop.sales.place_order(
        [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))],
        payments=[
            PaymentRef(provider="card", reference="CARD-1", amount=eur("15.00"), auto_capture=True),
            PaymentRef(
                provider="giftcard", reference="GC-1", amount=eur("30.00"), auto_capture=True
            ),
        ],
    ).id
    shop.sales.fulfill(order_id)  # both payments charged by the one shipment

    refund = shop.sales.refund(order_id, eur("40.00"))

    # Both are external payments here; the refund goes in reverse order of charging.
    assert _by_reference(refund.tenders) == {"GC-1": eur("30.00"), "CARD-1": eur("10.00")}


def test_a_goodwill_refund_can_go_to_one_named_payment(shop: GiftCardShop) -> None:
    order_id = shop.place()
    shop.sales.fulfill(order_id)

    refund = shop.sales.refund(order_id, eur("5.00"), reason="late", tender="GC-1")

    assert _by_reference(refund.tenders) == {"GC-1": eur("5.00")}
    assert shop.gift_cards.view("GC-1", now=shop.clock.now()).refunded == eur("5.00")


def test_canceling_the_unshipped_rest_reduces_the_card_authorization(shop: GiftCardShop) -> None:
    order_id = shop.place(auto_capture=False)
    shop.sales.fulfill(order_id, {"MUG": 2})

    refund = shop.sales.cancel_unfulfilled(order_id)

    assert _by_reference(refund.tenders) == {"CARD-1": eur("20.00")}
    assert refund.tenders[0].status is PaymentStatus.RELEASED
    view = shop.card.view("CARD-1", now=shop.clock.now())
    assert view.authorized == eur("5.00")


def test_a_payment_without_a_gateway_is_owed_by_hand_and_the_other_is_refunded(
    shop: GiftCardShop,
) -> None:
    shop.card.authorize("CARD-1", eur("25.00"), at=shop.clock.now())
    order_id = shop.sales.place_order(
        [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))],
        payments=[
            PaymentRef(
                provider="voucher", reference="V-9", amount=eur("20.00"), kind=TenderKind.GIFT_CARD
            ),
            PaymentRef(provider="card", reference="CARD-1", amount=eur("25.00")),
        ],
    ).id

    refund = shop.sales.cancel_order(order_id)

    assert {p.payment.reference: p.status for p in refund.tenders} == {
        "CARD-1": PaymentStatus.VOIDED,
        "V-9": PaymentStatus.MANUAL_REFUND_REQUIRED,
    }
    assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert refund.manual_amount == eur("20.00")
    owed = [e for e in shop.publisher.events if isinstance(e, ManualRefundRequired)]
    assert [(e.reference, e.amount) for e in owed] == [("V-9", eur("20.00"))]

    done = shop.sales.mark_manual_refund_done(refund.id, amount=eur("5.00"))

    assert done.manual_amount == eur("15.00")
    assert {p.payment.reference: p.manual for p in done.tenders}["V-9"] == eur("15.00")


def test_payments_that_do_not_add_up_are_refused(shop: GiftCardShop) -> None:
    with pytest.raises(TendersDoNotAddUp, match=r"add up to 44\.99 EUR"):
        shop.sales.place_order(
            [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))],
            payments=[
                PaymentRef(provider="card", reference="A", amount=eur("20.00")),
                PaymentRef(provider="card", reference="B", amount=eur("24.99")),
            ],
        )
    assert shop.sales.stock_levels() == {"MUG": 10, "TEE": 10}
    assert shop.sales.orders().items == ()


def test_a_payment_in_another_currency_is_refused(shop: GiftCardShop) -> None:
    with pytest.raises(CurrencyMismatch, match="SEK"):
        shop.sales.place_order(
            [LineItem("MUG", 1, eur("12.50"))],
            payments=[
                PaymentRef(provider="card", reference="A", amount=eur("2.50")),
                PaymentRef(provider="card", reference="B", amount=Money.of("10.00", "SEK")),
            ],
        )


def test_a_refund_to_an_unknown_payment_is_refused_and_changes_nothing(
    shop: GiftCardShop,
) -> None:
    order_id = shop.place()
    before = shop.sales.get_order(order_id)

    with pytest.raises(UnknownTender, match="'GC-2'"):
        shop.sales.refund(order_id, eur("5.00"), tender="GC-2")

    assert shop.sales.get_order(order_id) == before


def test_a_refund_above_what_a_named_payment_holds_is_refused(shop: GiftCardShop) -> None:
    order_id = shop.place()

    with pytest.raises(RefundExceedsCharge, match="payment 'GC-1'"):
        shop.sales.refund(order_id, eur("20.01"), tender="GC-1")


def test_an_expired_card_authorization_does_not_stop_the_gift_card_refund(
    shop: GiftCardShop,
) -> None:
    order_id = shop.place(auto_capture=False)
    shop.clock.advance(timedelta(days=40))

    refund = shop.sales.cancel_order(order_id)

    assert refund.payment_settled
    assert {p.payment.reference for p in refund.tenders} == {"GC-1", "CARD-1"}


def test_a_payment_that_settled_is_recorded_when_a_later_one_fails(
    shop: GiftCardShop,
) -> None:
    order_id = shop.place()
    shop.gift_cards.fail_next(1)

    refund = shop.sales.cancel_order(order_id)

    parts = {p.payment.reference: p.status for p in refund.tenders}
    assert parts == {"CARD-1": PaymentStatus.VOIDED, "GC-1": PaymentStatus.PENDING}
    assert refund.payment_status is PaymentStatus.FAILED_RETRYING

    shop.clock.advance(timedelta(hours=2))
    shop.sales.process_pending()

    settled = shop.sales.get_refund_order(refund.id)
    assert settled.payment_status is PaymentStatus.VOIDED
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert shop.gift_cards.count(Operation.CANCEL_AUTHORIZATION) == 1
