"""Money: integer minor units of an ISO 4217 currency; no float ever touches it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from order_cancellation import CurrencyMismatch, InvalidMoney, Money
from order_cancellation.domain.money import currency_exponent


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
    with pytest.raises(InvalidMoney):
        Money(12.5, "EUR")  # type: ignore[arg-type]


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


def test_money_can_only_be_multiplied_by_a_whole_quantity() -> None:
    with pytest.raises(TypeError):
        _ = Money.of("0.10", "EUR") * 1.5  # type: ignore[operator]


def test_the_amount_in_major_units_is_exact() -> None:
    assert Money(1234, "KWD").amount == Decimal("1.234")
    assert str(Money(-5, "EUR")) == "-0.05 EUR"


def test_an_amount_beyond_28_significant_digits_is_kept_exactly() -> None:
    # Decimal's default context rounds to 28 digits; money must not be rounded silently.
    text = "12345678901234567890123456789.01"
    parsed = Money.of(text, "EUR")
    assert parsed.minor == 1234567890123456789012345678901
    assert parsed.amount == Decimal(text)
