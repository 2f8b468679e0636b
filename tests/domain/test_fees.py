"""Fees kept back from a return: split over the tax rates of what the return gives back."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from order_cancellation import (
    CurrencyMismatch,
    InvalidInput,
    LineItem,
    Money,
    Order,
    RefundExceedsCharge,
    ReturnFee,
    ShippingFee,
    TaxRate,
)
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import build_report

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)
VAT, BOOKS = TaxRate.percent("25.5"), TaxRate.percent("10")


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def shipped() -> Order:
    return (
        Order.place(
            order_id="o-1",
            shop="acme",
            items=[
                LineItem("LAMP", 1, eur("60.00"), tax_rate=VAT),
                LineItem("BOOK", 1, eur("40.00"), tax_rate=BOOKS),
            ],
            payment=None,
            at=AT,
            shipping=[ShippingFee("Post", eur("5.00"), tax_rate=VAT)],
        )
        .order.fulfill(None, at=AT)
        .order
    )


def returned(order: Order, fees: list[ReturnFee], **options: object) -> tuple[Order, RefundOrder]:
    decision = order.create_return(
        {"LAMP": 1, "BOOK": 1},
        refund_order_id="r-1",
        restock=True,
        reason=None,
        at=AT,
        fees=fees,
        **options,  # type: ignore[arg-type]
    )
    assert decision.refund_order is not None
    return decision.order, decision.refund_order


def test_a_restocking_fee_is_kept_back_from_what_the_return_gives() -> None:
    _, refund = returned(shipped(), [ReturnFee("Restocking fee", eur("10.00"))])

    assert refund.amount == eur("90.00")
    assert refund.fees_kept == eur("10.00")


def test_a_fee_is_split_over_the_rates_of_what_is_returned() -> None:
    _, refund = returned(shipped(), [ReturnFee("Restocking fee", eur("10.00"))])

    parts = [(p.tax_rate, p.amount, p.tax) for p in refund.fees]
    assert parts == [(BOOKS, eur("4.00"), eur("0.36")), (VAT, eur("6.00"), eur("1.22"))]


def test_the_tax_given_back_is_net_of_the_fees_tax() -> None:
    order = shipped()
    _, refund = returned(order, [ReturnFee("Restocking fee", eur("10.00"))])

    assert refund.tax_by_rate == {
        BOOKS: order.tax_by_rate[BOOKS] - eur("0.36") - eur("0"),
        VAT: order.lines[0].tax - eur("1.22"),
    }


def test_a_fully_returned_order_keeps_exactly_its_fees_in_the_report() -> None:
    order = shipped()
    _, refund = returned(order, [ReturnFee("Restocking fee", eur("10.00"))], refund_shipping=True)

    row = build_report([order], [refund], start=AT, end=AT.replace(day=3)).currency("EUR")

    assert row.net == eur("10.00")
    assert (
        row.refunds
        == row.refunded_goods - row.discounts_reversed + row.refunded_shipping - row.fees_kept
    )
    assert row.tax == sum((part.tax for part in refund.fees), eur("0")) == eur("1.61")


def test_fees_above_what_the_return_gives_are_refused() -> None:
    with pytest.raises(RefundExceedsCharge, match=re.escape("more than the 100.00 EUR")):
        returned(shipped(), [ReturnFee("Restocking fee", eur("100.01"))])


def test_a_fee_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch, match="SEK"):
        returned(shipped(), [ReturnFee("Restocking fee", Money.of("1", "SEK"))])


@pytest.mark.parametrize(
    ("fees", "message"),
    [
        (ReturnFee("Restocking fee", eur("1")), "a list of ReturnFee"),
        (["Restocking fee"], "ReturnFee values"),
        ([ReturnFee("Fee", eur("0.01"))] * 11, "at most 10 fees"),
    ],
)
def test_malformed_fees_are_refused(fees: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        returned(shipped(), fees)  # type: ignore[arg-type]


@pytest.mark.parametrize(("name", "amount"), [("", eur("1")), ("Fee", eur("0")), ("Fee", 5)])
def test_a_fee_has_a_name_and_an_amount_above_zero(name: str, amount: object) -> None:
    with pytest.raises(InvalidInput):
        ReturnFee(name, amount)  # type: ignore[arg-type]
