"""Amounts read back from a store are checked exactly as the Money constructor checks them."""

from __future__ import annotations

import pytest

from order_cancellation import InvalidMoney, Money
from order_cancellation.domain.money import stored_money


@pytest.mark.parametrize(
    ("minor", "currency"), [(1250, "EUR"), (-5, "JPY"), (0, "KWD"), (10**15, "USD")]
)
def test_stored_parts_of_a_valid_amount_give_back_that_amount(minor: int, currency: str) -> None:
    money = stored_money(minor, currency)

    assert money == Money(minor, currency)
    assert (money.minor, money.currency) == (minor, currency)


@pytest.mark.parametrize(
    ("minor", "currency", "complaint"),
    [
        (12.5, "EUR", "minor units must be an int, not float"),
        ("1250", "EUR", "minor units must be an int, not str"),
        (True, "EUR", "minor units must be an int, not bool"),
        (None, "EUR", "minor units must be an int, not NoneType"),
        (1250, "XYZ", "'XYZ' is not an ISO 4217 currency code"),
        (1250, "eur", "'eur' is not an ISO 4217 currency code"),
        (1250, 978, "978 is not an ISO 4217 currency code"),
        (1250, ["EUR"], "['EUR'] is not an ISO 4217 currency code"),
        (1250, None, "None is not an ISO 4217 currency code"),
    ],
)
def test_stored_parts_that_are_not_money_are_refused_as_the_constructor_refuses_them(
    minor: object, currency: object, complaint: str
) -> None:
    with pytest.raises(InvalidMoney) as refused:
        stored_money(minor, currency)

    assert complaint in str(refused.value)
