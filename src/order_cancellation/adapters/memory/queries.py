"""Listing and paging in memory: the same results, in the same order, as the SQL stores."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder
from order_cancellation.ports.queries import OrderFilter, Position, RefundOrderFilter

_T = TypeVar("_T", Order, RefundOrder)


class MemoryQueries:
    def __init__(self, orders: Mapping[str, Order], refunds: Mapping[str, RefundOrder]) -> None:
        self._orders, self._refunds = orders, refunds

    def orders(self, where: OrderFilter, *, limit: int, after: Position | None) -> Sequence[Order]:
        owing = None
        if where.payment_status is not None:
            owing = {
                refund.order_id
                for refund in self._refunds.values()
                if refund.payment_status is where.payment_status
            }
        found = [
            order
            for order in self._orders.values()
            if (where.state is None or order.state is where.state)
            and (owing is None or order.id in owing)
            and (where.sku is None or any(line.sku == where.sku for line in order.lines))
            and (where.placed_from is None or order.placed_at >= where.placed_from)
            and (where.placed_to is None or order.placed_at < where.placed_to)
        ]
        return _page(found, lambda order: Position(order.placed_at, order.id), limit, after)

    def refund_orders(
        self, where: RefundOrderFilter, *, limit: int, after: Position | None
    ) -> Sequence[RefundOrder]:
        found = [
            refund
            for refund in self._refunds.values()
            if (where.order_id is None or refund.order_id == where.order_id)
            and (where.pending is None or refund.has_pending_effect is where.pending)
        ]
        return _page(found, lambda refund: Position(refund.created_at, refund.id), limit, after)

    def manual_refunds_owed(self) -> Sequence[RefundOrder]:
        owed = [
            refund
            for refund in self._refunds.values()
            if refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
        ]
        return sorted(owed, key=lambda refund: (refund.created_at, refund.id))


def _page(
    items: Iterable[_T], position: Callable[[_T], Position], limit: int, after: Position | None
) -> list[_T]:
    ranked = sorted(items, key=lambda item: _key(position(item)), reverse=True)
    if after is not None:
        ranked = [item for item in ranked if _key(position(item)) < _key(after)]
    return ranked[:limit]


def _key(position: Position) -> tuple[object, ...]:
    return (position.at, position.id)
