"""Listing and paging in any SQL store, each query an index range (migration 3).

Pages run newest first on ``(time, id)``: ``(placed_at, id) < (?, ?)`` continues exactly
after the last item of the previous page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.sql.dialect import Dialect, Runner
from order_cancellation.adapters.sql.rows import (
    ORDER_COLUMNS,
    REFUND_COLUMNS,
    order_of,
    refund_of,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder
from order_cancellation.ports.queries import OrderFilter, Position, RefundOrderFilter

_MANUAL_REFUNDS_OWED: Final = (
    f"SELECT {REFUND_COLUMNS} FROM {{t}}refund_orders"  # noqa: S608 - constant columns
    " WHERE shop = ? AND payment_status = ? ORDER BY created_at, id"
)


class SQLQueries:
    def __init__(self, db: Runner, dialect: Dialect, shop: str) -> None:
        self._db, self._dialect, self._shop = db, dialect, shop

    def orders(self, where: OrderFilter, *, limit: int, after: Position | None) -> Sequence[Order]:
        time = self._dialect.write_time
        conditions: list[str] = ["shop = ?"]
        params: list[object] = [self._shop]
        if where.state is not None:
            conditions.append("state = ?")
            params.append(where.state.value)
        if where.placed_from is not None:
            conditions.append("placed_at >= ?")
            params.append(time(where.placed_from))
        if where.placed_to is not None:
            conditions.append("placed_at < ?")
            params.append(time(where.placed_to))
        if where.payment_status is not None:
            conditions.append(
                "id IN (SELECT order_id FROM {t}refund_orders"
                " WHERE shop = ? AND payment_status = ?)"
            )
            params += [self._shop, where.payment_status.value]
        if where.sku is not None:
            conditions.append(
                "id IN (SELECT order_id FROM {t}order_skus WHERE shop = ? AND sku = ?)"
            )
            params += [self._shop, where.sku]
        if after is not None:
            conditions.append("(placed_at, id) < (?, ?)")
            params += [time(after.at), after.id]
        rows = self._db.rows(
            self._dialect.sql(
                f"SELECT {ORDER_COLUMNS} FROM {{t}}orders WHERE {' AND '.join(conditions)}"  # noqa: S608 - constant text
                " ORDER BY placed_at DESC, id DESC LIMIT ?"
            ),
            (*params, limit),
            "listing orders",
        )
        return [order_of(row, shop=self._shop) for row in rows]

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
            params.append(where.pending)
        if after is not None:
            conditions.append("(created_at, id) < (?, ?)")
            params += [self._dialect.write_time(after.at), after.id]
        rows = self._db.rows(
            self._dialect.sql(
                f"SELECT {REFUND_COLUMNS} FROM {{t}}refund_orders"  # noqa: S608 - constant text
                f" WHERE {' AND '.join(conditions)} ORDER BY created_at DESC, id DESC LIMIT ?"
            ),
            (*params, limit),
            "listing refund orders",
        )
        return [refund_of(row, shop=self._shop) for row in rows]

    def manual_refunds_owed(self) -> Sequence[RefundOrder]:
        rows = self._db.rows(
            self._dialect.sql(_MANUAL_REFUNDS_OWED),
            (self._shop, PaymentStatus.MANUAL_REFUND_REQUIRED.value),
            "listing manual refunds owed",
        )
        return [refund_of(row, shop=self._shop) for row in rows]
