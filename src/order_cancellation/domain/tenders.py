"""Orders paid with several payments (a gift card and a card, store credit and Klarna).

Each payment of an order is a tender with a ledger: what it authorized, what shipments
charged to it (captured), and what refund orders gave back through it, either as a refund
of captured money or as authorization released before it was captured. The ledger is kept
by the order's commands, so every split is decided once, in the domain, and stored:

- a shipment charges gift cards and store credit first (they are spent at checkout), then
  the other payments in the order given, each up to what it still has authorized;
- a refund goes, under the default policy, back to external payment methods first, the one
  charged most recently first, and to gift cards and store credit last;
- money not yet captured is released before captured money is refunded when units are
  canceled or goodwill is given; a return refunds captured money first;
- a payment never gives back more than it has: ``refunded <= captured <= authorized``.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from order_cancellation.domain.charges import amount_of
from order_cancellation.domain.errors import (
    CurrencyMismatch,
    InvalidInput,
    RefundExceedsCharge,
    TendersDoNotAddUp,
    UnknownTender,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import RefundKind, TenderRefund
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import PaymentRef, TenderKind, TenderShare

if TYPE_CHECKING:
    from order_cancellation.domain.order import Order

MAX_TENDERS = 10


class TenderPolicy(enum.StrEnum):
    """The order in which a refund is spread over an order's payments."""

    EXTERNAL_FIRST = "external_first"
    """External payment methods first, the one charged most recently first; gift cards and
    store credit last."""
    AS_LISTED = "as_listed"
    """In the order the payments were given when the order was placed."""


@attrs.frozen(kw_only=True)
class Tender:
    """One payment of an order and what happened to its money so far."""

    payment: PaymentRef
    authorized: Money
    captured: Money
    refunded: Money
    """Captured money given back."""
    released: Money
    """Authorization given up before it was captured."""
    returned: Money
    """What returns gave back through this payment (refunded or released)."""
    last_capture: int = 0
    """When this payment was last charged: the number of the order's charges (one per
    payment per shipment) up to and including it; 0 when never."""

    @property
    def held(self) -> Money:
        """Captured money not given back."""
        return self.captured - self.refunded

    @property
    def uncaptured(self) -> Money:
        """What is still authorized and not captured."""
        return self.authorized - self.captured - self.released

    @property
    def worth(self) -> Money:
        """What this payment will have paid once every unit still to ship has shipped: its
        amount less what cancellations and goodwill gave back through it."""
        return self.authorized - (self.refunded + self.released - self.returned)

    @property
    def keeps(self) -> Money:
        """The most the merchant may hold of this payment: its worth less returns."""
        return self.worth - self.returned

    @property
    def gives_last(self) -> bool:
        return self.payment.kind is not TenderKind.PAYMENT


def open_tenders(payments: Sequence[PaymentRef], *, total: Money) -> tuple[Tender, ...]:
    """The ledgers of a new order's payments, checked: one payment without an amount
    covers the order; several must each have an amount, in the order's currency, and add
    up to its total exactly."""
    payments = list(payments)
    if not payments:
        return ()
    for payment in payments:
        if not isinstance(payment, PaymentRef):
            raise InvalidInput(f"payments are PaymentRef values, not {type(payment).__name__}.")
    if len(payments) > MAX_TENDERS:
        raise InvalidInput(f"an order has at most {MAX_TENDERS} payments, not {len(payments)}.")
    references = [payment.reference for payment in payments]
    if len(set(references)) != len(references):
        raise InvalidInput(
            f"each payment of an order needs its own reference, got {references}; "
            "references name the payment to refund."
        )
    for payment in payments:
        if payment.amount is not None and payment.amount.currency != total.currency:
            raise CurrencyMismatch(
                f"payment {payment.reference!r} is in {payment.amount.currency} but the order "
                f"is in {total.currency}; every payment of an order is in its currency."
            )
    if len(payments) == 1 and payments[0].amount is None:
        return (_opened(payments[0], total),)
    missing = [payment.reference for payment in payments if payment.amount is None]
    if missing:
        raise TendersDoNotAddUp(
            f"an order paid with several payments needs the amount of each; {missing} have none."
        )
    paid = sum(
        (payment.amount for payment in payments if payment.amount), Money.zero(total.currency)
    )
    if paid != total:
        raise TendersDoNotAddUp(
            f"the payments add up to {paid} but the order's total is {total}; give amounts "
            "that add up to the total."
        )
    return tuple(_opened(payment, payment.amount or total) for payment in payments)


def _opened(payment: PaymentRef, amount: Money) -> Tender:
    zero = Money.zero(amount.currency)
    return Tender(
        payment=payment,
        authorized=amount,
        captured=zero,
        refunded=zero,
        released=zero,
        returned=zero,
    )


