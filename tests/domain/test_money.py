"""Money: integer minor units of an ISO 4217 currency; no float ever touches it."""

from __future__ import annotations

import operator
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from order_cancellation import CurrencyMismatch, InvalidMoney, Money
from order_cancellation.domain.money import MAX_MINOR, currency_exponent, stored_money


@pytest.mark.parametrize(
    ("currency", "exponent"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3)]
)
def test_each_currency_has_the_exponent_of_its_minor_unit(currency: str, exponent: int) -> None:
    assert currency_exponent(currency) == exponent


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [("12.50", "EUR", 1250), ("12.5", "EUR", 1250), ("1500", "JPY", 1500), ("1.234", "KWD", 1234)],
)
def test_an_amount_is_parsed_into_minor_units_of_its_currency(
    text: str, currency: str, minor: int
) -> None:
    assert Money.of(text, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("text", "currency"), [("1.005", "EUR"), ("1.5", "JPY"), ("0.0001", "KWD")]
)
def test_an_amount_with_more_decimals_than_the_currency_allows_is_refused(
    text: str, currency: str
) -> None:
    with pytest.raises(InvalidMoney, match="more decimals"):
        Money.of(text, currency)


@pytest.mark.parametrize("amount", [12.5, 0.1, float("nan"), float("inf")])
def test_a_float_is_never_accepted_as_money(amount: float) -> None:
    with pytest.raises(InvalidMoney, match="float"):
        Money.of(amount, "EUR")  # type: ignore[arg-type]


def test_minor_units_must_be_an_int() -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money(12.5, "EUR")  # type: ignore[arg-type]

    assert str(refused.value) == (
        "minor units must be an int, not float; use Money.of('12.50', 'EUR') to parse decimal text."
    )


@pytest.mark.parametrize("currency", ["eur", "EURO", "XYZ", ""])
def test_an_unknown_currency_code_is_refused(currency: str) -> None:
    with pytest.raises(InvalidMoney, match="ISO 4217"):
        Money.zero(currency)


def test_amounts_in_different_currencies_cannot_be_added() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")


def test_amounts_in_different_currencies_cannot_be_compared() -> None:
    with pytest.raises(CurrencyMismatch):
        _ = Money.of("1", "EUR") < Money.of("1", "SEK")


def test_a_price_times_a_quantity_is_exact() -> None:
    assert Money.of("0.10", "EUR") * 3 == Money.of("0.30", "EUR")


@pytest.mark.parametrize("factor", [1.5, Decimal("2"), "3", Money.of("1", "EUR")])
def test_money_can_only_be_multiplied_by_a_whole_quantity(factor: object) -> None:
    with pytest.raises(TypeError) as refused:
        _ = Money.of("0.10", "EUR") * factor  # type: ignore[operator]

    assert str(refused.value) == "Money can only be multiplied by an int (a quantity)"


def test_the_amount_in_major_units_is_exact() -> None:
    assert Money(1234, "KWD").amount == Decimal("1.234")
    assert str(Money(-5, "EUR")) == "-0.05 EUR"


def test_the_largest_amount_is_kept_exactly() -> None:
    text = "10000000000000.00"  # MAX_MINOR cents
    parsed = Money.of(text, "EUR")
    assert parsed.minor == MAX_MINOR
    assert parsed.amount == Decimal(text)
    assert Money.of(f"-{text}", "EUR").minor == -MAX_MINOR


@pytest.mark.parametrize(
    "amount",
    [
        "10000000000000.01",
        "-10000000000000.01",
        Decimal("1E+14"),
        "9" * 4400,
        Decimal("1E+2000000"),
        Decimal("-1E+2000000"),
    ],
    ids=["just-above", "just-below", "exponent", "4400-digits", "huge-exponent", "huge-negative"],
)
def test_an_amount_beyond_the_bound_is_refused_before_any_big_arithmetic(amount: object) -> None:
    started = time.perf_counter()
    with pytest.raises(InvalidMoney, match="beyond the 1,000,000,000,000,000 minor units"):
        Money.of(amount, "EUR")  # type: ignore[arg-type]
    assert time.perf_counter() - started < 0.05


@pytest.mark.parametrize(
    "minor", [MAX_MINOR + 1, -MAX_MINOR - 1, 10**5000], ids=["above", "below", "huge"]
)
def test_minor_units_beyond_the_bound_are_refused(minor: int) -> None:
    with pytest.raises(InvalidMoney, match="check the amount"):
        Money(minor, "EUR")


