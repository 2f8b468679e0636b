"""Listing and paging: the order list and the Returns list a back office shows.

A page is a sequence of items plus ``next_cursor``, an opaque text to pass as ``after`` for
the next page (None on the last one). Pages run newest first on (time, id), so every item
that existed when the listing began is seen exactly once, whatever is written meanwhile.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Final, Generic, TypeVar, overload

import attrs

from order_cancellation.application.core import ServiceCore, check_flag
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import check_aware, check_identifier, shown
from order_cancellation.ports.queries import OrderFilter, Position, RefundOrderFilter

T = TypeVar("T")

MAX_PAGE: Final = 500
DEFAULT_PAGE: Final = 50


class InvalidCursor(InvalidInput):
    """``after`` is not a cursor this listing gave out; start again without it."""


@attrs.frozen
class Page(Sequence[T], Generic[T]):
    """One page of a listing: use it as a sequence; ``next_cursor`` (or None at the end)
    goes to ``after`` for the next page."""

    items: tuple[T, ...]
    next_cursor: str | None = None

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)


def encode_cursor(kind: str, position: Position) -> str:
    text = json.dumps([kind, position.at.isoformat(), position.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: object) -> Position:
    refusal = InvalidCursor(
        f"after must be the next_cursor of a page of this listing, not {shown(cursor)}; "
        "list again from the first page (without after)."
    )
    if not isinstance(cursor, str) or len(cursor) > 1000:
        raise refusal
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        named, moment, item_id = json.loads(text)
        at = datetime.fromisoformat(moment)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise refusal from None
    if named != kind or not isinstance(item_id, str) or at.utcoffset() is None:
        raise refusal
    return Position(at, item_id)


def check_limit(limit: object) -> int:
    if type(limit) is not int or not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(
            f"limit is a whole number from 1 to {MAX_PAGE}, not {shown(limit)}; "
            "page through longer lists with after=page.next_cursor."
        )
    return limit


def _enum(kind: type[OrderState] | type[PaymentStatus], value: object, name: str) -> object:
    if value is None:
        return None
    try:
        return kind(value)  # type: ignore[arg-type] # refused below if not a member
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise InvalidInput(f"{name} is one of {choices}; not {shown(value)}.") from None


class Listing(ServiceCore):
    """The order list, the Returns list and the manual refunds owed."""

    def orders(
        self,
        *,
        state: OrderState | str | None = None,
        payment_status: PaymentStatus | str | None = None,
        sku: str | None = None,
        placed_from: datetime | None = None,
        placed_to: datetime | None = None,
        limit: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Page[Order]:
        """A page of orders, newest placed first: those in ``state``, with a refund order in
        ``payment_status``, with a line of ``sku``, placed in ``[placed_from, placed_to)``."""
        where = OrderFilter(
            state=_enum(OrderState, state, "state"),  # type: ignore[arg-type]
            payment_status=_enum(PaymentStatus, payment_status, "payment_status"),  # type: ignore[arg-type]
            sku=None if sku is None else check_identifier(sku, "the SKU"),
            placed_from=None if placed_from is None else check_aware(placed_from, "placed_from"),
            placed_to=None if placed_to is None else check_aware(placed_to, "placed_to"),
        )
        limit = check_limit(limit)
        position = None if after is None else decode_cursor("orders", after)
        with self._uow() as uow:
            found = list(uow.queries.orders(where, limit=limit + 1, after=position))
        return _page("orders", found, limit, lambda order: Position(order.placed_at, order.id))

    def refund_order_page(
        self,
        *,
        order_id: str | None = None,
        pending: bool | None = None,
        limit: int = DEFAULT_PAGE,
        after: str | None = None,
    ) -> Page[RefundOrder]:
        """A page of the Returns list, newest first (see :meth:`refund_orders`)."""
        if order_id is not None:
            check_identifier(order_id, "the order id")
        if pending is not None:
            check_flag(pending, "pending")
        limit = check_limit(limit)
        position = None if after is None else decode_cursor("refund_orders", after)
        where = RefundOrderFilter(order_id=order_id, pending=pending)
        with self._uow() as uow:
            found = list(uow.queries.refund_orders(where, limit=limit + 1, after=position))
        return _page(
            "refund_orders", found, limit, lambda refund: Position(refund.created_at, refund.id)
        )

    def manual_refunds_owed(self) -> list[RefundOrder]:
        """Refund orders whose money must be paid back by hand, oldest first (an index
        range in the durable stores)."""
        with self._uow() as uow:
            return list(uow.queries.manual_refunds_owed())


def _page(kind: str, found: list[T], limit: int, position: Callable[[T], Position]) -> Page[T]:
    if len(found) <= limit:
        return Page(tuple(found))
    items = tuple(found[:limit])
    return Page(items, encode_cursor(kind, position(items[-1])))