def charge(
    tenders: tuple[Tender, ...], amount: Money
) -> tuple[tuple[Tender, ...], tuple[TenderShare, ...]]:
    """Split a shipment's charge over the payments: gift cards and store credit first, then
    the others as listed, each up to what it still has authorized."""
    capture = max((tender.last_capture for tender in tenders), default=0)
    order = sorted(range(len(tenders)), key=lambda i: not tenders[i].gives_last)
    updated = list(tenders)
    shares = []
    left = amount
    for index in order:
        tender = tenders[index]
        take = min(left, tender.uncaptured)
        if take.minor <= 0:
            continue
        left -= take
        capture += 1
        updated[index] = replace(tender, captured=tender.captured + take, last_capture=capture)
        shares.append(TenderShare(payment=tender.payment, amount=take))
    return tuple(updated), tuple(shares)


def give_back(
    tenders: tuple[Tender, ...],
    amount: Money,
    *,
    kind: RefundKind,
    policy: TenderPolicy,
    only: str | None = None,
    strict: bool = True,
) -> tuple[tuple[Tender, ...], tuple[TenderRefund, ...]]:
    """Split ``amount`` given back by a refund order over the payments (all of them, or
    only the one whose reference is ``only``): what each gives back, released from its
    authorization or refunded from what it captured. Not ``strict``: give back what the
    payments have when they have less (the ledger of an order paid once is a record, the
    order's own figures decide what it may refund)."""
    candidates = refund_order(tenders, policy)
    if only is not None:
        candidates = [i for i in candidates if tenders[i].payment.reference == only]
        if not candidates:
            known = [tender.payment.reference for tender in tenders]
            raise UnknownTender(
                f"the order was not paid with a payment {only!r}; its payments are {known}."
            )
    refunds = dict.fromkeys(candidates, Money.zero(amount.currency))
    releases = dict.fromkeys(candidates, Money.zero(amount.currency))
    passes = (refunds, releases) if kind is RefundKind.RETURN else (releases, refunds)
    left = amount
    for taken in passes:
        for index in candidates:
            tender = tenders[index]
            room = (
                tender.held - refunds[index]
                if taken is refunds
                else tender.uncaptured - releases[index]
            )
            take = min(left, room)
            if take.minor > 0:
                taken[index] += take
                left -= take
    if left.minor > 0 and strict:
        where = f"payment {only!r}" if only is not None else "the order's payments"
        raise RefundExceedsCharge(
            f"{where} can give back {amount - left} more, not {amount}; refund at most that"
            + (" or leave out the payment to spread the refund." if only else ".")
        )
    updated = list(tenders)
    parts = []
    for index in candidates:
        gives = refunds[index] + releases[index]
        if gives.minor <= 0:
            continue
        tender = tenders[index]
        after = replace(
            tender,
            refunded=tender.refunded + refunds[index],
            released=tender.released + releases[index],
            returned=tender.returned
            + (gives if kind is RefundKind.RETURN else Money.zero(amount.currency)),
        )
        updated[index] = after
        parts.append(
            TenderRefund(payment=tender.payment, amount=gives, worth=after.worth, keeps=after.keeps)
        )
    return tuple(updated), tuple(parts)


def refund_order(tenders: tuple[Tender, ...], policy: TenderPolicy) -> list[int]:
    """The indexes of ``tenders`` in the order refunds go back to them."""
    listed = list(range(len(tenders)))
    if policy is TenderPolicy.AS_LISTED:
        return listed
    return sorted(listed, key=lambda i: (tenders[i].gives_last, -tenders[i].last_capture, i))


def ledger_before_tenders(order: Order) -> tuple[Tender, ...]:
    """The payment ledger of an order stored before orders kept one: its single payment,
    charged for what shipped and credited with what its refunds gave back."""
    if order.payment is None:
        return ()
    zero = Money.zero(order.currency)
    shipped = [line for line in order.lines if line.fulfilled]
    captured = amount_of(
        (
            line.portion(0, line.fulfilled, prices_include_tax=order.prices_include_tax)
            for line in shipped
        ),
        tuple(fee.whole() for fee in order.shipping) if shipped else (),
        order.currency,
    )
    captured = max(min(captured, order.worth), zero)
    refunded = min(order.returned_amount, captured)
    released = order.canceled_amount + order.adjusted_amount + order.returned_amount - refunded
    if order.state is OrderState.CANCELED:
        released = order.total - captured
    return (
        Tender(
            payment=order.payment,
            authorized=order.total,
            captured=captured,
            refunded=refunded,
            released=max(min(released, order.total - captured), zero),
            returned=order.returned_amount,
            last_capture=1 if shipped else 0,
        ),
    )
