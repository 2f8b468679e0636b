"""The effect handlers: what happens after a command committed.

Each handler runs from an outbox message, at least once, and is idempotent: stock moves
through a ledger keyed per movement, payments carry a key per refund order, and the refund
order's effect status is updated in the same transaction that marks the message done.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from order_cancellation.application import crashpoints
from order_cancellation.application.effect_plumbing import (
    KEY_NAMESPACE,
    retrying_conflicts,
    settlement_key,
)
from order_cancellation.application.local_effects import (
    RESTOCK_EVENTS,
    restock_movements,
    stock_restored,
)
from order_cancellation.application.payment_effects import PaymentEffects
from order_cancellation.domain.errors import (
    ConfigurationError,
    RepositoryCorrupted,
)
from order_cancellation.domain.events import (
    EffectFailed,
)
from order_cancellation.domain.refunds import (
    RefundOrder,
    StockStatus,
)
from order_cancellation.domain.text import storable
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.ports.persistence import (
    REFUND_ORDER_EFFECTS,
    Effect,
    MessageStatus,
    OutboxMessage,
    UnitOfWork,
)
from order_cancellation.ports.stock import StockLedger

_log = logging.getLogger("order_cancellation.effects")


class Effects(PaymentEffects):
    """The effect handlers of one shop (see the module's docstring)."""

    def __init__(
        self,
        *,
        shop: str,
        backend: Backend,
        gateways: Mapping[str, PaymentGateway],
        default_gateway: PaymentGateway,
        publisher: EventPublisher | None,
        clock: Clock,
        external_stock: StockLedger | None,
    ) -> None:
        super().__init__(
            shop=shop,
            backend=backend,
            gateways=gateways,
            default_gateway=default_gateway,
            publisher=publisher,
            clock=clock,
            external_stock=external_stock,
        )
        self._handlers: dict[str, Callable[[OutboxMessage], None]] = {
            Effect.RESTOCK: self._restock,
            Effect.SETTLE_PAYMENT: self._settle_payment,
            Effect.CAPTURE_PAYMENT: self._capture_payment,
            Effect.PUBLISH: self._publish,
        }

    def run(self, message: OutboxMessage) -> None:
        handler = self._handlers.get(message.handler)
        if handler is None:
            raise ConfigurationError(
                f"no handler named {message.handler!r}; was this message written by a newer "
                "version of the library?"
            )
        handler(message)

    def record_failure(
        self, message: OutboxMessage, error: Exception, *, retry_at: datetime | None
    ) -> OutboxMessage:
        """Count the failed attempt, schedule the next (none: dead-letter), show it on the
        refund order so the merchant sees what is still owed, announce it with an
        EffectFailed event and log it. The error's text is made storable first: a failure
        that cannot be recorded would be lost, and would stop the shop's later messages."""
        now = self._clock.now()
        text = storable(f"{type(error).__name__}: {error}")
        try:
            failed, recorded = retrying_conflicts(
                lambda: self._record_failure(message, text, now=now, retry_at=retry_at)
            )
        except RepositoryCorrupted as unreadable:
            # The refund order to flag cannot be read: dead-letter the message on its own
            # rather than stop every later delivery run at it. The effect's own error
            # usually says why already (it read the same record).
            reason = storable(f"its refund order cannot be updated ({unreadable}); {text}")
            failed, recorded = self._dead_letter_alone(message, reason, now=now), True
        if message.refund_order_id is not None:
            self.known.committed(None, message.refund_order_id)
        if recorded:
            self._log_failure(message, failed)
        return failed

    def _record_failure(
        self, message: OutboxMessage, text: str, *, now: datetime, retry_at: datetime | None
    ) -> tuple[OutboxMessage, bool]:
        """The message after this failure, and whether it was recorded now."""
        with self._uow() as uow:
            current = uow.outbox.get(message.id)
            if current.status is not MessageStatus.PENDING:
                # Another relay took the lease over and finished (or gave up) first.
                return current, False
            failed = uow.outbox.attempt_failed(message.id, error=text, now=now, retry_at=retry_at)
            dead = retry_at is None
            refund = self._refund_to_flag(uow, message)
            if refund is not None:
                if message.handler == Effect.RESTOCK:
                    refund = refund.stock_failed(text, dead=dead)
                else:
                    refund = refund.payment_failed(text, dead=dead)
                uow.refunds.update(refund)
            self._announce(uow, message, failed, now=now)
            uow.commit()
            return failed, True

    def _dead_letter_alone(
        self, message: OutboxMessage, text: str, *, now: datetime
    ) -> OutboxMessage:
        with self._uow() as uow:
            failed = uow.outbox.attempt_failed(message.id, error=text, now=now, retry_at=None)
            self._announce(uow, message, failed, now=now)
            uow.commit()
            return failed

    def _announce(
        self, uow: UnitOfWork, message: OutboxMessage, failed: OutboxMessage, *, now: datetime
    ) -> None:
        if _is_failure_announcement(message):
            return
        self._record(
            uow,
            EffectFailed(
                shop=self._shop,
                order_id=message.event.order_id,
                occurred_at=now,
                refund_order_id=message.refund_order_id,
                effect=message.handler,
                attempt=failed.attempts,
                error=failed.last_error or "",
                dead_lettered=failed.status is MessageStatus.DEAD,
                message_id=message.id,
            ),
        )

    def _log_failure(self, message: OutboxMessage, failed: OutboxMessage) -> None:
        dead = failed.status is MessageStatus.DEAD
        _log.log(
            logging.ERROR if dead else logging.WARNING,
            "shop %s: effect %s of order %s failed (attempt %d, %s): %s",
            self._shop,
            message.handler,
            message.event.order_id,
            failed.attempts,
            "dead-lettered" if dead else f"retry at {failed.available_at.isoformat()}",
            failed.last_error,
            extra={
                "shop": self._shop,
                "order_id": message.event.order_id,
                "refund_order_id": message.refund_order_id,
                "effect": message.handler,
                "message_id": message.id,
                "attempt": failed.attempts,
                "error": failed.last_error,
                "dead_lettered": dead,
            },
        )

    def _refund_to_flag(self, uow: UnitOfWork, message: OutboxMessage) -> RefundOrder | None:
        """The refund order whose effect failed. The effect is still open on it: an effect is
        settled on the refund order in the transaction that marks its message done, and a
        message that is done is never flagged (see :meth:`_record_failure`)."""
        if message.refund_order_id is None or message.handler not in REFUND_ORDER_EFFECTS:
            return None
        return uow.refunds.get(message.refund_order_id)

    # -- handlers ----------------------------------------------------------------------------

    def _restock(self, message: OutboxMessage) -> None:
        event = message.event
        assert isinstance(event, RESTOCK_EVENTS)
        movements = restock_movements(event)
        if self._external_stock is not None:
            self._external_stock.apply(movements)
            crashpoints.reached(crashpoints.AFTER_STOCK_MOVEMENT)

        def restored(uow: UnitOfWork, refund: RefundOrder) -> RefundOrder | None:
            if refund.stock_status is StockStatus.DONE:
                return None
            if self._external_stock is None:
                uow.stock.apply(movements)
                crashpoints.reached(crashpoints.AFTER_STOCK_MOVEMENT)
            self._record(uow, stock_restored(event, refund, now=self._clock.now()))
            return refund.stock_restored()

        self._update_refund(message, event.refund_order_id, restored)

    def _publish(self, message: OutboxMessage) -> None:
        if self._publisher is not None:
            self._publisher.publish(message.event)
        self._complete(message)


def _is_failure_announcement(message: OutboxMessage) -> bool:
    """Publishing an EffectFailed event failed: announcing that with another EffectFailed
    would feed the same failing publisher for ever; it is logged and listed instead."""
    return message.handler == Effect.PUBLISH and isinstance(message.event, EffectFailed)


__all__ = ["KEY_NAMESPACE", "Effects", "settlement_key"]
