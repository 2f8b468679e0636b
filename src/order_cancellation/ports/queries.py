"""Listing and paging: the queries a back office runs over a shop's orders and refund orders.

Pages run newest first on a position (a time and an id), so a page starts right after the
last item of the previous one whatever is written meanwhile: every item that existed when
the listing began is seen exactly once. Durable stores answer from indexes, never by reading
the whole shop.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

import attrs

from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder
from order_cancellation.domain.states import OrderState


@attrs.frozen(kw_only=True)
class OrderFilter:
    """Which orders to list; every condition given must hold."""

    state: OrderState | None = None
    payment_status: PaymentStatus | None = None  # a refund order of the order is in it
    sku: str | None = None  # a line of the order is of this SKU
    placed_from: datetime | None = None  # placed at or after
    placed_to: datetime | None = None  # placed before


@attrs.frozen(kw_only=True)
class RefundOrderFilter:
    order_id: str | None = None
    pending: bool | None = None  # an effect is still owed (see RefundOrder.has_pending_effect)


@attrs.frozen
class Position:
    """Where a page ends: the time (``placed_at`` or ``created_at``) and id of its last item."""

    at: datetime
    id: str


class ListingQueries(Protocol):
    def orders(self, where: OrderFilter, *, limit: int, after: Position | None) -> Sequence[Order]:
        """Up to ``limit`` orders, newest placed first (ties: greater id first), after
        ``after`` in that order."""
        ...

    def refund_orders(
        self, where: RefundOrderFilter, *, limit: int, after: Position | None
    ) -> Sequence[RefundOrder]:
        """Up to ``limit`` refund orders, newest created first (ties: greater id first)."""
        ...

    def manual_refunds_owed(self) -> Sequence[RefundOrder]:
        """Refund orders with money to pay back by hand, oldest first (ties: by id)."""
        ...
