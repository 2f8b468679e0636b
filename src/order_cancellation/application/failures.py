"""Failed effects, of every kind, where a merchant can see them and try them again.

An effect that fails is kept on its outbox message: retried with backoff, dead-lettered
after the retry policy's last attempt, or quarantined when its stored event does not decode.
Restock and settlement also show on their refund order; a capture or a publication has no
refund order, so the outbox message is what names it here and what a retry takes.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime
from typing import Final

import attrs

from order_cancellation.domain.errors import EffectNotRetryable
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder, StockStatus
from order_cancellation.ports.persistence import (
    REFUND_ORDER_EFFECTS,
    Effect,
    FailedMessage,
    MessageStatus,
    UnitOfWork,
)


class EffectState(enum.Enum):
    RETRYING = "retrying"  # failed; tried again at ``next_attempt_at``
    DEAD_LETTERED = "dead_lettered"  # out of attempts (or refused for good): waits for a person
    QUARANTINED = "quarantined"  # its stored event does not decode: waits for a person


_STATES = {
    MessageStatus.PENDING: EffectState.RETRYING,
    MessageStatus.DEAD: EffectState.DEAD_LETTERED,
    MessageStatus.QUARANTINED: EffectState.QUARANTINED,
}


@attrs.frozen(kw_only=True)
class FailedEffect:
    """One effect that failed and is not done: what it is, for which order, and why."""

    id: str  # the effect's outbox message: Sales.retry_effect(id)
    shop: str
    effect: str  # an Effect's value: restock, settle_payment, capture_payment or publish
    order_id: str | None  # None only when a quarantined message names no readable order
    refund_order_id: str | None  # None for a capture, or the publication of an order's event
    state: EffectState
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None  # None when dead-lettered or quarantined
    first_attempt_at: datetime | None
    created_at: datetime


def failed_effects(uow: UnitOfWork, shop: str) -> list[FailedEffect]:
    """The shop's failed effects, oldest first."""
    return [_effect(shop, message) for message in uow.outbox.failures()]


def find_failed(uow: UnitOfWork, shop: str, message_id: str) -> FailedEffect | None:
    return next((e for e in failed_effects(uow, shop) if e.id == message_id), None)


def revive_one(uow: UnitOfWork, shop: str, message_id: str, *, now: datetime) -> None:
    """Make one failed effect due now, and show it pending again on its refund order."""
    failed = find_failed(uow, shop, message_id)
    if failed is None:
        raise EffectNotRetryable(
            f"{message_id!r} is not a failed effect of this shop (it may have been delivered "
            "since); list failed_effects() to see those that can be retried."
        )
    uow.outbox.revive(message_id, now=now)
    if failed.refund_order_id is not None and failed.effect in REFUND_ORDER_EFFECTS:
        _reopen(uow, uow.refunds.get(failed.refund_order_id), [failed.effect])


def revive_refund_order(uow: UnitOfWork, refund_order_id: str, *, now: datetime) -> None:
    """Make every failed effect of a refund order due now (its publications included)."""
    refund = uow.refunds.get(refund_order_id)
    # Read as failures, without decoding: a quarantined message is revived too.
    waiting = [m for m in uow.outbox.failures() if m.refund_order_id == refund_order_id]
    if not waiting:
        raise EffectNotRetryable(
            f"refund order {refund_order_id!r} has no failed effect to retry "
            f"(stock {refund.stock_status.value}, payment {refund.payment_status.value})."
        )
    for message in waiting:
        uow.outbox.revive(message.id, now=now)
    _reopen(uow, refund, REFUND_ORDER_EFFECTS)


_FAILING_PAYMENT: Final = frozenset({PaymentStatus.FAILED_RETRYING, PaymentStatus.DEAD_LETTERED})
_FAILING_STOCK: Final = frozenset({StockStatus.FAILED_RETRYING, StockStatus.DEAD_LETTERED})


def _reopen(uow: UnitOfWork, refund: RefundOrder, effects: Iterable[str]) -> None:
    """Show the failing ones of ``effects`` pending again on ``refund`` (each keeps the error
    of its last failure until it succeeds). A refund order with nothing failing, say one
    whose only failure is the publication of its event, is left as it is."""
    reopened = refund
    for effect in effects:
        if effect == Effect.SETTLE_PAYMENT and reopened.payment_status in _FAILING_PAYMENT:
            reopened = reopened.payment_retry_requested()
        if effect == Effect.RESTOCK and reopened.stock_status in _FAILING_STOCK:
            reopened = reopened.stock_retry_requested()
    if reopened is not refund:
        # One stored change is one version, however many effects it reopens.
        uow.refunds.update(replace(reopened, version=refund.version + 1))


def _effect(shop: str, message: FailedMessage) -> FailedEffect:
    state = _STATES[message.status]
    return FailedEffect(
        id=message.id,
        shop=shop,
        effect=message.handler,
        order_id=message.order_id,
        refund_order_id=message.refund_order_id,
        state=state,
        attempts=message.attempts,
        last_error=message.last_error,
        next_attempt_at=message.available_at if state is EffectState.RETRYING else None,
        first_attempt_at=message.first_attempt_at,
        created_at=message.created_at,
    )
