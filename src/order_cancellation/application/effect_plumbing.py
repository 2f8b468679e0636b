"""What every effect handler shares: the shop's store, its gateways and clock, recording
follow-up events, completing a message, and updating a refund order with compare-and-set."""

from __future__ import annotations

import contextlib
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Final, TypeVar

from order_cancellation.application.ids import uuid5_text
from order_cancellation.application.known import KnownRefunds
from order_cancellation.application.routing import messages_for
from order_cancellation.domain.errors import ConcurrencyConflict
from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.values import PaymentRef
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.ports.persistence import OutboxMessage, UnitOfWork
from order_cancellation.ports.stock import StockLedger

KEY_NAMESPACE: Final = uuid.UUID("6f1f6f52-5f0e-4a53-9a55-3e0f4c8f1d2a")
CAS_ATTEMPTS: Final = 5
_T = TypeVar("_T")


def settlement_key(shop: str, refund_order_id: str, reference: str | None = None) -> str:
    """The payment idempotency key of a refund order (of one of its payments, for an order
    paid with several): stable across retries, unique per intent."""
    tender = "" if reference is None else f"\x1f{reference}"
    return uuid5_text(KEY_NAMESPACE, f"{shop}\x1f{refund_order_id}\x1fsettle{tender}")


class EffectPlumbing:
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

    def gateway_for(self, payment: PaymentRef) -> PaymentGateway:
        return self._gateways.get(payment.provider, self._default_gateway)

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

        self.known.committed(retrying_conflicts(transaction), refund_order_id)


def retrying_conflicts(transaction: Callable[[], _T]) -> _T:
    """Run ``transaction`` again while another writer got in first, CAS_ATTEMPTS times at most;
    the last conflict is raised."""
    for _ in range(CAS_ATTEMPTS - 1):
        with contextlib.suppress(ConcurrencyConflict):
            return transaction()
    return transaction()
