"""Shipping fees and discounts: what a caller may pass, and how discounts fall on lines."""

from __future__ import annotations

import attrs
import pytest

from order_cancellation import (
    CurrencyMismatch,
    Discount,
    InvalidDiscount,
    InvalidInput,
    Money,
    RefundExceedsCharge,
    ShippingFee,
    TaxRate,
    UnknownLine,
)
from order_cancellation.domain.charges import apply_discounts, price_shipping

IDS = ["L1", "L2", "L3"]
SKUS = ["SHIRT", "MUG", "POSTER"]


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def applied(discounts: list[Discount], subtotals: list[int]) -> list[list[int]]:
    result = apply_discounts(
        discounts, line_ids=IDS, skus=SKUS, subtotals=subtotals, currency="EUR"
    )
    return [[share.amount.minor for share in discount.per_line] for discount in result]


def test_a_percentage_discount_on_the_whole_order_is_split_in_proportion_to_the_lines() -> None:
    # 10 % of 100.00 is 10.00: 5.00, 3.00 and 2.00 off lines of 50, 30 and 20.
    assert applied([Discount.percentage("TEN", "10")], [5000, 3000, 2000]) == [[500, 300, 200]]


def test_a_fixed_discount_lands_its_leftover_cent_on_the_largest_remainder() -> None:
    # 10.00 over three lines of 10.00 each: 3.34, 3.33, 3.33.
    assert applied([Discount.fixed("GIFT", eur("10.00"))], [1000, 1000, 1000]) == [[334, 333, 333]]


def test_a_percentage_discount_rounds_half_up() -> None:
    # 10 % of 0.05 is 0.005: half a cent rounds up to 0.01.
    (discount,) = apply_discounts(
        [Discount.percentage("TEN", "10")],
        line_ids=["L1"],
        skus=["X"],
        subtotals=[5],
        currency="EUR",
    )
    assert discount.amount == eur("0.01")


def test_a_discount_on_named_lines_leaves_the_others_alone() -> None:
    shares = applied([Discount.percentage("MUGS", "50", lines=["MUG"])], [5000, 3000, 2000])

    assert shares == [[1500]]


def test_lines_may_be_named_by_line_id() -> None:
    (discount,) = apply_discounts(
        [Discount.fixed("X", eur("1.00"), lines=["L3"])],
        line_ids=IDS,
        skus=SKUS,
        subtotals=[100, 100, 100],
        currency="EUR",
    )
    assert [(share.line_id, share.amount) for share in discount.per_line] == [("L3", eur("1.00"))]


def test_a_later_discount_applies_to_what_the_earlier_ones_left() -> None:
    # 10 % of 100.00, then 10 % of the 90.00 left.
    result = apply_discounts(
        [Discount.percentage("A", "10"), Discount.percentage("B", "10")],
        line_ids=["L1"],
        skus=["X"],
        subtotals=[10000],
        currency="EUR",
    )
    assert [discount.amount for discount in result] == [eur("10.00"), eur("9.00")]


def test_a_discount_larger_than_its_lines_is_refused() -> None:
    with pytest.raises(InvalidDiscount, match=r"more than the 20\.00 EUR left"):
        applied([Discount.fixed("BIG", eur("20.01"), lines=["POSTER"])], [5000, 3000, 2000])


def test_a_discount_on_a_line_that_does_not_exist_is_refused() -> None:
    with pytest.raises(UnknownLine, match="no line or SKU"):
        applied([Discount.percentage("X", "10", lines=["HAT"])], [100, 100, 100])


def test_a_discount_naming_a_sku_on_two_lines_asks_for_the_line_id() -> None:
    with pytest.raises(UnknownLine, match="several lines"):
        apply_discounts(
            [Discount.percentage("X", "10", lines=["MUG"])],
            line_ids=["L1", "L2"],
            skus=["MUG", "MUG"],
            subtotals=[100, 100],
            currency="EUR",
        )


def test_a_key_that_is_a_line_id_and_another_lines_sku_is_refused() -> None:
    with pytest.raises(UnknownLine, match="both a line id and the SKU"):
        apply_discounts(
            [Discount.percentage("X", "10", lines=["L2"])],
            line_ids=["L1", "L2"],
            skus=["L2", "MUG"],
            subtotals=[100, 100],
            currency="EUR",
        )


