"""``order place --payment`` (several payments) and ``order refund --tender``."""

from __future__ import annotations

from order_cancellation import Money, Sales
from tests.cli.conftest import Operator

GIFT_AND_CARD = ("--payment", "giftcard:GC-1:20.00:gift_card", "--payment", "card:C-1:25.00")


def _place(operator: Operator) -> str:
    operator.json("stock", "set", "MUG", "5")
    operator.json("stock", "set", "TEE", "5")
    placed = operator.json(
        "order", "place", "MUG:2:12.50", "TEE:1:20.00", "--currency", "EUR", *GIFT_AND_CARD
    )
    return str(placed["order"]["id"])


def test_place_takes_several_payments(operator: Operator, shop: Sales) -> None:
    order_id = _place(operator)

    order = shop.get_order(order_id)
    assert [(t.payment.reference, t.authorized) for t in order.tenders] == [
        ("GC-1", Money.of("20.00", "EUR")),
        ("C-1", Money.of("25.00", "EUR")),
    ]


def test_payments_that_do_not_add_up_exit_1_and_place_nothing(
    operator: Operator, shop: Sales
) -> None:
    outcome = operator(
        "order", "place", "MUG:1:12.50", "--currency", "EUR", "--payment", "card:C:1.00"
    )

    assert outcome.code == 1
    assert "add up to 1.00 EUR but the order's total is 12.50 EUR" in outcome.err
    assert shop.orders().items == ()


def test_a_payment_written_wrongly_says_how_to_write_it(operator: Operator) -> None:
    outcome = operator("order", "place", "MUG:1:12.50", "--currency", "EUR", "--payment", "card")

    assert outcome.code == 1
    assert "PROVIDER:REF:AMOUNT" in outcome.err


def test_refund_goes_to_the_named_tender(operator: Operator) -> None:
    order_id = _place(operator)

    result = operator.json("order", "refund", order_id, "5.00", "--tender", "GC-1")

    (part,) = result["refund_order"]["tenders"]
    assert (part["payment"]["reference"], part["amount"]["minor"]) == ("GC-1", 500)


def test_refund_to_an_unknown_tender_exits_1(operator: Operator) -> None:
    order_id = _place(operator)

    outcome = operator("order", "refund", order_id, "5.00", "--tender", "NOPE")

    assert outcome.code == 1
    assert "was not paid with a payment 'NOPE'" in outcome.err


def test_a_refund_in_text_shows_what_each_payment_gives_back(operator: Operator) -> None:
    order_id = _place(operator)

    outcome = operator("order", "cancel", order_id)

    assert "paid back through card C-1: 25.00 EUR" in outcome.out
    assert "paid back through giftcard GC-1: 20.00 EUR" in outcome.out
