"""Listing and paging in SQLite, each query an index range (migration 3).

Pages run newest first on ``(time, id)``: ``(placed_at, id) < (?, ?)`` continues exactly
after the last item of the previous page.
"""

from __future__ import annotations

from collections.abc import Sequence

from order_cancellation.adapters.sqlite.columns import utc_text
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.adapters.sqlite.repositories import (
    ORDER_COLUMNS,
    REFUND_COLUMNS,
    SQLiteOrders,
    SQLiteRefundOrders,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder
from order_cancellation.ports.queries import OrderFilter, Position, RefundOrderFilter


class SQLiteQueries:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop
        self._orders = SQLiteOrders(statements, shop)
        self._refunds = SQLiteRefundOrders(statements, shop)

    def orders(self, where: OrderFilter, *, limit: int, after: Position | None) -> Sequence[Order]:
        conditions, params = ["shop = ?"], [self._shop]
        if where.state is not None:
            conditions.append("state = ?")
            params.append(where.state.value)
        if where.placed_from is not None:
            conditions.append("placed_at >= ?")
            params.append(utc_text(where.placed_from))
        if where.placed_to is not None:
            conditions.append("placed_at < ?")
            params.append(utc_text(where.placed_to))
        if where.payment_status is not None:
            conditions.append(
                "id IN (SELECT order_id FROM refund_orders WHERE shop = ? AND payment_status = ?)"
            )
            params += [self._shop, where.payment_status.value]
        if where.sku is not None:
            conditions.append("id IN (SELECT order_id FROM order_skus WHERE shop = ? AND sku = ?)")
            params += [self._shop, where.sku]
        if after is not None:
            conditions.append("(placed_at, id) < (?, ?)")
            params += [utc_text(after.at), after.id]
        rows = self._db.run(
            f"SELECT {ORDER_COLUMNS} FROM orders WHERE {' AND '.join(conditions)}"  # noqa: S608 - constant text
            " ORDER BY placed_at DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [self._orders._order(row) for row in rows]

    def refund_orders(
        self, where: RefundOrderFilter, *, limit: int, after: Position | None
    ) -> Sequence[RefundOrder]:
        conditions: list[str] = ["shop = ?"]
        params: list[object] = [self._shop]
        if where.order_id is not None:
            conditions.append("order_id = ?")
            params.append(where.order_id)
        if where.pending is not None:
            conditions.append("pending = ?")
            params.append(int(where.pending))
        if after is not None:
            conditions.append("(created_at, id) < (?, ?)")
            params += [utc_text(after.at), after.id]
        rows = self._db.run(
            f"SELECT {REFUND_COLUMNS} FROM refund_orders WHERE {' AND '.join(conditions)}"  # noqa: S608 - constant text
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [self._refunds._refund(row) for row in rows]

    def manual_refunds_owed(self) -> Sequence[RefundOrder]:
        rows = self._db.run(
            f"SELECT {REFUND_COLUMNS} FROM refund_orders"  # noqa: S608 - constant columns
            " WHERE shop = ? AND payment_status = ? ORDER BY created_at, id",
            (self._shop, PaymentStatus.MANUAL_REFUND_REQUIRED.value),
        ).fetchall()
        return [self._refunds._refund(row) for row in rows]
