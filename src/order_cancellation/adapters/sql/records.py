"""Orders, refund orders, status labels and idempotency keys of one shop, in any SQL store.

Every statement is scoped by ``shop`` and takes its values as parameters. Adding never
raises a unique violation (``ON CONFLICT DO NOTHING`` and a row count), so the transaction
stays usable after a :class:`ConcurrencyConflict`. An update is a compare-and-set on the
version: the row changes only if nobody moved it past the version the change was decided on
(at READ COMMITTED a concurrent writer of the row makes PostgreSQL wait, then re-check).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from order_cancellation.adapters.sql.dialect import Dialect, Runner
from order_cancellation.adapters.sql.rows import (
    ORDER_COLUMNS,
    REFUND_COLUMNS,
    enum_member,
    idempotency_record,
    order_of,
    order_values,
    refund_of,
    refund_values,
)
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

_ORDER: Final = f"SELECT {ORDER_COLUMNS} FROM {{t}}orders WHERE shop = ? AND id = ?"  # noqa: S608 - constant columns
_ORDER_EXISTS: Final = "SELECT version FROM {t}orders WHERE shop = ? AND id = ?"
_ADD_ORDER: Final = (
    "INSERT INTO {t}orders (shop, id, state, status, version, placed_at, currency, data)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?{json}) ON CONFLICT (shop, id) DO NOTHING"
)
_ADD_ORDER_SKU: Final = (
    "INSERT INTO {t}order_skus (shop, sku, placed_at, order_id) VALUES (?, ?, ?, ?)"
)
_UPDATE_ORDER: Final = (
    "UPDATE {t}orders SET state = ?, status = ?, version = ?, placed_at = ?, currency = ?,"
    " data = ?{json} WHERE shop = ? AND id = ? AND version = ?"
)
_ORDERS_PLACED: Final = (
    f"SELECT {ORDER_COLUMNS} FROM {{t}}orders"  # noqa: S608 - constant columns
    " WHERE shop = ? AND placed_at >= ? AND placed_at < ? ORDER BY placed_at, seq"
)
_REFUND: Final = f"SELECT {REFUND_COLUMNS} FROM {{t}}refund_orders WHERE shop = ? AND id = ?"  # noqa: S608 - constant columns
_REFUND_EXISTS: Final = "SELECT 1 FROM {t}refund_orders WHERE shop = ? AND id = ?"
# Added only beside an order of the same shop (SQLite's foreign key says so at commit too).
_ADD_REFUND: Final = (
    "INSERT INTO {t}refund_orders"
    " (shop, id, order_id, created_at, version, payment_status, stock_status, data)"
    " SELECT ?, ?, ?, ?, ?, ?, ?, ?{json}"
    " WHERE EXISTS (SELECT 1 FROM {t}orders WHERE shop = ? AND id = ?)"
    " ON CONFLICT (shop, id) DO NOTHING"
)
_UPDATE_REFUND: Final = (
    "UPDATE {t}refund_orders SET order_id = ?, created_at = ?, version = ?,"
    " payment_status = ?, stock_status = ?, data = ?{json}"
    " WHERE shop = ? AND id = ? AND version = ?"
)
# Newest first; refund orders of the same instant in the order they were recorded.
_REFUNDS: Final = (
    f"SELECT {REFUND_COLUMNS} FROM {{t}}refund_orders"  # noqa: S608 - constant columns
    " WHERE shop = ? ORDER BY created_at DESC, seq"
)
_REFUNDS_OF_ORDER: Final = (
    f"SELECT {REFUND_COLUMNS} FROM {{t}}refund_orders"  # noqa: S608 - constant columns
    " WHERE shop = ? AND order_id = ? ORDER BY created_at DESC, seq"
)
_REFUNDS_CREATED: Final = (
    f"SELECT {REFUND_COLUMNS} FROM {{t}}refund_orders"  # noqa: S608 - constant columns
    " WHERE shop = ? AND created_at >= ? AND created_at < ? ORDER BY seq"
)
_LABELS: Final = "SELECT label, means FROM {t}status_labels WHERE shop = ? ORDER BY seq"
_DEFINE_LABEL: Final = (
    "INSERT INTO {t}status_labels (shop, label, means) VALUES (?, ?, ?)"
    " ON CONFLICT (shop, label) DO UPDATE SET means = excluded.means"
)
_KEY: Final = (
    "SELECT fingerprint, result_id, created_at FROM {t}idempotency_keys WHERE shop = ? AND key = ?"
)
_ADD_KEY: Final = (
    "INSERT INTO {t}idempotency_keys (shop, key, fingerprint, result_id, created_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (shop, key) DO NOTHING"
)


class _Records:
    def __init__(self, db: Runner, dialect: Dialect, shop: str) -> None:
        self._db, self._dialect, self._shop = db, dialect, shop
        self._sql = dialect.sql


class SQLOrders(_Records):
    def get(self, order_id: str) -> Order:
        row = self._db.one(self._sql(_ORDER), (self._shop, order_id), "reading an order")
        if row is None:
            raise _order_not_found(order_id)
        return order_of(row, shop=self._shop)

    def add(self, order: Order) -> None:
        values = order_values(order, self._dialect)
        added = self._db.run(
            self._sql(_ADD_ORDER), (self._shop, order.id, *values), "adding an order"
        )
        if not added:
            raise ConcurrencyConflict(f"an order {order.id!r} exists already; use a new id.")
        placed_at = self._dialect.write_time(order.placed_at)
        for sku in sorted({line.sku for line in order.lines}):
            self._db.run(
                self._sql(_ADD_ORDER_SKU), (self._shop, sku, placed_at, order.id), "adding an order"
            )

    def update(self, order: Order) -> None:
        changed = self._db.run(
            self._sql(_UPDATE_ORDER),
            (*order_values(order, self._dialect), self._shop, order.id, order.version - 1),
            "updating an order",
        )
        if changed:
            return
        row = self._db.one(self._sql(_ORDER_EXISTS), (self._shop, order.id), "updating an order")
        if row is None:
            raise _order_not_found(order.id)
        raise ConcurrencyConflict(
            f"order {order.id!r} changed (version {row[0]}) since it was read; "
            "reload it and decide again."
        )

    def placed_between(self, start: datetime, end: datetime) -> Sequence[Order]:
        time = self._dialect.write_time
        rows = self._db.rows(
            self._sql(_ORDERS_PLACED), (self._shop, time(start), time(end)), "listing orders"
        )
        return [order_of(row, shop=self._shop) for row in rows]


class SQLRefundOrders(_Records):
    def get(self, refund_order_id: str) -> RefundOrder:
        row = self._db.one(
            self._sql(_REFUND), (self._shop, refund_order_id), "reading a refund order"
        )
        if row is None:
            raise _refund_not_found(refund_order_id)
        return refund_of(row, shop=self._shop)

    def add(self, refund: RefundOrder) -> None:
        added = self._db.run(
            self._sql(_ADD_REFUND),
            (
                self._shop,
                refund.id,
                *refund_values(refund, self._dialect),
                self._shop,
                refund.order_id,
            ),
            "adding a refund order",
        )
        if added:
            return
        if self._db.one(self._sql(_ORDER_EXISTS), (self._shop, refund.order_id), "adding") is None:
            raise OrderNotFound(
                f"refund order {refund.id!r} is of order {refund.order_id!r}, which this shop "
                "does not hold; add the order first (in the same unit of work, if it is new)."
            )
        raise ConcurrencyConflict(f"a refund order {refund.id!r} exists already.")

    def update(self, refund: RefundOrder) -> None:
        changed = self._db.run(
            self._sql(_UPDATE_REFUND),
            (*refund_values(refund, self._dialect), self._shop, refund.id, refund.version - 1),
            "updating a refund order",
        )
        if changed:
            return
        if self._db.one(self._sql(_REFUND_EXISTS), (self._shop, refund.id), "updating") is None:
            raise _refund_not_found(refund.id)
        raise ConcurrencyConflict(
            f"refund order {refund.id!r} changed since it was read; reload it."
        )

    def list(self, *, order_id: str | None = None) -> Sequence[RefundOrder]:
        if order_id is None:
            rows = self._db.rows(self._sql(_REFUNDS), (self._shop,), "listing refund orders")
        else:
            rows = self._db.rows(
                self._sql(_REFUNDS_OF_ORDER), (self._shop, order_id), "listing refund orders"
            )
        return [refund_of(row, shop=self._shop) for row in rows]

    def created_between(self, start: datetime, end: datetime) -> Sequence[RefundOrder]:
        time = self._dialect.write_time
        rows = self._db.rows(
            self._sql(_REFUNDS_CREATED),
            (self._shop, time(start), time(end)),
            "listing refund orders",
        )
        return [refund_of(row, shop=self._shop) for row in rows]


class SQLStatusLabels(_Records):
    def catalog(self) -> StatusCatalog:
        rows = self._db.rows(self._sql(_LABELS), (self._shop,), "reading status labels")
        return StatusCatalog.with_custom(
            (label, enum_member(OrderState, means, what=f"status label {label!r}"))
            for label, means in rows
        )

    def define(self, label: str, means: OrderState) -> None:
        self._db.run(
            self._sql(_DEFINE_LABEL), (self._shop, label, means.value), "defining a status label"
        )


class SQLIdempotencyKeys(_Records):
    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._db.one(self._sql(_KEY), (self._shop, key), "reading an idempotency key")
        if row is None:
            return None
        return idempotency_record(key, row, self._dialect, shop=self._shop)

    def add(self, record: IdempotencyRecord) -> None:
        # A second caller with the same key waits here for the first to commit, then finds
        # the key taken: the application then replays the first caller's result.
        added = self._db.run(
            self._sql(_ADD_KEY),
            (
                self._shop,
                record.key,
                record.fingerprint,
                record.result_id,
                self._dialect.write_time(record.created_at),
            ),
            "storing an idempotency key",
        )
        if not added:
            raise ConcurrencyConflict(f"the idempotency key {record.key!r} is taken.")


def _order_not_found(order_id: str) -> OrderNotFound:
    return OrderNotFound(
        f"no order {order_id!r} in this shop; check the id (orders of other shops are not visible)."
    )


def _refund_not_found(refund_order_id: str) -> RefundOrderNotFound:
    return RefundOrderNotFound(
        f"no refund order {refund_order_id!r} in this shop; list refund_orders() to see them."
    )


_SHOPS: Final = (
    "SELECT shop FROM {t}orders UNION SELECT shop FROM {t}stock_levels"
    " UNION SELECT shop FROM {t}status_labels UNION SELECT shop FROM {t}webhook_endpoints"
    " ORDER BY 1"
)


def shops(db: Runner, dialect: Dialect) -> list[str]:
    """The shops that hold any orders, stock, labels or webhook endpoints in the store."""
    return [shop for (shop,) in db.rows(dialect.sql(_SHOPS), (), "listing the shops")]
