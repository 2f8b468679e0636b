"""Tax rates, tax of an amount, allocation and cumulative shares: exact to the minor unit."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_cancellation import InvalidInput, TaxRate
from order_cancellation.domain.pricing import (
    allocate,
    cumulative_share,
    divide_half_up,
    tax_added,
    tax_included,
)

FINNISH_STANDARD = TaxRate.percent("25.5")


def test_a_rate_in_percent_is_kept_as_basis_points() -> None:
    assert TaxRate.percent("25.5") == TaxRate(2550)
    assert TaxRate.percent(Decimal("13.5")).basis_points == 1350
    assert TaxRate.percent(10) == TaxRate(1000)
    assert TaxRate.percent("24 %") == TaxRate(2400)


def test_a_rate_shows_as_a_percentage() -> None:
    assert str(TaxRate(2550)) == "25.5 %"
    assert str(TaxRate(0)) == "0 %"
    assert TaxRate(1350).as_percent == Decimal("13.50")


@pytest.mark.parametrize("percent", ["-1", "100.01", "abc", "NaN", "Infinity", "12.345", ""])
def test_a_rate_outside_zero_to_a_hundred_percent_or_too_precise_is_refused(percent: str) -> None:
    with pytest.raises(InvalidInput, match=r"percentage|two decimals"):
        TaxRate.percent(percent)


@pytest.mark.parametrize("points", [-1, 10_001, 2.5, "2550", True])
def test_basis_points_are_a_whole_number_from_zero_to_ten_thousand(points: object) -> None:
    with pytest.raises(InvalidInput, match="basis points"):
        TaxRate(points)  # type: ignore[arg-type]


def test_a_float_percentage_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not float"):
        TaxRate.percent(25.5)  # type: ignore[arg-type]


def test_rates_order_by_size() -> None:
    assert sorted([TaxRate(2550), TaxRate(0), TaxRate(1000)]) == [
        TaxRate(0),
        TaxRate(1000),
        TaxRate(2550),
    ]


def test_the_tax_inside_a_tax_inclusive_price_rounds_half_up() -> None:
    # The design's worked example: goods 44.82 and shipping 5.90 at 25.5 %.
    assert tax_included(4482, FINNISH_STANDARD) == 911
    assert tax_included(590, FINNISH_STANDARD) == 120
    assert tax_included(2241, FINNISH_STANDARD) == 455


def test_the_tax_added_to_a_tax_exclusive_price_rounds_half_up() -> None:
    assert tax_added(1000, TaxRate.percent("7.25")) == 73  # 72.5 rounds up
    assert tax_added(1000, TaxRate(888)) == 89  # 88.8


def test_a_zero_rate_has_no_tax() -> None:
    assert tax_included(12345, TaxRate(0)) == 0
    assert tax_added(12345, TaxRate(0)) == 0


def test_division_rounds_halves_away_from_zero() -> None:
    assert [divide_half_up(n, 2) for n in (1, 3, -1, -3, 4)] == [1, 2, -1, -2, 2]
    assert divide_half_up(1, 3) == 0
    assert divide_half_up(2, 3) == 1


def test_allocation_hands_the_leftover_units_to_the_largest_remainders() -> None:
    # 100 over 3 equal parts: 33.33 each; the one unit left goes to the first.
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    # 10 over 3:7 weights: 3 and 7 exactly.
    assert allocate(10, [3, 7]) == [3, 7]
    # 5 over 1:1:2 -> 1.25, 1.25, 2.5: the one unit left goes to the largest remainder.
    assert allocate(5, [1, 1, 2]) == [1, 1, 3]
    # Equal remainders: the earlier parts come first.
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]


def test_allocating_nothing_over_nothing_gives_zeros() -> None:
    assert allocate(0, [0, 0]) == [0, 0]


def test_a_cumulative_share_of_every_unit_is_the_whole() -> None:
    assert cumulative_share(1001, 3, 3) == 1001
    assert [cumulative_share(1001, n, 3) for n in range(4)] == [0, 334, 667, 1001]


@given(
    amount=st.integers(0, 10**12),
    weights=st.lists(st.integers(0, 10**9), min_size=1, max_size=12).filter(any),
)
def test_allocation_never_loses_or_creates_a_minor_unit(amount: int, weights: list[int]) -> None:
    shares = allocate(amount, weights)

    assert sum(shares) == amount
    assert all(share >= 0 for share in shares)
    whole = sum(weights)
    # No share is further than one unit from its exact proportion.
    assert all(
        abs(share * whole - amount * w) < whole for share, w in zip(shares, weights, strict=True)
    )


@given(total=st.integers(0, 10**12), units=st.integers(1, 500))
def test_cumulative_shares_never_decrease_and_end_at_the_total(total: int, units: int) -> None:
    shares = [cumulative_share(total, n, units) for n in range(units + 1)]

    assert shares[0] == 0
    assert shares[-1] == total
    assert all(a <= b for a, b in itertools.pairwise(shares))


@given(amount=st.integers(0, 10**12), points=st.integers(0, 10_000))
def test_the_tax_of_an_amount_never_exceeds_it(amount: int, points: int) -> None:
    rate = TaxRate(points)

    assert 0 <= tax_included(amount, rate) <= amount
    assert 0 <= tax_added(amount, rate) <= amount
