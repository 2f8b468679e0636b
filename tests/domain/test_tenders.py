"""The ledgers of an order's payments and how charges and refunds split over them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_cancellation import (
    CurrencyMismatch,
    InvalidInput,
    LineItem,
    Money,
    Order,
    PaymentRef,
    PaymentStatus,
    RefundExceedsCharge,
    RefundKind,
    TenderKind,
    TenderPolicy,
    TenderRefund,
    TendersDoNotAddUp,
    UnknownTender,
)
from order_cancellation.domain.refunds import combined
from order_cancellation.domain.tenders import (
    Tender,
    charge,
    give_back,
    ledger_before_tenders,
    open_tenders,
)


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


def test_a_payment_that_is_not_a_payment_ref_is_refused() -> None:
    with pytest.raises(InvalidInput, match="PaymentRef values, not str"):
        open_tenders(["card"], total=eur("45"))  # type: ignore[list-item]


def test_an_order_has_at_most_ten_payments() -> None:
    many = [PaymentRef(provider="card", reference=f"C{n}", amount=eur("1")) for n in range(11)]

    with pytest.raises(InvalidInput, match="at most 10 payments"):
        open_tenders(many, total=eur("11"))


def test_an_order_stored_before_tenders_gets_the_ledger_its_figures_give() -> None:
    placed = Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("MUG", 2, eur("10")), LineItem("TEE", 1, eur("20"))],
        payment=PaymentRef(provider="card", reference="C"),
        at=datetime(2026, 11, 2, tzinfo=UTC),
    ).order
    shipped = placed.fulfill({"MUG": 2}, at=datetime(2026, 11, 3, tzinfo=UTC)).order
    returned = shipped.create_return(
        {"MUG": 1},
        refund_order_id="r-1",
        restock=True,
        reason=None,
        at=datetime(2026, 11, 4, tzinfo=UTC),
    ).order

    (tender,) = ledger_before_tenders(returned)

    assert (tender.authorized, tender.captured, tender.refunded, tender.returned) == (
        eur("40"),
        eur("20"),
        eur("10"),
        eur("10"),
    )
    assert tender == returned.tenders[0]


def test_an_order_takes_one_payment_or_several_not_both() -> None:
    with pytest.raises(InvalidInput, match="not both"):
        Order.place(
            order_id="o-1",
            shop="acme",
            items=[LineItem("MUG", 1, eur("45"))],
            payment=PaymentRef(provider="card", reference="C"),
            payments=[GIFT, CARD],
            at=datetime(2026, 11, 2, tzinfo=UTC),
        )


def _part(
    status: PaymentStatus, refunded: str = "0", released: str = "0", manual: str = "0"
) -> TenderRefund:
    return TenderRefund(
        payment=CARD,
        amount=eur("10"),
        worth=eur("0"),
        keeps=eur("0"),
        status=status,
        refunded=eur(refunded),
        released=eur(released),
        manual=eur(manual),
    )


@pytest.mark.parametrize(
    ("parts", "status"),
    [
        ((_part(PaymentStatus.VOIDED, released="10"),) * 2, PaymentStatus.VOIDED),
        (
            (
                _part(PaymentStatus.REFUNDED, refunded="10"),
                _part(PaymentStatus.MANUAL_REFUND_REQUIRED, manual="10"),
            ),
            PaymentStatus.MANUAL_REFUND_REQUIRED,
        ),
        (
            (
                _part(PaymentStatus.REFUNDED, refunded="10"),
                _part(PaymentStatus.VOIDED, released="10"),
            ),
            PaymentStatus.REFUNDED_AND_RELEASED,
        ),
        (
            (
                _part(PaymentStatus.REFUNDED, refunded="10"),
                _part(PaymentStatus.AUTHORIZATION_LAPSED),
            ),
            PaymentStatus.REFUNDED,
        ),
        (
            (
                _part(PaymentStatus.RELEASED, released="10"),
                _part(PaymentStatus.AUTHORIZATION_LAPSED),
            ),
            PaymentStatus.RELEASED,
        ),
        (
            (_part(PaymentStatus.NOT_REQUIRED), _part(PaymentStatus.AUTHORIZATION_LAPSED)),
            PaymentStatus.AUTHORIZATION_LAPSED,
        ),
    ],
)
def test_a_refund_orders_payment_status_sums_up_its_parts(
    parts: tuple[TenderRefund, ...], status: PaymentStatus
) -> None:
    result = combined(parts)

    assert result.status is status
    assert result.refunded == sum((p.refunded for p in parts), Money.zero("EUR"))
    assert result.manual == sum((p.manual for p in parts), Money.zero("EUR"))


def test_a_payments_kind_may_be_given_by_its_value() -> None:
    paid = PaymentRef(provider="g", reference="G", kind="store_credit")

    assert paid.kind is TenderKind.STORE_CREDIT


def test_an_unknown_kind_of_payment_is_refused() -> None:
    with pytest.raises(InvalidInput, match="one of \\['payment', 'gift_card', 'store_credit'\\]"):
        PaymentRef(provider="g", reference="G", kind="voucher")
