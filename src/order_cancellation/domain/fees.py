"""Fees kept back from a return: a restocking fee, the return shipping deducted.

A fee is money the merchant keeps out of what a return gives back. It carries the tax of
what it is kept from: it is split over the tax rates of the returned goods and shipping in
proportion to their money (largest remainder), and each part holds the tax of a
tax-inclusive amount at its rate. The refund order gives back its goods and shipping less
its fees, on every figure and every rate.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from order_cancellation.domain.charges import ShippingPortion
from order_cancellation.domain.errors import CurrencyMismatch, InvalidInput, RefundExceedsCharge
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import TaxRate, allocate, tax_included
from order_cancellation.domain.values import LineQuantity, check_identifier

MAX_FEES = 10


@attrs.frozen
class ReturnFee:
    """A fee to keep back from a return: ``ReturnFee("Restocking fee", Money.of("5.00",
    "EUR"))``; tax included, as the money it is kept from."""

    name: str
    amount: Money

    def __attrs_post_init__(self) -> None:
        check_identifier(self.name, "a fee's name")
        if not isinstance(self.amount, Money) or self.amount.minor <= 0:
            raise InvalidInput(
                f"the amount of fee {self.name!r} must be a Money above zero, got {self.amount!r}."
            )


@attrs.frozen(kw_only=True)
class FeePortion:
    """The part of a fee kept at one tax rate: ``amount`` (tax included) with ``tax`` in it."""

    name: str
    tax_rate: TaxRate
    amount: Money
    tax: Money


def fees_kept(
    fees: Sequence[ReturnFee],
    lines: Sequence[LineQuantity],
    shipping: Sequence[ShippingPortion],
    *,
    currency: str,
) -> tuple[FeePortion, ...]:
    """Split ``fees`` over the tax rates of what the return gives back."""
    if isinstance(fees, str | ReturnFee) or not isinstance(fees, Sequence):
        raise InvalidInput("fees are a list of ReturnFee values.")
    if len(fees) > MAX_FEES:
        raise InvalidInput(f"a return keeps at most {MAX_FEES} fees.")
    if not fees:
        return ()
    money: dict[TaxRate, int] = {}
    tax: dict[TaxRate, int] = {}
    for rate, amount, part_tax in [
        *((line.tax_rate, line.total.minor, line.tax.minor) for line in lines),
        *((fee.tax_rate, fee.amount.minor, fee.tax.minor) for fee in shipping),
    ]:
        money[rate] = money.get(rate, 0) + amount
        tax[rate] = tax.get(rate, 0) + part_tax
    back = sum(money.values())
    total = 0
    for fee in fees:
        if not isinstance(fee, ReturnFee):
            raise InvalidInput(f"fees are ReturnFee values, not {type(fee).__name__}.")
        if fee.amount.currency != currency:
            raise CurrencyMismatch(
                f"fee {fee.name!r} is in {fee.amount.currency} but the order is in {currency}."
            )
        total += fee.amount.minor
    if total > back:
        raise RefundExceedsCharge(
            f"the fees come to {Money(total, currency)}, more than the "
            f"{Money(back, currency)} this return gives back; keep at most that."
        )
    rates = sorted(money)
    portions = []
    for fee in fees:
        shares = allocate(fee.amount.minor, [money[rate] for rate in rates])
        for rate, share in zip(rates, shares, strict=True):
            if not share:
                continue
            # Never more tax than the return gives back at that rate.
            part_tax = min(tax_included(share, rate), tax[rate])
            tax[rate] -= part_tax
            portions.append(
                FeePortion(
                    name=fee.name,
                    tax_rate=rate,
                    amount=Money(share, currency),
                    tax=Money(part_tax, currency),
                )
            )
    return tuple(portions)