def test_a_discount_naming_a_line_twice_is_refused() -> None:
    with pytest.raises(InvalidDiscount, match="twice"):
        applied([Discount.percentage("X", "10", lines=["MUG", "L2"])], [100, 100, 100])


def test_a_discount_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch, match="SEK"):
        applied([Discount.fixed("X", Money.of("1", "SEK"))], [100, 100, 100])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Discount(code="X"), "either an amount or a percentage"),
        (lambda: Discount(code="X", amount=eur("1"), basis_points=100), "either"),
        (lambda: Discount.fixed("X", eur("0")), "above zero"),
        (lambda: Discount(code="X", basis_points=0), "above 0 and at most 100"),
        (lambda: Discount(code="X", basis_points=10_001), "above 0 and at most 100"),
        (lambda: Discount.fixed("X", eur("1"), lines="MUG"), "a list of SKUs"),
        (lambda: Discount.fixed("X", eur("1"), lines=[3]), "text"),  # type: ignore[list-item]
    ],
)
def test_a_malformed_discount_is_refused(build: object, message: str) -> None:
    with pytest.raises(InvalidDiscount, match=message):
        build()  # type: ignore[operator]


def test_a_percentage_above_a_hundred_is_refused() -> None:
    with pytest.raises(InvalidInput, match="from 0 to 100"):
        Discount.percentage("X", "101")


def test_a_discount_code_is_an_identifier() -> None:
    with pytest.raises(InvalidInput, match="code"):
        Discount.percentage(" ", "10")


def test_shipping_with_tax_included_carries_its_tax_inside_its_amount() -> None:
    (fee,) = price_shipping(
        [ShippingFee("Standard", eur("5.90"), tax_rate="25.5")],
        currency="EUR",
        prices_include_tax=True,
    )
    assert (fee.id, fee.amount, fee.tax, fee.total) == ("S1", eur("5.90"), eur("1.20"), eur("5.90"))


def test_shipping_without_tax_gets_its_tax_added() -> None:
    (fee,) = price_shipping(
        [ShippingFee("Ground", Money.of("10.00", "USD"), tax_rate="7.25")],
        currency="USD",
        prices_include_tax=False,
    )
    assert (fee.tax, fee.total) == (Money.of("0.73", "USD"), Money.of("10.73", "USD"))


def test_shipping_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch, match="shipping fee 'Standard'"):
        price_shipping(
            [ShippingFee("Standard", Money.of("49", "SEK"))],
            currency="EUR",
            prices_include_tax=True,
        )


@pytest.mark.parametrize(
    ("name", "amount", "message"),
    [("", eur("1"), "name"), ("Post", eur("-1"), "zero or more"), ("Post", 5, "Money")],
)
def test_a_malformed_shipping_fee_is_refused(name: str, amount: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        ShippingFee(name, amount)  # type: ignore[arg-type]


def test_a_tax_rate_given_as_a_bare_int_is_refused_as_ambiguous() -> None:
    with pytest.raises(InvalidInput, match="ambiguous"):
        ShippingFee("Post", eur("1"), tax_rate=24)  # type: ignore[arg-type]


def test_a_shipping_refund_in_parts_takes_exactly_the_tax_left_at_the_end() -> None:
    (fee,) = price_shipping(
        [ShippingFee("Standard", eur("5.90"), tax_rate=TaxRate(2550))],
        currency="EUR",
        prices_include_tax=True,
    )
    first = fee.portion(eur("1.00"))
    rest = attrs.evolve(fee, refunded=eur("1.00")).portion(eur("4.90"))

    assert (first.tax, rest.tax) == (eur("0.20"), eur("1.00"))
    assert first.tax + rest.tax == fee.tax


def test_refunding_more_shipping_than_is_left_is_refused() -> None:
    (fee,) = price_shipping(
        [ShippingFee("Standard", eur("5.90"))], currency="EUR", prices_include_tax=True
    )
    with pytest.raises(RefundExceedsCharge, match=r"5\.90 EUR left"):
        fee.portion(eur("5.91"))
