"""Refunds of any amount (goodwill, a price adjustment), and what they hold back later.

A goodwill refund gives back an amount of money that is not the price of any unit: it is
split over the order's tax rates in proportion to the order's money at each rate (largest
remainder), each part holding the tax of a tax-inclusive amount at its rate. Nothing is
given back twice: a later cancel or return that would give back more than the order has
left to refund gives back less, by a deduction taken from what the goodwill refunds gave
at each rate, and the deduction that uses the last of them takes exactly what is left, so
an order fully returned after a goodwill refund still nets to zero on every figure and rate.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from order_cancellation.domain.decisions import Decision
from order_cancellation.domain.errors import CurrencyMismatch, InvalidInput, RefundExceedsCharge
from order_cancellation.domain.events import RefundGranted
from order_cancellation.domain.fees import FeePortion
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import TaxRate, allocate, tax_included
from order_cancellation.domain.refunding import refund_order
from order_cancellation.domain.refunds import RefundKind, RefundOrder
from order_cancellation.domain.states import Command
from order_cancellation.domain.values import (
    TenderShare,
    check_aware,
    check_identifier,
    check_reason,
)

if TYPE_CHECKING:
    from order_cancellation.domain.order import Order


def shares_of(refund: RefundOrder) -> tuple[TenderShare, ...]:
    """What each payment gives back of ``refund``, as events carry it."""
    return tuple(TenderShare(payment=part.payment, amount=part.amount) for part in refund.tenders)


GOODWILL = "Goodwill refund"
DEDUCTED = "Given back earlier (goodwill)"


def grant_refund(
    order: Order,
    amount: Money,
    *,
    refund_order_id: str,
    reason: str | None,
    at: datetime,
    tender: str | None = None,
) -> Decision:
    """The decision of ``Order.refund`` (see there)."""
    order.check_command(Command.REFUND)
    check_identifier(refund_order_id, "the refund order id")
    check_reason(reason)
    check_aware(at, "the time of the refund")
    if not isinstance(amount, Money) or amount.minor <= 0:
        raise InvalidInput(f"a refund's amount is a Money above zero, not {amount!r}.")
    if amount.currency != order.currency:
        raise CurrencyMismatch(
            f"the refund is in {amount.currency} but order {order.id!r} is in {order.currency}."
        )
    if amount > order.refundable:
        raise RefundExceedsCharge(
            f"order {order.id!r} has {order.refundable} left to refund, not {amount}; refund "
            "at most that."
        )
    parts = _split(order, amount)
    tenders, refund = refund_order(
        order,
        RefundKind.ADJUSTMENT,
        refund_order_id,
        reason=reason,
        at=at,
        restock=False,
        adjustment=parts,
        order_worth=order.worth - amount,
        order_keeps=order.worth - amount - order.returned_amount,
        tender=tender,
    )
    after = order.next_version(
        adjusted_amount=order.adjusted_amount + amount,
        adjustments_left=_merged(order.adjustments_left, parts),
        tenders=tenders,
    )
    event = RefundGranted(
        shop=order.shop,
        order_id=order.id,
        occurred_at=at,
        refund_order_id=refund_order_id,
        amount=amount,
        parts=parts,
        reason=reason,
        payment=order.payment,
        order_worth=order.worth - amount,
        order_keeps=order.worth - amount - order.returned_amount,
        tenders=shares_of(refund),
    )
    return Decision(order=after, events=(event,), refund_order=refund)


def deduction(order: Order, gives: Money) -> tuple[FeePortion, ...]:
    """What a refund that would give back ``gives`` must hold back, because goodwill
    refunds already paid that much of what the order has left to refund."""
    excess = gives - order.refundable
    if excess.minor <= 0 or not order.adjustments_left:
        return ()
    left = sum((part.amount for part in order.adjustments_left), Money.zero(order.currency))
    excess = min(excess, left)
    if excess == left:
        return tuple(
            FeePortion(name=DEDUCTED, tax_rate=p.tax_rate, amount=p.amount, tax=p.tax)
            for p in order.adjustments_left
        )
    shares = allocate(excess.minor, [part.amount.minor for part in order.adjustments_left])
    return tuple(
        FeePortion(
            name=DEDUCTED,
            tax_rate=part.tax_rate,
            amount=Money(share, order.currency),
            tax=Money(min(tax_included(share, part.tax_rate), part.tax.minor), order.currency),
        )
        for part, share in zip(order.adjustments_left, shares, strict=True)
        if share
    )


def remaining(
    left: tuple[FeePortion, ...], deducted: tuple[FeePortion, ...]
) -> tuple[FeePortion, ...]:
    """What is left of the goodwill refunds per rate once ``deducted`` was held back."""
    taken = {part.tax_rate: part for part in deducted}
    kept = []
    for part in left:
        used = taken.get(part.tax_rate)
        if used is None:
            kept.append(part)
        elif (used.amount, used.tax) != (part.amount, part.tax):
            kept.append(
                FeePortion(
                    name=GOODWILL,
                    tax_rate=part.tax_rate,
                    amount=part.amount - used.amount,
                    tax=part.tax - used.tax,
                )
            )
    return tuple(kept)


def _split(order: Order, amount: Money) -> tuple[FeePortion, ...]:
    money: dict[TaxRate, int] = {}
    # The tax still to give at each rate: the order's, less what earlier goodwill gave.
    tax: dict[TaxRate, int] = {part.tax_rate: -part.tax.minor for part in order.adjustments_left}
    for rate, part, part_tax in [
        *((line.tax_rate, line.total.minor, line.tax.minor) for line in order.lines),
        *((fee.tax_rate, fee.total.minor, fee.tax.minor) for fee in order.shipping),
    ]:
        money[rate] = money.get(rate, 0) + part
        tax[rate] = tax.get(rate, 0) + part_tax
    rates = sorted(money)
    shares = allocate(amount.minor, [money[rate] for rate in rates])
    return tuple(
        FeePortion(
            name=GOODWILL,
            tax_rate=rate,
            amount=Money(share, order.currency),
            tax=Money(max(min(tax_included(share, rate), tax[rate]), 0), order.currency),
        )
        for rate, share in zip(rates, shares, strict=True)
        if share
    )


def _merged(left: tuple[FeePortion, ...], parts: tuple[FeePortion, ...]) -> tuple[FeePortion, ...]:
    by_rate = {part.tax_rate: part for part in left}
    for part in parts:
        known = by_rate.get(part.tax_rate)
        by_rate[part.tax_rate] = (
            part
            if known is None
            else FeePortion(
                name=GOODWILL,
                tax_rate=part.tax_rate,
                amount=known.amount + part.amount,
                tax=known.tax + part.tax,
            )
        )
    return tuple(by_rate[rate] for rate in sorted(by_rate))
