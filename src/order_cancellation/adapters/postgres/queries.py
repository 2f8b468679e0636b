"""Listing and paging in PostgreSQL, each query an index range (migration 3).

Pages run newest first on ``(time, id)``: ``(placed_at, id) < (%s, %s)`` continues exactly
after the last item of the previous page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import LiteralString

from order_cancellation.adapters.postgres.connection import Session, utc
from order_cancellation.adapters.postgres.repositories import (
    ORDER_COLUMNS,
    REFUND_COLUMNS,
    order_of,
    refund_of,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder
from order_cancellation.ports.queries import OrderFilter, Position, RefundOrderFilter


class PostgresQueries:
    def __init__(self, session: Session) -> None:
        self._s = session

    def orders(self, where: OrderFilter, *, limit: int, after: Position | None) -> Sequence[Order]:
        conditions: list[LiteralString] = ["shop = %s"]
        params: list[object] = [self._s.shop]
        if where.state is not None:
            conditions.append("state = %s")
            params.append(where.state.value)
        if where.placed_from is not None:
            conditions.append("placed_at >= %s")
            params.append(utc(where.placed_from))
        if where.placed_to is not None:
            conditions.append("placed_at < %s")
            params.append(utc(where.placed_to))
        if where.payment_status is not None:
            conditions.append(
                "id IN (SELECT order_id FROM {schema}.refund_orders"
                " WHERE shop = %s AND payment_status = %s)"
            )
            params += [self._s.shop, where.payment_status.value]
        if where.sku is not None:
            conditions.append(
                "id IN (SELECT order_id FROM {schema}.order_skus WHERE shop = %s AND sku = %s)"
            )
            params += [self._s.shop, where.sku]
        if after is not None:
            conditions.append("(placed_at, id) < (%s, %s)")
            params += [utc(after.at), after.id]
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.orders WHERE "  # noqa: S608 - constant text
            + " AND ".join(conditions)
            + " ORDER BY placed_at DESC, id DESC LIMIT %s",
            (*params, limit),
            "listing orders",
            columns=ORDER_COLUMNS,
        )
        return [order_of(row) for row in rows]

    def refund_orders(
        self, where: RefundOrderFilter, *, limit: int, after: Position | None
    ) -> Sequence[RefundOrder]:
        conditions: list[LiteralString] = ["shop = %s"]
        params: list[object] = [self._s.shop]
        if where.order_id is not None:
            conditions.append("order_id = %s")
            params.append(where.order_id)
        if where.pending is not None:
            conditions.append("pending = %s")
            params.append(where.pending)
        if after is not None:
            conditions.append("(created_at, id) < (%s, %s)")
            params += [utc(after.at), after.id]
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.refund_orders WHERE "  # noqa: S608 - constant text
            + " AND ".join(conditions)
            + " ORDER BY created_at DESC, id DESC LIMIT %s",
            (*params, limit),
            "listing refund orders",
            columns=REFUND_COLUMNS,
        )
        return [refund_of(row) for row in rows]

    def manual_refunds_owed(self) -> Sequence[RefundOrder]:
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.refund_orders"
            " WHERE shop = %s AND payment_status = %s ORDER BY created_at, id",
            (self._s.shop, PaymentStatus.MANUAL_REFUND_REQUIRED.value),
            "listing manual refunds owed",
            columns=REFUND_COLUMNS,
        )
        return [refund_of(row) for row in rows]
