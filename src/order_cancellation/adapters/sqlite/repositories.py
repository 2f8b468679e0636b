"""Orders, refund orders, status labels and idempotency keys in SQLite.

Each record is its codec JSON plus the columns that queries and the compare-and-set need.
On load the columns and the JSON must agree; a row that disagrees, or does not decode,
raises :class:`RepositoryCorrupted` rather than being guessed at. Every statement is
scoped by ``shop`` and takes its values as parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from order_cancellation.adapters import codec
from order_cancellation.adapters.sqlite.columns import (
    corrupted,
    enum_member,
    utc_datetime,
    utc_text,
)
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    OrderNotFound,
    RefundOrderNotFound,
    RepositoryCorrupted,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder, StockStatus
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.status import StatusCatalog
from order_cancellation.ports.persistence import IdempotencyRecord

T = TypeVar("T")

ORDER_COLUMNS = "id, state, status, version, data"
REFUND_COLUMNS = "id, order_id, version, payment_status, stock_status, data"


class SQLiteOrders:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def get(self, order_id: str) -> Order:
        row = self._db.run(
            f"SELECT {ORDER_COLUMNS} FROM orders WHERE shop = ? AND id = ?",  # noqa: S608 - constant columns
            (self._shop, order_id),
        ).fetchone()
        if row is None:
            raise OrderNotFound(
                f"no order {order_id!r} in this shop; check the id (orders of other shops "
                "are not visible)."
            )
        return self._order(row)

    def add(self, order: Order) -> None:
        self._db.run(
            "INSERT INTO orders (shop, id, state, status, version, placed_at, currency, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (self._shop, order.id, *self._columns(order)),
            conflict=f"an order {order.id!r} exists already; use a new id.",
        )
        for sku in sorted({line.sku for line in order.lines}):
            self._db.run(
                "INSERT INTO order_skus (shop, sku, placed_at, order_id) VALUES (?, ?, ?, ?)",
                (self._shop, sku, utc_text(order.placed_at), order.id),
            )

    def update(self, order: Order) -> None:
        # The compare-and-set: the row changes only if nobody moved it past the version
        # this change was decided on.
        changed = self._db.run(
            "UPDATE orders SET state = ?, status = ?, version = ?, placed_at = ?, currency = ?,"
            " data = ? WHERE shop = ? AND id = ? AND version = ?",
            (*self._columns(order), self._shop, order.id, order.version - 1),
        ).rowcount
        if changed == 1:
            return
        row = self._db.run(
            "SELECT version FROM orders WHERE shop = ? AND id = ?", (self._shop, order.id)
        ).fetchone()
        if row is None:
            self.get(order.id)  # raises OrderNotFound with its message
        raise ConcurrencyConflict(
            f"order {order.id!r} changed (version {row[0]}) since it was read; "
            "reload it and decide again."
        )

    def placed_between(self, start: datetime, end: datetime) -> Sequence[Order]:
        rows = self._db.run(
            f"SELECT {ORDER_COLUMNS} FROM orders"  # noqa: S608 - constant columns
            " WHERE shop = ? AND placed_at >= ? AND placed_at < ? ORDER BY placed_at, seq",
            (self._shop, utc_text(start), utc_text(end)),
        ).fetchall()
        return [self._order(row) for row in rows]

    @staticmethod
    def _columns(order: Order) -> tuple[object, ...]:
        return (
            order.state.value,
            order.status,
            order.version,
            utc_text(order.placed_at),
            order.currency,
            codec.dumps(order),
        )

    def _order(self, row: Sequence[Any]) -> Order:
        order_id, state, status, version, data = row
        what = f"order {order_id!r} of shop {self._shop!r}"
        column_state = enum_member(OrderState, state, what=what)
        order = _decode(Order, data, what=what)
        if (order.id, order.state, order.status, order.version) != (
            order_id,
            column_state,
            status,
            version,
        ):
            raise corrupted(
                what,
                f"its columns (state {state!r}, status {status!r}, version {version!r}) "
                f"disagree with its record (state {order.state.value!r}, status "
                f"{order.status!r}, version {order.version})",
            )
        return order


class SQLiteRefundOrders:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def get(self, refund_order_id: str) -> RefundOrder:
        row = self._db.run(
            f"SELECT {REFUND_COLUMNS} FROM refund_orders WHERE shop = ? AND id = ?",  # noqa: S608 - constant columns
            (self._shop, refund_order_id),
        ).fetchone()
        if row is None:
            raise RefundOrderNotFound(
                f"no refund order {refund_order_id!r} in this shop; list refund_orders() "
                "to see them."
            )
        return self._refund(row)

    def add(self, refund: RefundOrder) -> None:
        self._db.run(
            "INSERT INTO refund_orders (shop, id, order_id, created_at, version, payment_status,"
            " stock_status, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._shop,
                refund.id,
                refund.order_id,
                utc_text(refund.created_at),
                *self._state_columns(refund),
            ),
            conflict=f"a refund order {refund.id!r} exists already.",
        )

    def update(self, refund: RefundOrder) -> None:
        changed = self._db.run(
            "UPDATE refund_orders SET version = ?, payment_status = ?, stock_status = ?,"
            " data = ? WHERE shop = ? AND id = ? AND version = ?",
            (*self._state_columns(refund), self._shop, refund.id, refund.version - 1),
        ).rowcount
        if changed == 1:
            return
        self.get(refund.id)  # raises RefundOrderNotFound when it is missing
        raise ConcurrencyConflict(
            f"refund order {refund.id!r} changed since it was read; reload it."
        )

    def list(self, *, order_id: str | None = None) -> Sequence[RefundOrder]:
        # Newest first; refund orders of the same instant in the order they were recorded.
        if order_id is None:
            rows = self._db.run(
                f"SELECT {REFUND_COLUMNS} FROM refund_orders WHERE shop = ?"  # noqa: S608 - constant columns
                " ORDER BY created_at DESC, seq",
                (self._shop,),
            ).fetchall()
        else:
            rows = self._db.run(
                f"SELECT {REFUND_COLUMNS} FROM refund_orders WHERE shop = ? AND order_id = ?"  # noqa: S608 - constant columns
                " ORDER BY created_at DESC, seq",
                (self._shop, order_id),
            ).fetchall()
        return [self._refund(row) for row in rows]

    def created_between(self, start: datetime, end: datetime) -> Sequence[RefundOrder]:
        rows = self._db.run(
            f"SELECT {REFUND_COLUMNS} FROM refund_orders"  # noqa: S608 - constant columns
            " WHERE shop = ? AND created_at >= ? AND created_at < ? ORDER BY seq",
            (self._shop, utc_text(start), utc_text(end)),
        ).fetchall()
        return [self._refund(row) for row in rows]

    @staticmethod
    def _state_columns(refund: RefundOrder) -> tuple[object, ...]:
        return (
            refund.version,
            refund.payment_status.value,
            refund.stock_status.value,
            codec.dumps(refund),
        )

    def _refund(self, row: Sequence[Any]) -> RefundOrder:
        refund_id, order_id, version, payment_status, stock_status, data = row
        what = f"refund order {refund_id!r} of shop {self._shop!r}"
        columns = (
            refund_id,
            order_id,
            version,
            enum_member(PaymentStatus, payment_status, what=what),
            enum_member(StockStatus, stock_status, what=what),
        )
        refund = _decode(RefundOrder, data, what=what)
        record = (
            refund.id,
            refund.order_id,
            refund.version,
            refund.payment_status,
            refund.stock_status,
        )
        if record != columns:
            raise corrupted(what, f"its columns {columns!r} disagree with its record {record!r}")
        return refund


class SQLiteStatusLabels:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def catalog(self) -> StatusCatalog:
        rows = self._db.run(
            "SELECT label, means FROM status_labels WHERE shop = ? ORDER BY seq", (self._shop,)
        ).fetchall()
        return StatusCatalog.with_custom(
            (label, enum_member(OrderState, means, what=f"status label {label!r}"))
            for label, means in rows
        )

    def define(self, label: str, means: OrderState) -> None:
        self._db.run(
            "INSERT INTO status_labels (shop, label, means) VALUES (?, ?, ?)"
            " ON CONFLICT (shop, label) DO UPDATE SET means = excluded.means",
            (self._shop, label, means.value),
        )


class SQLiteIdempotencyKeys:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def get(self, key: str) -> IdempotencyRecord | None:
        row = self._db.run(
            "SELECT fingerprint, result_id, created_at FROM idempotency_keys"
            " WHERE shop = ? AND key = ?",
            (self._shop, key),
        ).fetchone()
        if row is None:
            return None
        fingerprint, result_id, created_at = row
        what = f"idempotency key {key!r} of shop {self._shop!r}"
        if not isinstance(fingerprint, str) or not isinstance(result_id, str):
            raise corrupted(what, "its fingerprint or result is not text")
        return IdempotencyRecord(
            key=key,
            fingerprint=fingerprint,
            result_id=result_id,
            created_at=utc_datetime(created_at, what=what),
        )

    def add(self, record: IdempotencyRecord) -> None:
        self._db.run(
            "INSERT INTO idempotency_keys (shop, key, fingerprint, result_id, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                self._shop,
                record.key,
                record.fingerprint,
                record.result_id,
                utc_text(record.created_at),
            ),
            conflict=f"the idempotency key {record.key!r} is taken.",
        )


def _decode(cls: type[T], data: object, *, what: str) -> T:
    if not isinstance(data, str):
        raise corrupted(what, f"its record is {type(data).__name__}, not JSON text")
    try:
        return codec.loads(cls, data)
    except RepositoryCorrupted as error:
        raise corrupted(what, str(error).rstrip(".")) from error
