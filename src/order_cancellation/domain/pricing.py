"""Tax rates and the arithmetic that keeps every split exact to the minor unit.

Three rules, each pure and property-tested:

- **Tax of an amount.** Prices that include tax (the EU default) hold
  ``tax = A * r / (10000 + r)`` of ``A``; prices that exclude it (US style) get
  ``tax = A * r / 10000`` added. Both round half up to the minor unit, once per line.
- **Allocation.** An amount split over parts in proportion to their weights: floor each
  share, then hand the units left over one by one to the largest remainders (ties go to
  the earlier part). The shares always sum to the amount.
- **Cumulative shares.** What ``k`` of ``n`` units are worth is ``round(total * k / n)``;
  a refund of units ``r .. r+k`` takes ``share(r + k) - share(r)``. So the refund that
  completes a line takes exactly what is left, and returning units one at a time or all
  at once refunds the same total.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Final, Self

import attrs

from order_cancellation.domain.errors import InvalidInput

BASIS_POINTS: Final = 10_000
"""Basis points in 100 %: a rate of 2550 basis points is 25.5 %."""


def _check_basis_points(_instance: object, _attribute: object, value: int) -> None:
    if type(value) is not int or not 0 <= value <= BASIS_POINTS:
        raise InvalidInput(
            f"a tax rate is a whole number of basis points from 0 to {BASIS_POINTS} "
            f"(0 % to 100 %), got {value!r}; write 25.5 % as TaxRate.percent('25.5')."
        )


@attrs.frozen(order=True)
class TaxRate:
    """A VAT or sales-tax rate, exact: ``basis_points`` hundredths of a percent.

    Rates are data a shop configures (Finland's standard rate is ``TaxRate.percent("25.5")``),
    never constants in code.
    """

    basis_points: int = attrs.field(validator=_check_basis_points)

    @classmethod
    def percent(cls, value: str | int | Decimal) -> Self:
        """``TaxRate.percent("25.5")``: a percentage with at most two decimals."""
        return cls(percent_to_basis_points(value, "a tax rate"))

    @classmethod
    def zero(cls) -> Self:
        return cls(0)

    @property
    def as_percent(self) -> Decimal:
        return Decimal(self.basis_points).scaleb(-2)

    def __str__(self) -> str:
        return f"{self.as_percent.normalize():f} %"


NO_TAX: Final = TaxRate(0)


def percent_to_basis_points(value: object, what: str) -> int:
    """Parse a percentage (text, int or Decimal; never a float) into basis points."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidInput(
            f"{what} is a percentage given as text, int or Decimal such as '25.5', "
            f"not {type(value).__name__}."
        )
    text = value.strip().removesuffix("%").strip() if isinstance(value, str) else value
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f"{what} {value!r} is not a percentage; write it like '25.5'.") from None
    if not number.is_finite() or not 0 <= number <= 100:
        raise InvalidInput(f"{what} is a percentage from 0 to 100, got {value!r}.")
    scaled = number.scaleb(2)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"{what} {value!r} has more than two decimals; round it to 0.01 %.")
    return int(scaled)


def divide_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half up (away from zero for halves), exactly."""
    assert denominator > 0
    quotient, remainder = divmod(abs(numerator), denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return quotient if numerator >= 0 else -quotient


def tax_included(amount: int, rate: TaxRate) -> int:
    """The tax inside ``amount`` minor units of a tax-inclusive price."""
    return divide_half_up(amount * rate.basis_points, BASIS_POINTS + rate.basis_points)


def tax_added(amount: int, rate: TaxRate) -> int:
    """The tax charged on top of ``amount`` minor units of a tax-exclusive price."""
    return divide_half_up(amount * rate.basis_points, BASIS_POINTS)


def tax_of(amount: int, rate: TaxRate, *, prices_include_tax: bool) -> int:
    return tax_included(amount, rate) if prices_include_tax else tax_added(amount, rate)


def allocate(amount: int, weights: list[int]) -> list[int]:
    """Split ``amount`` over ``weights`` by largest remainder; the shares sum to ``amount``.

    Weights are non-negative and not all zero unless ``amount`` is zero too.
    """
    whole = sum(weights)
    if whole == 0:
        assert amount == 0, "nothing to allocate an amount to"
        return [0] * len(weights)
    shares = []
    remainders = []
    for position, weight in enumerate(weights):
        share, remainder = divmod(amount * weight, whole)
        shares.append(share)
        remainders.append((-remainder, position))
    left = amount - sum(shares)
    for _, position in sorted(remainders)[:left]:
        shares[position] += 1
    return shares


def cumulative_share(total: int, units: int, of_units: int) -> int:
    """What ``units`` of ``of_units`` are worth of ``total``: ``round(total * units /
    of_units)``, half up. ``cumulative_share(total, n, n) == total``."""
    return divide_half_up(total * units, of_units)