@pytest.mark.parametrize(
    "result",
    [
        lambda: Money(MAX_MINOR, "EUR") + Money(1, "EUR"),
        lambda: Money(-MAX_MINOR, "EUR") - Money(1, "EUR"),
        lambda: Money(2, "EUR") * (MAX_MINOR // 2 + 1),
        lambda: Money(1, "EUR") * 10**5000,
    ],
    ids=["sum", "difference", "product", "huge-factor"],
)
def test_arithmetic_beyond_the_bound_is_refused(result: Callable[[], Money]) -> None:
    with pytest.raises(InvalidMoney, match="beyond the"):
        result()


def test_a_stored_amount_beyond_the_bound_is_refused() -> None:
    with pytest.raises(InvalidMoney, match="beyond the"):
        stored_money(MAX_MINOR + 1, "EUR")


@pytest.mark.parametrize("currency", [["EUR"], {"EUR": 2}, b"EUR", None, 978])
def test_a_currency_that_is_not_text_is_refused_as_invalid_money(currency: object) -> None:
    # A list used to escape as a TypeError ("unhashable type") instead of InvalidMoney.
    with pytest.raises(InvalidMoney, match="is not an ISO 4217 currency code"):
        Money(1, currency)  # type: ignore[arg-type]


def test_an_amount_with_too_many_decimals_is_refused_with_advice_to_round_it() -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money.of("1.005", "EUR")

    message = str(refused.value)
    assert message.startswith("'1.005' has more decimals than EUR allows (2)")
    assert message.endswith("round it to the currency's minor unit first.")


@pytest.mark.parametrize(("amount", "kind"), [(12.5, "float"), (None, "NoneType"), (True, "bool")])
def test_an_amount_of_another_type_is_refused_naming_that_type(amount: object, kind: str) -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money.of(amount, "EUR")  # type: ignore[arg-type]

    message = str(refused.value)
    assert f"decimal text, int or Decimal, not {kind};" in message
    assert message.endswith("floats cannot represent money exactly.")


@pytest.mark.parametrize("text", ["12,50", "1e3", "12.50 EUR", "", "NaN", "--1"])
def test_text_that_is_not_a_decimal_amount_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money.of(text, "EUR")

    assert str(refused.value) == f"{text!r} is not a decimal amount; write it like '12.50'."


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_a_decimal_that_is_not_finite_is_refused(amount: Decimal) -> None:
    with pytest.raises(InvalidMoney) as refused:
        Money.of(amount, "EUR")

    assert str(refused.value) == f"{amount!r} is not a finite amount."


@pytest.mark.parametrize(
    ("smaller", "larger"), [("1.00", "1.01"), ("-0.01", "0"), ("-5", "-4.99"), ("0", "1000000")]
)
def test_amounts_of_one_currency_are_ordered_by_their_value(smaller: str, larger: str) -> None:
    low, high = Money.of(smaller, "EUR"), Money.of(larger, "EUR")

    assert (low < high, low <= high, low > high, low >= high) == (True, True, False, False)
    assert (high < low, high <= low, high > low, high >= low) == (False, False, True, True)


def test_an_amount_is_neither_above_nor_below_an_equal_amount() -> None:
    one, same = Money.of("1.50", "EUR"), Money(150, "EUR")

    assert (one < same, one <= same, one > same, one >= same) == (False, True, False, True)


COMBINATIONS: list[Callable[[Any, Any], object]] = [
    operator.lt,
    operator.le,
    operator.gt,
    operator.ge,
    operator.add,
    operator.sub,
]


@pytest.mark.parametrize("combine", COMBINATIONS)
@pytest.mark.parametrize("other", [5, Decimal("5"), "5.00 EUR", None])
def test_money_is_not_compared_or_combined_with_a_plain_value(
    combine: Callable[[Any, Any], object], other: object
) -> None:
    with pytest.raises(TypeError, match=f"cannot combine Money with {type(other).__name__}"):
        combine(Money.of("5", "EUR"), other)


@pytest.mark.parametrize("combine", COMBINATIONS)
def test_amounts_in_different_currencies_are_not_compared_or_combined(
    combine: Callable[[Any, Any], object],
) -> None:
    with pytest.raises(CurrencyMismatch) as refused:
        combine(Money.of("1", "EUR"), Money.of("1", "SEK"))

    assert str(refused.value) == (
        "cannot combine EUR with SEK; an order and its refunds use one currency."
    )


def test_a_currency_that_is_a_huge_number_is_refused_without_printing_it() -> None:
    with pytest.raises(InvalidMoney, match="a number far too large is not an ISO 4217"):
        Money.of("1", 10**5000)  # type: ignore[arg-type]
