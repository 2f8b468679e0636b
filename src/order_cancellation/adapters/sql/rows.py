"""How a record maps to its row and back, for every SQL store.

A record is stored whole as codec JSON next to the columns that queries filter and sort on
and that the compare-and-set needs. Adding and updating write the same columns (the values
below), so a column can never keep what an update changed in the record. Reading checks that
the columns and the JSON still agree: a row that disagrees, or does not decode, raises
:class:`RepositoryCorrupted` rather than being half-trusted.
"""

from __future__ import annotations

import enum
from typing import Any, Final, TypeVar

from order_cancellation.adapters import codec
from order_cancellation.adapters.sql.dialect import Dialect, Row
from order_cancellation.domain.errors import RepositoryCorrupted
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder, StockStatus
from order_cancellation.domain.states import OrderState
from order_cancellation.ports.persistence import IdempotencyRecord

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

# What a read selects, in the order order_of and refund_of unpack it.
ORDER_COLUMNS: Final = "id, state, status, version, data{json}"
REFUND_COLUMNS: Final = "id, order_id, version, payment_status, stock_status, data{json}"


def order_values(order: Order, dialect: Dialect) -> tuple[object, ...]:
    """state, status, version, placed_at, currency, data: written by add and update."""
    return (
        order.state.value,
        order.status,
        order.version,
        dialect.write_time(order.placed_at),
        order.currency,
        codec.dumps(order),
    )


def refund_values(refund: RefundOrder, dialect: Dialect) -> tuple[object, ...]:
    """order_id, created_at, version, payment_status, stock_status, data: written by add and
    update."""
    return (
        refund.order_id,
        dialect.write_time(refund.created_at),
        refund.version,
        refund.payment_status.value,
        refund.stock_status.value,
        codec.dumps(refund),
    )


def order_of(row: Row, *, shop: str) -> Order:
    order_id, state, status, version, data = row
    what = f"order {order_id!r} of shop {shop!r}"
    columns = (order_id, enum_member(OrderState, state, what=what), status, version)
    order = decoded(Order, data, what=what)
    record = (order.id, order.state, order.status, order.version)
    if record != columns:
        raise corrupted(
            what,
            f"its columns (id, state, status, version) {_plain(columns)} disagree with its "
            f"record {_plain(record)}",
        )
    return order


def refund_of(row: Row, *, shop: str) -> RefundOrder:
    refund_id, order_id, version, payment_status, stock_status, data = row
    what = f"refund order {refund_id!r} of shop {shop!r}"
    columns = (
        refund_id,
        order_id,
        version,
        enum_member(PaymentStatus, payment_status, what=what),
        enum_member(StockStatus, stock_status, what=what),
    )
    refund = decoded(RefundOrder, data, what=what)
    record = (
        refund.id,
        refund.order_id,
        refund.version,
        refund.payment_status,
        refund.stock_status,
    )
    if record != columns:
        raise corrupted(
            what, f"its columns {_plain(columns)} disagree with its record {_plain(record)}"
        )
    return refund


def idempotency_record(key: str, row: Row, dialect: Dialect, *, shop: str) -> IdempotencyRecord:
    fingerprint, result_id, created_at = row
    what = f"idempotency key {key!r} of shop {shop!r}"
    if not isinstance(fingerprint, str) or not isinstance(result_id, str):
        raise corrupted(what, "its fingerprint or result is not text")
    return IdempotencyRecord(
        key=key,
        fingerprint=fingerprint,
        result_id=result_id,
        created_at=dialect.read_time(created_at, what),
    )


def stock_level(level: object, *, sku: str, shop: str) -> int:
    if type(level) is not int:
        raise corrupted(f"the stock level of {sku!r} in shop {shop!r}", f"{level!r}")
    return level


def decoded(cls: type[T], data: object, *, what: str) -> T:
    if not isinstance(data, str):
        raise corrupted(what, f"its record is {type(data).__name__}, not JSON text")
    try:
        return codec.loads(cls, data)
    except RepositoryCorrupted as error:
        raise corrupted(what, str(error).rstrip(".")) from error


def enum_member(cls: type[E], value: object, *, what: str) -> E:
    try:
        return cls(value)
    except ValueError as error:
        raise corrupted(what, f"{value!r} is not a known {cls.__name__}") from error


def corrupted(what: str, detail: str) -> RepositoryCorrupted:
    return RepositoryCorrupted(
        f"{what} is corrupted: {detail}. It was changed outside the library; restore it from "
        "a backup. It is not repaired automatically."
    )


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(value.value if isinstance(value, enum.Enum) else value for value in values)
