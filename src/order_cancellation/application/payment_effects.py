"""The payment effects: settling a refund order's money with its payments' gateways, and
capturing a shipment; each under its own idempotency key."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Final

from order_cancellation.application import crashpoints
from order_cancellation.application.effect_plumbing import (
    KEY_NAMESPACE,
    EffectPlumbing,
    retrying_conflicts,
    settlement_key,
)
from order_cancellation.application.ids import uuid5_text
from order_cancellation.application.tender_effects import (
    capture_requests,
    newly_settled,
    part_request,
    settle_parts,
)
from order_cancellation.domain.events import (
    REFUNDING_EVENTS,
    AuthorizationLapsed,
    AuthorizationReduced,
    DomainEvent,
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
    TenderRefund,
)
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.text import storable
from order_cancellation.domain.values import PaymentRef
from order_cancellation.ports.events import Clock
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from order_cancellation.ports.persistence import (
    OutboxMessage,
    UnitOfWork,
)

_log = logging.getLogger("order_cancellation.effects")


class PaymentEffects(EffectPlumbing):
    def _settle_payment(self, message: OutboxMessage) -> None:
        event = message.event
        assert isinstance(event, REFUNDING_EVENTS)
        refund = self.known.before_call(event.refund_order_id, self._uow)
        if refund.payment_settled:
            self._complete(message)
            return
        if refund.tenders:
            self._settle_tenders(message, refund)
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

    def _settle_tenders(self, message: OutboxMessage, refund: RefundOrder) -> None:
        now = self._clock.now()

        def settle(part: TenderRefund) -> SettlementResult:
            request = part_request(
                refund,
                part,
                shop=self._shop,
                key=settlement_key(self._shop, refund.id, part.payment.reference),
                attempt=message.attempts + 1,
                first_attempt_at=message.first_attempt_at or now,
                now=now,
            )
            return self.gateway_for(part.payment).settle(request)

        parts, error = settle_parts(refund.tenders, settle)
        crashpoints.reached(crashpoints.AFTER_PAYMENT_CALL)

        def settled(uow: UnitOfWork, current: RefundOrder) -> RefundOrder | None:
            if current.payment_settled:
                return None
            for part in newly_settled(current.tenders, parts):
                result = SettlementResult(
                    status=part.status,
                    refunded=part.refunded,
                    released=part.released,
                    manual=part.manual,
                    detail=part.detail,
                )
                for follow_up in _settlement_events(
                    current, result, part.payment, self._clock, reference=part.payment.reference
                ):
                    self._record(uow, follow_up)
            return current.tenders_settled(parts)

        if error is None:
            self._update_refund(message, refund.id, settled)
            return
        if parts != refund.tenders:
            # What the payments before the failing one did is kept: a retry does not ask
            # their gateways again.
            def progress() -> None:
                with self._uow() as uow:
                    updated = settled(uow, uow.refunds.get(refund.id))
                    if updated is not None:
                        uow.refunds.update(updated)
                    uow.commit()

            retrying_conflicts(progress)
            self.known.committed(None, refund.id)
        raise error

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
            fees=refund.fees,
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
        now = self._clock.now()
        if event.captures:
            # Several payments: each takes its share under a key of its own.
            requests = capture_requests(
                event.captures,
                shop=self._shop,
                order_id=order.id,
                key=lambda reference: uuid5_text(
                    KEY_NAMESPACE, f"{self._shop}\x1f{message.id}\x1f{reference}"
                ),
                now=now,
            )
        else:
            requests = [
                CaptureRequest(
                    shop=self._shop,
                    order_id=order.id,
                    amount=event.amount,
                    lines=event.lines,
                    shipping=event.shipping,
                    payment=order.payment,
                    idempotency_key=uuid5_text(KEY_NAMESPACE, f"{self._shop}\x1f{message.id}"),
                    now=now,
                )
            ]
        captured = [
            (request.payment, self.gateway_for(request.payment).capture(request))
            for request in requests
        ]
        with self._uow() as uow:
            for payment, amount in captured:
                if amount.minor:
                    self._record(
                        uow,
                        PaymentCaptured(
                            shop=self._shop,
                            order_id=order.id,
                            occurred_at=self._clock.now(),
                            amount=amount,
                            provider=payment.provider,
                            reference=payment.reference,
                        ),
                    )
            uow.outbox.complete(message.id)
            uow.commit()


def _settlement_events(
    refund: RefundOrder,
    result: SettlementResult,
    payment: PaymentRef | None,
    clock: Clock,
    *,
    reference: str | None = None,
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
                reference=reference,
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
            reference=reference,
        )
    ]


_SETTLED_EVENTS: Final[Mapping[PaymentStatus, type[PaymentSettled]]] = {
    PaymentStatus.VOIDED: PaymentVoided,
    PaymentStatus.REFUNDED: PaymentRefunded,
    PaymentStatus.REFUNDED_AND_RELEASED: PaymentRefunded,
    PaymentStatus.AUTHORIZATION_LAPSED: AuthorizationLapsed,
    PaymentStatus.RELEASED: AuthorizationReduced,
}
