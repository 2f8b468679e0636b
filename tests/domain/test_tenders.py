"""The ledgers of an order's payments and how charges and refunds split over them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_cancellation import (
    CurrencyMismatch,
    InvalidInput,
    Money,
    PaymentRef,
    RefundExceedsCharge,
    RefundKind,
    TenderKind,
    TenderPolicy,
    TendersDoNotAddUp,
    UnknownTender,
)
from order_cancellation.domain.tenders import Tender, charge, give_back, open_tenders


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


GIFT = PaymentRef(provider="giftcard", reference="GC", amount=eur("20"), kind=TenderKind.GIFT_CARD)
CARD = PaymentRef(provider="card", reference="CARD", amount=eur("25"))
KLARNA = PaymentRef(provider="klarna", reference="K", amount=eur("5"))


def test_one_payment_without_an_amount_covers_the_order() -> None:
    (tender,) = open_tenders([PaymentRef(provider="card", reference="C")], total=eur("45"))

    assert tender.authorized == eur("45")


def test_several_payments_must_each_have_an_amount() -> None:
    with pytest.raises(TendersDoNotAddUp, match=r"\['C'\] have none"):
        open_tenders([GIFT, PaymentRef(provider="card", reference="C")], total=eur("45"))


def test_several_payments_must_add_up_to_the_total() -> None:
    with pytest.raises(TendersDoNotAddUp, match=r"add up to 45\.00 EUR but the order's total"):
        open_tenders([GIFT, CARD], total=eur("45.01"))


def test_a_payment_in_another_currency_is_refused() -> None:
    sek = PaymentRef(provider="card", reference="S", amount=Money.of("25", "SEK"))

    with pytest.raises(CurrencyMismatch, match="SEK"):
        open_tenders([GIFT, sek], total=eur("45"))


def test_two_payments_with_one_reference_are_refused() -> None:
    twin = PaymentRef(provider="card", reference="GC", amount=eur("25"))

    with pytest.raises(InvalidInput, match="its own reference"):
        open_tenders([GIFT, twin], total=eur("45"))


def test_a_payment_of_zero_is_refused() -> None:
    with pytest.raises(InvalidInput, match="above zero"):
        PaymentRef(provider="card", reference="Z", amount=eur("0"))


def test_a_shipment_charges_gift_cards_before_cards() -> None:
    tenders = open_tenders([CARD, GIFT], total=eur("45"))

    tenders, shares = charge(tenders, eur("30"))

    assert [(s.payment.reference, s.amount) for s in shares] == [
        ("GC", eur("20")),
        ("CARD", eur("10")),
    ]
    assert [t.captured for t in tenders] == [eur("10"), eur("20")]


def test_a_cancel_releases_before_it_refunds() -> None:
    tenders, _ = charge(open_tenders([GIFT, CARD], total=eur("45")), eur("20"))

    tenders, parts = give_back(
        tenders, eur("25"), kind=RefundKind.CANCELLATION, policy=TenderPolicy.EXTERNAL_FIRST
    )

    assert [(p.payment.reference, p.amount) for p in parts] == [("CARD", eur("25"))]
    card = tenders[1]
    assert (card.released, card.refunded) == (eur("25"), eur("0"))


def test_a_return_refunds_what_was_captured_external_payments_first() -> None:
    tenders, _ = charge(open_tenders([GIFT, CARD], total=eur("45")), eur("45"))

    tenders, parts = give_back(
        tenders, eur("30"), kind=RefundKind.RETURN, policy=TenderPolicy.EXTERNAL_FIRST
    )

    assert [(p.payment.reference, p.amount) for p in parts] == [
        ("CARD", eur("25")),
        ("GC", eur("5")),
    ]
    assert [t.refunded for t in tenders] == [eur("5"), eur("25")]
    assert [t.returned for t in tenders] == [eur("5"), eur("25")]


def test_the_as_listed_policy_refunds_in_the_order_given() -> None:
    tenders, _ = charge(open_tenders([GIFT, CARD], total=eur("45")), eur("45"))

    _, parts = give_back(tenders, eur("30"), kind=RefundKind.RETURN, policy=TenderPolicy.AS_LISTED)

    assert [(p.payment.reference, p.amount) for p in parts] == [
        ("GC", eur("20")),
        ("CARD", eur("10")),
    ]


def test_a_refund_to_a_named_payment_never_takes_more_than_it_holds() -> None:
    tenders = open_tenders([GIFT, CARD], total=eur("45"))

    with pytest.raises(RefundExceedsCharge, match=r"payment 'GC' can give back 20\.00 EUR"):
        give_back(
            tenders,
            eur("20.01"),
            kind=RefundKind.ADJUSTMENT,
            policy=TenderPolicy.EXTERNAL_FIRST,
            only="GC",
        )


def test_a_refund_to_an_unknown_payment_is_refused() -> None:
    tenders = open_tenders([GIFT, CARD], total=eur("45"))

    with pytest.raises(UnknownTender, match=r"'NOPE'.*\['GC', 'CARD'\]"):
        give_back(
            tenders,
            eur("1"),
            kind=RefundKind.ADJUSTMENT,
            policy=TenderPolicy.EXTERNAL_FIRST,
            only="NOPE",
        )


def test_a_payments_worth_drops_by_what_cancellations_give_back_not_returns() -> None:
    tenders, _ = charge(open_tenders([GIFT, CARD, KLARNA], total=eur("50")), eur("30"))
    tenders, _ = give_back(
        tenders, eur("5"), kind=RefundKind.CANCELLATION, policy=TenderPolicy.EXTERNAL_FIRST
    )
    tenders, _ = give_back(
        tenders, eur("10"), kind=RefundKind.RETURN, policy=TenderPolicy.EXTERNAL_FIRST
    )

    # The card paid 10 of the shipment; 5 of its authorization was released by the cancel
    # and the return refunded its 10: it is worth 20 once the rest ships, and keeps 10.
    card = next(t for t in tenders if t.payment.reference == "CARD")
    assert (card.released, card.refunded, card.returned) == (eur("5"), eur("10"), eur("10"))
    assert (card.worth, card.keeps) == (eur("20"), eur("10"))


@given(
    amounts=st.lists(st.integers(1, 10_000), min_size=1, max_size=4),
    shipped=st.integers(0, 100),
    gives=st.lists(
        st.tuples(st.sampled_from(list(RefundKind)), st.integers(1, 10_000)), max_size=6
    ),
)
def test_no_payment_ever_gives_back_more_than_it_has(
    amounts: list[int], shipped: int, gives: list[tuple[RefundKind, int]]
) -> None:
    payments = [
        PaymentRef(provider="card", reference=f"P{i}", amount=Money(minor, "EUR"))
        for i, minor in enumerate(amounts)
    ]
    total = Money(sum(amounts), "EUR")
    tenders, _ = charge(
        open_tenders(payments, total=total), Money(total.minor * shipped // 100, "EUR")
    )
    left = total
    for kind, minor in gives:
        amount = min(Money(minor, "EUR"), left)
        if amount.minor == 0:
            break
        tenders, parts = give_back(tenders, amount, kind=kind, policy=TenderPolicy.EXTERNAL_FIRST)
        left -= amount
        assert sum((p.amount for p in parts), Money.zero("EUR")) == amount
        for tender in tenders:
            _check(tender)
    still_held = sum(t.authorized.minor - t.refunded.minor - t.released.minor for t in tenders)
    assert still_held == left.minor


def _check(tender: Tender) -> None:
    assert Money.zero("EUR") <= tender.refunded <= tender.captured
    assert tender.captured + tender.released <= tender.authorized
