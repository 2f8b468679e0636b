"""Refund orders: the record a cancel or return leaves, and the status of each effect."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Final

import attrs

from order_cancellation.domain.charges import ShippingPortion, tax_by_rate
from order_cancellation.domain.errors import (
    InvalidInput,
    ManualRefundNotOwed,
    RefundExceedsCharge,
)
from order_cancellation.domain.fees import FeePortion
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.records import replace
from order_cancellation.domain.values import LineQuantity, PaymentRef, ReasonCode


class RefundKind(enum.StrEnum):
    CANCELLATION = "cancellation"
    RETURN = "return"
    ADJUSTMENT = "adjustment"  # an amount of money, not the price of units (goodwill)


class StockStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    NOT_REQUESTED = "not_requested"  # the merchant said the goods are not resellable
    FAILED_RETRYING = "failed_retrying"
    DEAD_LETTERED = "dead_lettered"


class PaymentStatus(enum.StrEnum):
    PENDING = "pending"
    VOIDED = "voided"  # nothing was captured; the authorization was canceled
    REFUNDED = "refunded"
    REFUNDED_AND_RELEASED = "refunded_and_released"
    RELEASED = "released"  # part of the authorization released; nothing had to be refunded
    AUTHORIZATION_LAPSED = "authorization_lapsed"  # expired: nothing left to release
    MANUAL_REFUND_REQUIRED = "manual_refund_required"
    MANUALLY_REFUNDED = "manually_refunded"
    NOT_REQUIRED = "not_required"  # nothing was paid
    FAILED_RETRYING = "failed_retrying"
    DEAD_LETTERED = "dead_lettered"


OPEN_PAYMENT_STATUSES: Final = frozenset(
    {PaymentStatus.PENDING, PaymentStatus.FAILED_RETRYING, PaymentStatus.DEAD_LETTERED}
)
"""Statuses in which the payment effect has not been settled with the provider."""

OPEN_STOCK_STATUSES: Final = frozenset(
    {StockStatus.PENDING, StockStatus.FAILED_RETRYING, StockStatus.DEAD_LETTERED}
)


@attrs.frozen(kw_only=True)
class SettlementResult:
    """What the payment service did for a refund order, as the gateway reports it."""

    status: PaymentStatus
    refunded: Money
    released: Money
    manual: Money  # still owed, to be paid back by hand
    provider_reference: str | None = None
    detail: str | None = None
    unrefunded: Money | None = None
    """Money the provider holds for the order beyond what it is worth, left for the
    merchant to look at (never refunded blindly)."""


def _zero_like_amount(part: TenderRefund) -> Money:
    return Money.zero(part.amount.currency)


@attrs.frozen(kw_only=True)
class TenderRefund:
    """What one of the payments of an order paid with several gives back for a refund
    order, and how the provider settled it.

    ``amount`` is this payment's share of the refund order. ``worth`` is what the payment
    is still worth to the merchant after it (its amount less what cancellations and
    goodwill gave back through it), which its authorization must keep; ``keeps`` is that
    less what returns gave back: the most the merchant may hold of it.
    """

    payment: PaymentRef
    amount: Money
    worth: Money
    keeps: Money
    status: PaymentStatus = PaymentStatus.PENDING
    refunded: Money = attrs.field(default=attrs.Factory(_zero_like_amount, takes_self=True))
    released: Money = attrs.field(default=attrs.Factory(_zero_like_amount, takes_self=True))
    manual: Money = attrs.field(default=attrs.Factory(_zero_like_amount, takes_self=True))
    detail: str | None = None
    provider_reference: str | None = None
    error: str | None = None

    @property
    def settled(self) -> bool:
        return self.status not in OPEN_PAYMENT_STATUSES

    def with_result(self, result: SettlementResult) -> TenderRefund:
        return replace(
            self,
            status=result.status,
            refunded=result.refunded,
            released=result.released,
            manual=result.manual,
            detail=result.detail,
            provider_reference=result.provider_reference,
            error=None,
        )


def combined(parts: tuple[TenderRefund, ...]) -> SettlementResult:
    """One result for a refund order from what each of its payments did."""
    currency = parts[0].amount.currency
    zero = Money.zero(currency)
    refunded = sum((part.refunded for part in parts), zero)
    released = sum((part.released for part in parts), zero)
    manual = sum((part.manual for part in parts), zero)
    statuses = {part.status for part in parts}
    if len(statuses) == 1:
        (status,) = statuses
    elif manual.minor:
        status = PaymentStatus.MANUAL_REFUND_REQUIRED
    elif refunded.minor and released.minor:
        status = PaymentStatus.REFUNDED_AND_RELEASED
    elif refunded.minor:
        status = PaymentStatus.REFUNDED
    elif released.minor:
        status = PaymentStatus.RELEASED
    else:
        status = PaymentStatus.AUTHORIZATION_LAPSED
    details = [
        f"{part.payment.provider} {part.payment.reference}: {part.detail}"
        for part in parts
        if part.detail
    ]
    return SettlementResult(
        status=status,
        refunded=refunded,
        released=released,
        manual=manual,
        detail="; ".join(details) or None,
    )


@attrs.frozen(kw_only=True)
class RefundOrder:
    """A refund order, listed with the returns. Amounts count against sales on ``created_at``.

    ``lines`` say what goes back per order line (units, discount reversed, tax, total) and
    ``shipping`` what goes back of each shipping fee; ``amount`` is their sum, tax included.
    """

    id: str
    shop: str
    order_id: str
    kind: RefundKind
    lines: tuple[LineQuantity, ...]
    amount: Money
    reason: str | None
    reason_code: ReasonCode | None
    created_at: datetime
    restock: bool
    stock_status: StockStatus
    payment_status: PaymentStatus = PaymentStatus.PENDING
    refunded: Money
    released: Money
    manual_amount: Money
    provider_reference: str | None = None
    payment_detail: str | None = None
    payment_attempts: int = 0
    stock_error: str | None = None  # why the last restock failed, while it is not done
    payment_error: str | None = None  # why the last settlement failed, while it is open
    manual_refund_note: str | None = None
    version: int = 1
    shipping: tuple[ShippingPortion, ...] = ()
    prices_include_tax: bool = True
    order_worth: Money | None = None
    """For a cancellation of the unshipped rest: what the order is still worth after it."""
    order_keeps: Money | None = None
    """... and that less what returns gave back: the most the merchant may hold."""
    fees: tuple[FeePortion, ...] = ()
    """Fees kept back from a return (restocking, return shipping), per tax rate."""
    payment_unrefunded: Money | None = None
    """What the provider held beyond the order's worth and was not refunded: look at it."""
    adjustment: tuple[FeePortion, ...] = ()
    """What a refund of kind adjustment (goodwill) gives back, per tax rate."""
    deductions: tuple[FeePortion, ...] = ()
    """What earlier goodwill refunds already gave back of this refund, per tax rate."""
    tenders: tuple[TenderRefund, ...] = ()
    """For an order paid with several payments: what each gives back, and how it went.
    Empty for an order paid with one payment (the fields above tell its story)."""

    @classmethod
    def create(
        cls,
        *,
        refund_order_id: str,
        shop: str,
        order_id: str,
        kind: RefundKind,
        lines: tuple[LineQuantity, ...],
        reason: str | None,
        reason_code: ReasonCode | None,
        created_at: datetime,
        restock: bool,
        currency: str,
        shipping: tuple[ShippingPortion, ...] = (),
        prices_include_tax: bool = True,
        order_worth: Money | None = None,
        order_keeps: Money | None = None,
        fees: tuple[FeePortion, ...] = (),
        adjustment: tuple[FeePortion, ...] = (),
        deductions: tuple[FeePortion, ...] = (),
        tenders: tuple[TenderRefund, ...] = (),
    ) -> RefundOrder:
        zero = Money.zero(currency)
        amount = sum((part.amount for part in shipping), sum((line.amount for line in lines), zero))
        amount += sum((part.amount for part in adjustment), zero)
        amount -= sum((part.amount for part in (*fees, *deductions)), zero)
        return cls(
            id=refund_order_id,
            shop=shop,
            order_id=order_id,
            kind=kind,
            lines=lines,
            amount=amount,
            reason=reason,
            reason_code=reason_code,
            created_at=created_at,
            restock=restock,
            stock_status=StockStatus.PENDING if restock else StockStatus.NOT_REQUESTED,
            refunded=zero,
            released=zero,
            manual_amount=zero,
            shipping=shipping,
            prices_include_tax=prices_include_tax,
            order_worth=order_worth,
            order_keeps=order_keeps,
            fees=fees,
            adjustment=adjustment,
            deductions=deductions,
            tenders=tenders,
        )

    @property
    def goods(self) -> Money:
        """What the refunded goods go back for, tax included, after discounts."""
        return sum((line.total for line in self.lines), Money.zero(self.amount.currency))

    @property
    def shipping_refunded(self) -> Money:
        """The shipping given back, tax included."""
        return sum((part.amount for part in self.shipping), Money.zero(self.amount.currency))

    @property
    def discount_reversed(self) -> Money:
        """The share of the order's discounts that the refunded units carried, tax included."""
        return sum((line.discount for line in self.lines), Money.zero(self.amount.currency))

    @property
    def fees_kept(self) -> Money:
        """What fees kept back of the goods and shipping, tax included."""
        return sum((fee.amount for fee in self.fees), Money.zero(self.amount.currency))

    @property
    def tax(self) -> Money:
        """The tax given back, all rates together (less the tax of fees kept)."""
        return sum(self.tax_by_rate.values(), Money.zero(self.amount.currency))

    @property
    def tax_by_rate(self) -> dict[TaxRate, Money]:
        """The tax given back, per rate (less the tax of fees kept)."""
        currency = self.amount.currency
        given = tax_by_rate((*self.lines, *self.shipping, *self.adjustment), currency)
        for rate, kept in tax_by_rate((*self.fees, *self.deductions), currency).items():
            given[rate] = given.get(rate, Money.zero(currency)) - kept
        return dict(sorted(given.items()))

    @property
    def adjustments(self) -> Money:
        """Goodwill given by this refund order, less what earlier goodwill already gave."""
        zero = Money.zero(self.amount.currency)
        given = sum((part.amount for part in self.adjustment), zero)
        return given - sum((part.amount for part in self.deductions), zero)

    @property
    def payment_settled(self) -> bool:
        return self.payment_status not in OPEN_PAYMENT_STATUSES

    @property
    def has_pending_effect(self) -> bool:
        """Something is still owed: stock or payment is not settled yet (dead letters
        included), or the money must still be paid back by hand."""
        return not (self.payment_settled and self.stock_settled) or self.manual_refund_owed

    @property
    def last_error(self) -> str | None:
        """The error of an effect that is still open, payment first; kept for callers of
        releases in which both effects shared one field (read ``stock_error`` and
        ``payment_error`` instead)."""
        return self.payment_error or self.stock_error

    @property
    def stock_settled(self) -> bool:
        return self.stock_status not in OPEN_STOCK_STATUSES

    @property
    def manual_refund_owed(self) -> bool:
        return self.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED

    def _next(self, **changes: Any) -> RefundOrder:
        return replace(self, version=self.version + 1, **changes)

    def stock_restored(self) -> RefundOrder:
        return self._next(stock_status=StockStatus.DONE, stock_error=None)

    def stock_failed(self, error: str, *, dead: bool) -> RefundOrder:
        status = StockStatus.DEAD_LETTERED if dead else StockStatus.FAILED_RETRYING
        return self._next(stock_status=status, stock_error=error)

    def stock_retry_requested(self) -> RefundOrder:
        return self._next(stock_status=StockStatus.PENDING)

    def settled(self, result: SettlementResult) -> RefundOrder:
        return self._next(
            payment_status=result.status,
            refunded=result.refunded,
            released=result.released,
            manual_amount=result.manual,
            provider_reference=result.provider_reference,
            payment_detail=result.detail,
            payment_attempts=self.payment_attempts + 1,
            payment_error=None,
            payment_unrefunded=result.unrefunded,
        )

    def tenders_settled(self, parts: tuple[TenderRefund, ...]) -> RefundOrder:
        """Record what each payment did; the refund order's payment is settled once every
        one of them is."""
        if all(part.settled for part in parts):
            return replace(self.settled(combined(parts)), tenders=parts)
        return self._next(tenders=parts)

    def payment_failed(self, error: str, *, dead: bool) -> RefundOrder:
        status = PaymentStatus.DEAD_LETTERED if dead else PaymentStatus.FAILED_RETRYING
        return self._next(
            payment_status=status, payment_attempts=self.payment_attempts + 1, payment_error=error
        )

    def payment_retry_requested(self) -> RefundOrder:
        return self._next(payment_status=PaymentStatus.PENDING)

    def manual_refund_done(self, note: str | None, amount: Money | None = None) -> RefundOrder:
        """Record that ``amount`` of the manual refund was paid back by hand (all of what is
        owed when None); what is left stays owed."""
        if not self.manual_refund_owed:
            raise ManualRefundNotOwed(
                f"refund order {self.id!r} has no manual refund outstanding "
                f"(payment status {self.payment_status.value}); list manual_refunds_owed() "
                "to see what is owed."
            )
        paid = self.manual_amount if amount is None else amount
        if not isinstance(paid, Money) or paid.currency != self.manual_amount.currency:
            raise InvalidInput(
                f"the amount paid back is a Money in {self.manual_amount.currency}, not {paid!r}."
            )
        if not 0 < paid.minor <= self.manual_amount.minor:
            raise RefundExceedsCharge(
                f"refund order {self.id!r} owes {self.manual_amount} by hand; record an amount "
                f"above zero and at most that, not {paid}."
            )
        left = self.manual_amount - paid
        return self._next(
            tenders=_manual_paid(self.tenders, paid),
            payment_status=PaymentStatus.MANUAL_REFUND_REQUIRED
            if left.minor
            else PaymentStatus.MANUALLY_REFUNDED,
            refunded=self.refunded + paid,
            manual_amount=left,
            manual_refund_note=note,
        )


def _manual_paid(parts: tuple[TenderRefund, ...], paid: Money) -> tuple[TenderRefund, ...]:
    """Spread what was paid back by hand over the payments that owe it, in their order."""
    updated = []
    for part in parts:
        share = min(paid, part.manual)
        if share.minor <= 0:
            updated.append(part)
            continue
        paid -= share
        left = part.manual - share
        updated.append(
            replace(
                part,
                refunded=part.refunded + share,
                manual=left,
                status=PaymentStatus.MANUAL_REFUND_REQUIRED
                if left.minor
                else PaymentStatus.MANUALLY_REFUNDED,
            )
        )
    return tuple(updated)
