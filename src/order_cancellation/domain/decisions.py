"""What an accepted command decided, to be stored in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.refunds import RefundOrder

if TYPE_CHECKING:
    from order_cancellation.domain.order import Order


@attrs.frozen(kw_only=True)
class Decision:
    """The outcome of an accepted command: the next version of the order, the refund order
    it creates, if any, and the events to record with it."""

    order: Order
    events: tuple[DomainEvent, ...]
    refund_order: RefundOrder | None = None
