"""Refund orders: the record a cancel or return leaves, and the status of each effect."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, Final

import attrs

from order_cancellation.domain.errors import ManualRefundNotOwed
from order_cancellation.domain.money import Money
from order_cancellation.domain.records import replace
from order_cancellation.domain.values import LineQuantity, ReasonCode


class RefundKind(enum.StrEnum):
    CANCELLATION = "cancellation"
    RETURN = "return"


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


@attrs.frozen(kw_only=True)
class RefundOrder:
    """A refund order, listed with the returns. Amounts count against sales on ``created_at``."""

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
    last_error: str | None = None
    manual_refund_note: str | None = None
    version: int = 1

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
    ) -> RefundOrder:
        amount = sum((line.amount for line in lines), Money.zero(currency))
        zero = Money.zero(currency)
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
        )

    @property
    def payment_settled(self) -> bool:
        return self.payment_status not in OPEN_PAYMENT_STATUSES

    @property
    def has_pending_effect(self) -> bool:
        """Stock or payment is not settled yet (dead letters included): something is owed."""
        return not (self.payment_settled and self.stock_settled)

    @property
    def stock_settled(self) -> bool:
        return self.stock_status not in OPEN_STOCK_STATUSES

    @property
    def manual_refund_owed(self) -> bool:
        return self.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED

    def _next(self, **changes: Any) -> RefundOrder:
        return replace(self, version=self.version + 1, **changes)

    def stock_restored(self) -> RefundOrder:
        return self._next(stock_status=StockStatus.DONE, last_error=None)

    def stock_failed(self, error: str, *, dead: bool) -> RefundOrder:
        status = StockStatus.DEAD_LETTERED if dead else StockStatus.FAILED_RETRYING
        return self._next(stock_status=status, last_error=error)

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
            last_error=None,
        )

    def payment_failed(self, error: str, *, dead: bool) -> RefundOrder:
        status = PaymentStatus.DEAD_LETTERED if dead else PaymentStatus.FAILED_RETRYING
        return self._next(
            payment_status=status, payment_attempts=self.payment_attempts + 1, last_error=error
        )

    def payment_retry_requested(self) -> RefundOrder:
        return self._next(payment_status=PaymentStatus.PENDING)

    def manual_refund_done(self, note: str | None) -> RefundOrder:
        if not self.manual_refund_owed:
            raise ManualRefundNotOwed(
                f"refund order {self.id!r} has no manual refund outstanding "
                f"(payment status {self.payment_status.value}); list manual_refunds_owed() "
                "to see what is owed."
            )
        return self._next(
            payment_status=PaymentStatus.MANUALLY_REFUNDED,
            refunded=self.refunded + self.manual_amount,
            manual_amount=Money.zero(self.amount.currency),
            manual_refund_note=note,
        )
