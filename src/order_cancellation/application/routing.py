"""Which effects an event sets off, and how outbox messages are made for them.

The effects themselves are named once, by :class:`~order_cancellation.ports.persistence.Effect`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from order_cancellation.application.ids import new_id
from order_cancellation.domain.events import (
    REFUNDING_EVENTS,
    DomainEvent,
    OrderFulfilled,
    RefundEvent,
)
from order_cancellation.ports.persistence import Effect, OutboxMessage


def handlers_for(event: DomainEvent, *, publish: bool) -> list[Effect]:
    handlers: list[Effect] = []
    # A tuple, not ``A | B``: isinstance with a union builds the union on every call.
    if isinstance(event, REFUNDING_EVENTS):
        if event.restock:
            handlers.append(Effect.RESTOCK)
        handlers.append(Effect.SETTLE_PAYMENT)
    if isinstance(event, OrderFulfilled) and event.capture:
        handlers.append(Effect.CAPTURE_PAYMENT)
    if publish:
        handlers.append(Effect.PUBLISH)
    return handlers


def messages_for(
    events: Iterable[DomainEvent], *, now: datetime, publish: bool
) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            id=new_id("msg"),
            handler=handler,
            event=event,
            created_at=now,
            available_at=now,
            refund_order_id=event.refund_order_id if isinstance(event, RefundEvent) else None,
        )
        for event in events
        for handler in handlers_for(event, publish=publish)
    ]
