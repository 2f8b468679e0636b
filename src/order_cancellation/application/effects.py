"""The effect handlers: what happens after a command committed.

Each handler runs from an outbox message, at least once, and is idempotent: stock moves
through a ledger keyed per movement, payments carry a key per refund order, and the refund
order's effect status is updated in the same transaction that marks the message done.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final, TypeVar

from order_cancellation.application import crashpoints
from order_cancellation.application.ids import uuid5_text
from order_cancellation.application.known import KnownRefunds
from order_cancellation.application.local_effects import (
    RESTOCK_EVENTS,
    restock_movements,
    stock_restored,
)
from order_cancellation.application.routing import (
    CAPTURE_PAYMENT,
    PUBLISH,
    RESTOCK,
    SETTLE_PAYMENT,
    messages_for,
)
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    ConfigurationError,
    RepositoryCorrupted,
)
from order_cancellation.domain.events import (
    REFUNDING_EVENTS,
    AuthorizationLapsed,
    AuthorizationReduced,
    DomainEvent,
    EffectFailed,
    ManualRefundRequired,
    OrderFulfilled,
    PaymentCaptured,
    PaymentRefunded,
    PaymentSettled,
    PaymentVoided,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import (
    PaymentStatus,
    RefundOrder,
    SettlementResult,
    StockStatus,
)
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.text import storable
from order_cancellation.domain.values import PaymentRef
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import CaptureRequest, PaymentGateway, SettlementRequest
from order_cancellation.ports.persistence import MessageStatus, OutboxMessage, UnitOfWork
from order_cancellation.ports.stock import StockLedger

_log = logging.getLogger("order_cancellation.effects")
KEY_NAMESPACE: Final = uuid.UUID("6f1f6f52-5f0e-4a53-9a55-3e0f4c8f1d2a")
CAS_ATTEMPTS: Final = 5
_T = TypeVar("_T")


def settlement_key(shop: str, refund_order_id: str) -> str:
    """The payment idempotency key of a refund order: stable across retries, unique per intent."""
    return uuid5_text(KEY_NAMESPACE, f"{shop}\x1f{refund_order_id}\x1fsettle")


class Effects:
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
        self._shop = shop
        self._backend = backend
        self._gateways = dict(gateways)
        self._default_gateway = default_gateway
        self._publisher = publisher
        self._clock = clock
        self._external_stock = external_stock
        self._local = threading.local()
        self.known = KnownRefunds()
        self._handlers: dict[str, Callable[[OutboxMessage], None]] = {
            RESTOCK: self._restock,
            SETTLE_PAYMENT: self._settle_payment,
            CAPTURE_PAYMENT: self._capture_payment,
            PUBLISH: self._publish,
        }

    def gateway_for(self, payment: PaymentRef) -> PaymentGateway:
        return self._gateways.get(payment.provider, self._default_gateway)

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
            failed, recorded = _retrying_conflicts(
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
                if message.handler == RESTOCK:
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
        if message.refund_order_id is None or message.handler not in (RESTOCK, SETTLE_PAYMENT):
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

    def _settle_payment(self, message: OutboxMessage) -> None:
        event = message.event
        assert isinstance(event, REFUNDING_EVENTS)
        refund = self.known.before_call(event.refund_order_id, self._uow)
        if refund.payment_settled:
            self._complete(message)
            return
        result = self._settlement(message, event.payment, refund)
        if result.detail is not None:
            # A provider's own words, kept on the refund order and in events.
            result = replace(result, detail=storable(result.detail))
        crashpoints.reached(crashpoints.AFTER_PAYMENT_CALL)
        if result.unrefunded is not None:
            _log.warning(
                "shop %s: the provider holds %s for order %s beyond what it is worth; it was "
                "not refunded: look at the payment in the provider's portal",
                self._shop,
                result.unrefunded,
                refund.order_id,
                extra={
                    "shop": self._shop,
                    "order_id": refund.order_id,
                    "refund_order_id": refund.id,
                    "unrefunded": str(result.unrefunded),
                },
            )

        def settled(uow: UnitOfWork, current: RefundOrder) -> RefundOrder | None:
            if current.payment_settled:
                return None
            for follow_up in _settlement_events(current, result, event.payment, self._clock):
                self._record(uow, follow_up)
            return current.settled(result)

        self._update_refund(message, refund.id, settled)

    def _settlement(
        self, message: OutboxMessage, payment: PaymentRef | None, refund: RefundOrder
    ) -> SettlementResult:
        zero = Money.zero(refund.amount.currency)
        if payment is None or refund.amount.is_zero():
            return SettlementResult(
                status=PaymentStatus.NOT_REQUIRED,
                refunded=zero,
                released=zero,
                manual=zero,
                detail="nothing was paid" if payment is None else "nothing to give back",
            )
        now = self._clock.now()
        request = SettlementRequest(
            shop=self._shop,
            order_id=refund.order_id,
            refund_order_id=refund.id,
            kind=refund.kind,
            amount=refund.amount,
            lines=refund.lines,
            shipping=refund.shipping,
            order_worth=refund.order_worth,
            order_keeps=refund.order_keeps,
            payment=payment,
            idempotency_key=settlement_key(self._shop, refund.id),
            attempt=message.attempts + 1,
            first_attempt_at=message.first_attempt_at or now,
            now=now,
        )
        return self.gateway_for(payment).settle(request)

    def _capture_payment(self, message: OutboxMessage) -> None:
        event = message.event
        assert isinstance(event, OrderFulfilled)
        with self._uow() as uow:
            order = uow.orders.get(event.order_id)
        # Money is never taken for a canceled order, whatever the capture setting says.
        if order.state is OrderState.CANCELED or order.payment is None:
            self._complete(message)
            return
        captured = self.gateway_for(order.payment).capture(
            CaptureRequest(
                shop=self._shop,
                order_id=order.id,
                amount=event.amount,
                lines=event.lines,
                shipping=event.shipping,
                payment=order.payment,
                idempotency_key=uuid5_text(KEY_NAMESPACE, f"{self._shop}\x1f{message.id}"),
                now=self._clock.now(),
            )
        )
        with self._uow() as uow:
            if captured.minor:
                self._record(
                    uow,
                    PaymentCaptured(
                        shop=self._shop,
                        order_id=order.id,
                        occurred_at=self._clock.now(),
                        amount=captured,
                        provider=order.payment.provider,
                        reference=order.payment.reference,
                    ),
                )
            uow.outbox.complete(message.id)
            uow.commit()

    def _publish(self, message: OutboxMessage) -> None:
        if self._publisher is not None:
            self._publisher.publish(message.event)
        self._complete(message)

    # -- plumbing ----------------------------------------------------------------------------

    def _uow(self) -> UnitOfWork:
        return self._backend.unit_of_work(self._shop)

    def recorded(self) -> int:
        """How many outbox messages this thread's deliveries recorded so far (a relay
        delivering inline claims again only when the number moved)."""
        return getattr(self._local, "recorded", 0)

    def _record(self, uow: UnitOfWork, event: DomainEvent) -> None:
        messages = messages_for([event], now=self._clock.now(), publish=self._publisher is not None)
        if messages:
            self._local.recorded = self.recorded() + len(messages)
            uow.outbox.add(messages)

    def _complete(self, message: OutboxMessage) -> None:
        with self._uow() as uow:
            uow.outbox.complete(message.id)
            uow.commit()

    def _update_refund(
        self,
        message: OutboxMessage,
        refund_order_id: str,
        change: Callable[[UnitOfWork, RefundOrder], RefundOrder | None],
    ) -> None:
        """Apply ``change`` and mark the message done in one transaction, retrying on conflict."""

        def transaction() -> RefundOrder | None:
            with self._uow() as uow:
                updated = change(uow, uow.refunds.get(refund_order_id))
                if updated is not None:
                    uow.refunds.update(updated)
                uow.outbox.complete(message.id)
                uow.commit()
                return updated

        self.known.committed(_retrying_conflicts(transaction), refund_order_id)


def _is_failure_announcement(message: OutboxMessage) -> bool:
    """Publishing an EffectFailed event failed: announcing that with another EffectFailed
    would feed the same failing publisher for ever; it is logged and listed instead."""
    return message.handler == PUBLISH and isinstance(message.event, EffectFailed)


def _retrying_conflicts(transaction: Callable[[], _T]) -> _T:
    """Run ``transaction`` again while another writer got in first, CAS_ATTEMPTS times at most;
    the last conflict is raised."""
    for _ in range(CAS_ATTEMPTS - 1):
        with contextlib.suppress(ConcurrencyConflict):
            return transaction()
    return transaction()


def _settlement_events(
    refund: RefundOrder, result: SettlementResult, payment: PaymentRef | None, clock: Clock
) -> list[DomainEvent]:
    now = clock.now()
    if result.status is PaymentStatus.MANUAL_REFUND_REQUIRED:
        # Only a payment made through a service is owed back by hand (nothing paid: see
        # Effects._settlement).
        assert payment is not None
        return [
            ManualRefundRequired(
                shop=refund.shop,
                order_id=refund.order_id,
                occurred_at=now,
                refund_order_id=refund.id,
                amount=result.manual,
                provider=payment.provider,
                detail=result.detail,
            )
        ]
    event_type = _SETTLED_EVENTS.get(result.status)
    if event_type is None:
        return []
    return [
        event_type(
            shop=refund.shop,
            order_id=refund.order_id,
            occurred_at=now,
            refund_order_id=refund.id,
            status=result.status,
            refunded=result.refunded,
            released=result.released,
        )
    ]


_SETTLED_EVENTS: Final[Mapping[PaymentStatus, type[PaymentSettled]]] = {
    PaymentStatus.VOIDED: PaymentVoided,
    PaymentStatus.REFUNDED: PaymentRefunded,
    PaymentStatus.REFUNDED_AND_RELEASED: PaymentRefunded,
    PaymentStatus.AUTHORIZATION_LAPSED: AuthorizationLapsed,
    PaymentStatus.RELEASED: AuthorizationReduced,
}
