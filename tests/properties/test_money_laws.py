"""Money obeys the laws of integer arithmetic within one currency, and refuses the rest."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_cancellation import CurrencyMismatch, InvalidMoney, Money
from order_cancellation.domain.money import MAX_MINOR, currency_exponent
from order_cancellation.testing import strategies as ocst

currency = ocst.currencies()


@st.composite
def same_currency(draw: st.DrawFn, count: int) -> list[Money]:
    code = draw(currency)
    # Small enough that no sum of them passes the bound; sums beyond it have a law below.
    amounts = ocst.money(code, min_minor=-(MAX_MINOR // count), max_minor=MAX_MINOR // count)
    return [draw(amounts) for _ in range(count)]


@given(same_currency(3))
def test_addition_is_associative(amounts: list[Money]) -> None:
    a, b, c = amounts
    assert (a + b) + c == a + (b + c)


@given(same_currency(2))
def test_addition_is_commutative(amounts: list[Money]) -> None:
    a, b = amounts
    assert a + b == b + a


@given(ocst.money(min_minor=None, max_minor=None))
def test_zero_is_the_identity_of_addition(amount: Money) -> None:
    zero = Money.zero(amount.currency)
    assert amount + zero == amount == zero + amount


@given(ocst.money(min_minor=None, max_minor=None))
def test_an_amount_plus_its_negation_is_zero(amount: Money) -> None:
    assert (amount + -amount).is_zero()
    negated = -amount
    assert -negated == amount


@given(same_currency(2))
def test_subtraction_adds_the_negation(amounts: list[Money]) -> None:
    a, b = amounts
    assert a - b == a + -b


@given(
    ocst.money(min_minor=-(MAX_MINOR // 10**6), max_minor=MAX_MINOR // 10**6),
    st.integers(min_value=0, max_value=10**6),
)
def test_multiplying_by_a_quantity_is_repeated_addition_in_minor_units(
    amount: Money, quantity: int
) -> None:
    assert (amount * quantity).minor == amount.minor * quantity


@given(ocst.money(min_minor=1, max_minor=None))
def test_a_sum_beyond_the_bound_is_refused(amount: Money) -> None:
    with pytest.raises(InvalidMoney, match="beyond the"):
        _ = Money(MAX_MINOR, amount.currency) + amount


@given(ocst.money(min_minor=None, max_minor=None))
def test_parsing_the_amount_gives_back_the_same_money(amount: Money) -> None:
    assert Money.of(amount.amount, amount.currency) == amount
    assert Money.of(f"{amount.amount:f}", amount.currency) == amount


@given(ocst.money(min_minor=None, max_minor=None))
def test_the_amount_has_as_many_decimals_as_the_currency(amount: Money) -> None:
    exponent = amount.amount.as_tuple().exponent
    assert exponent == -currency_exponent(amount.currency)


@pytest.mark.parametrize(("code", "exponent"), [("EUR", 2), ("JPY", 0), ("KWD", 3)])
@given(minor=st.integers(min_value=-(10**12), max_value=10**12))
def test_one_minor_unit_is_ten_to_the_minus_exponent(code: str, exponent: int, minor: int) -> None:
    assert Money(minor, code).amount == Decimal(minor).scaleb(-exponent)
    assert Money.of(Decimal(1).scaleb(-exponent), code) == Money(1, code)


@given(st.lists(ocst.currencies(), min_size=2, max_size=2, unique=True), st.data())
def test_amounts_in_two_currencies_never_combine(codes: list[str], data: st.DataObject) -> None:
    first = data.draw(ocst.money(codes[0], min_minor=None, max_minor=None))
    second = data.draw(ocst.money(codes[1], min_minor=None, max_minor=None))

    with pytest.raises(CurrencyMismatch):
        _ = first + second
    with pytest.raises(CurrencyMismatch):
        _ = first - second
    with pytest.raises(CurrencyMismatch):
        _ = first < second


@given(ocst.currencies(), st.data())
def test_an_inexact_or_malformed_amount_is_refused(code: str, data: st.DataObject) -> None:
    amount = data.draw(ocst.invalid_amounts(code))

    with pytest.raises(InvalidMoney):
        Money.of(amount, code)  # type: ignore[arg-type]


@given(ocst.invalid_currencies())
def test_a_code_that_is_not_iso_4217_is_refused(code: object) -> None:
    with pytest.raises(InvalidMoney):
        Money.zero(code)  # type: ignore[arg-type]
