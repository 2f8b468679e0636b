"""Orders, refund orders, status labels and idempotency keys of one shop.

A record is stored whole as JSON (through the shared codec) next to the columns that
queries filter and sort on. Reading checks that both still agree: a row whose columns and
JSON disagree was changed by hand and is reported as corrupted, never half-trusted.
Adding never raises a unique violation (``ON CONFLICT DO NOTHING`` plus a row count), so
the transaction stays usable after a :class:`ConcurrencyConflict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from order_cancellation.adapters import codec
from order_cancellation.adapters.postgres.connection import Row, Session, corrupted, utc
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    OrderNotFound,
    RefundOrderNotFound,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.status import StatusCatalog
from order_cancellation.ports.persistence import IdempotencyRecord

ORDER_COLUMNS = "id, state, status, version, data::text"
REFUND_COLUMNS = "id, order_id, version, payment_status, stock_status, data::text"


class PostgresOrders:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, order_id: str) -> Order:
        row = self._s.one(
            "SELECT {columns} FROM {schema}.orders WHERE shop = %s AND id = %s",
            (self._s.shop, order_id),
            "reading an order",
            columns=ORDER_COLUMNS,
        )
        if row is None:
            raise OrderNotFound(
                f"no order {order_id!r} in this shop; check the id (orders of other shops "
                "are not visible)."
            )
        return order_of(row)

    def add(self, order: Order) -> None:
        added = self._s.run(
            "INSERT INTO {schema}.orders"
            " (shop, id, state, status, version, placed_at, currency, data)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
            " ON CONFLICT (shop, id) DO NOTHING",
            (self._s.shop, order.id, *_order_columns(order)),
            "adding an order",
        )
        if not added:
            raise ConcurrencyConflict(f"an order {order.id!r} exists already; use a new id.")
        for sku in sorted({line.sku for line in order.lines}):
            self._s.run(
                "INSERT INTO {schema}.order_skus (shop, sku, placed_at, order_id)"
                " VALUES (%s, %s, %s, %s)",
                (self._s.shop, sku, utc(order.placed_at), order.id),
                "adding an order",
            )

    def update(self, order: Order) -> None:
        # Compare-and-set: at READ COMMITTED a concurrent writer of the same row makes this
        # wait, then re-checks the version against the committed row, so exactly one wins.
        changed = self._s.run(
            "UPDATE {schema}.orders"
            " SET state = %s, status = %s, version = %s, placed_at = %s, currency = %s,"
            " data = %s::jsonb"
            " WHERE shop = %s AND id = %s AND version = %s",
            (*_order_columns(order), self._s.shop, order.id, order.version - 1),
            "updating an order",
        )
        if not changed:
            stored = self.get(order.id)  # OrderNotFound when it is not there at all
            raise ConcurrencyConflict(
                f"order {order.id!r} changed (version {stored.version}) since it was read; "
                "reload it and decide again."
            )

    def placed_between(self, start: datetime, end: datetime) -> Sequence[Order]:
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.orders"
            " WHERE shop = %s AND placed_at >= %s AND placed_at < %s"
            " ORDER BY placed_at, seq",
            (self._s.shop, start, end),
            "listing orders",
            columns=ORDER_COLUMNS,
        )
        return [order_of(row) for row in rows]


class PostgresRefunds:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, refund_order_id: str) -> RefundOrder:
        row = self._s.one(
            "SELECT {columns} FROM {schema}.refund_orders WHERE shop = %s AND id = %s",
            (self._s.shop, refund_order_id),
            "reading a refund order",
            columns=REFUND_COLUMNS,
        )
        if row is None:
            raise RefundOrderNotFound(
                f"no refund order {refund_order_id!r} in this shop; list refund_orders() "
                "to see them."
            )
        return refund_of(row)

    def add(self, refund: RefundOrder) -> None:
        added = self._s.run(
            "INSERT INTO {schema}.refund_orders"
            " (shop, id, order_id, created_at, version, payment_status, stock_status, data)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb)"
            " ON CONFLICT (shop, id) DO NOTHING",
            (self._s.shop, refund.id, *_refund_columns(refund)),
            "adding a refund order",
        )
        if not added:
            raise ConcurrencyConflict(f"a refund order {refund.id!r} exists already.")

    def update(self, refund: RefundOrder) -> None:
        changed = self._s.run(
            "UPDATE {schema}.refund_orders"
            " SET order_id = %s, created_at = %s, version = %s, payment_status = %s,"
            " stock_status = %s, data = %s::jsonb"
            " WHERE shop = %s AND id = %s AND version = %s",
            (*_refund_columns(refund), self._s.shop, refund.id, refund.version - 1),
            "updating a refund order",
        )
        if not changed:
            self.get(refund.id)  # RefundOrderNotFound when it is not there at all
            raise ConcurrencyConflict(
                f"refund order {refund.id!r} changed since it was read; reload it."
            )

    def list(self, *, order_id: str | None = None) -> Sequence[RefundOrder]:
        # Newest first; refunds made at the same instant keep the order they were added in.
        if order_id is None:
            rows = self._s.rows(
                "SELECT {columns} FROM {schema}.refund_orders"
                " WHERE shop = %s ORDER BY created_at DESC, seq",
                (self._s.shop,),
                "listing refund orders",
                columns=REFUND_COLUMNS,
            )
        else:
            rows = self._s.rows(
                "SELECT {columns} FROM {schema}.refund_orders"
                " WHERE shop = %s AND order_id = %s ORDER BY created_at DESC, seq",
                (self._s.shop, order_id),
                "listing refund orders",
                columns=REFUND_COLUMNS,
            )
        return [refund_of(row) for row in rows]

    def created_between(self, start: datetime, end: datetime) -> Sequence[RefundOrder]:
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.refund_orders"
            " WHERE shop = %s AND created_at >= %s AND created_at < %s ORDER BY seq",
            (self._s.shop, start, end),
            "listing refund orders",
            columns=REFUND_COLUMNS,
        )
        return [refund_of(row) for row in rows]


class PostgresLabels:
    def __init__(self, session: Session) -> None:
        self._s = session

    def catalog(self) -> StatusCatalog:
        rows = self._s.rows(
            "SELECT label, means FROM {schema}.status_labels WHERE shop = %s ORDER BY seq",
            (self._s.shop,),
            "reading status labels",
        )
        labels: list[tuple[str, OrderState]] = []
        for label, means in rows:
            try:
                labels.append((label, OrderState(means)))
            except ValueError:
                raise corrupted(
                    f"status label {label!r}", f"it means the unknown state {means!r}"
                ) from None
        return StatusCatalog.with_custom(labels)

    def define(self, label: str, means: OrderState) -> None:
        self._s.run(
            "INSERT INTO {schema}.status_labels (shop, label, means) VALUES (%s, %s, %s)"
            " ON CONFLICT (shop, label) DO UPDATE SET means = EXCLUDED.means",
            (self._s.shop, label, means.value),
            "defining a status label",
        )


class PostgresIdempotencyKeys:
    def __init__(self, session: Session) -> None:
        self._s = session

    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._s.one(
            "SELECT fingerprint, result_id, created_at FROM {schema}.idempotency_keys"
            " WHERE shop = %s AND key = %s",
            (self._s.shop, key),
            "reading an idempotency key",
        )
        if row is None:
            return None
        fingerprint, result_id, created_at = row
        return IdempotencyRecord(
            key=key, fingerprint=fingerprint, result_id=result_id, created_at=utc(created_at)
        )

    def add(self, record: IdempotencyRecord) -> None:
        # A second caller with the same key waits here for the first to commit, then finds
        # the key taken: the application then replays the first caller's result.
        added = self._s.run(
            "INSERT INTO {schema}.idempotency_keys"
            " (shop, key, fingerprint, result_id, created_at) VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (shop, key) DO NOTHING",
            (self._s.shop, record.key, record.fingerprint, record.result_id, record.created_at),
            "storing an idempotency key",
        )
        if not added:
            raise ConcurrencyConflict(f"the idempotency key {record.key!r} is taken.")


def _order_columns(order: Order) -> tuple[object, ...]:
    return (
        order.state.value,
        order.status,
        order.version,
        order.placed_at,
        order.currency,
        codec.dumps(order),
    )


def _refund_columns(refund: RefundOrder) -> tuple[object, ...]:
    return (
        refund.order_id,
        refund.created_at,
        refund.version,
        refund.payment_status.value,
        refund.stock_status.value,
        codec.dumps(refund),
    )


def order_of(row: Row) -> Order:
    order_id, state, status, version, data = row
    order = codec.loads(Order, data)
    found = (order.id, order.state.value, order.status, order.version)
    if found != (order_id, state, status, version):
        raise corrupted(
            f"order {order_id!r}",
            f"its columns (id, state, status, version) = {(order_id, state, status, version)}"
            f" disagree with its record {found}",
        )
    return order


def refund_of(row: Row) -> RefundOrder:
    refund_id, order_id, version, payment_status, stock_status, data = row
    refund = codec.loads(RefundOrder, data)
    columns = (refund_id, order_id, version, payment_status, stock_status)
    found = (
        refund.id,
        refund.order_id,
        refund.version,
        refund.payment_status.value,
        refund.stock_status.value,
    )
    if found != columns:
        raise corrupted(
            f"refund order {refund_id!r}",
            f"its columns {columns} disagree with its record {found}",
        )
    return refund
