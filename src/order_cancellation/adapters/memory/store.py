"""The in-memory backend: every port of the store, for any number of shops, thread-safe.

A unit of work holds the database's lock from ``with`` to exit, so transactions are
serialised as ``BEGIN IMMEDIATE`` serialises them in SQLite. Writes go straight into the
shop's tables with an undo log; leaving without commit plays the log back. The version
check (compare-and-set) is enforced exactly as a database would enforce it, so code tested
on this backend meets the same conflicts as on the durable ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping, Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import attrs

from order_cancellation.adapters.ledger import levels_after, unique
from order_cancellation.adapters.memory.queries import MemoryQueries
from order_cancellation.adapters.memory.tokens import MemoryApiTokens
from order_cancellation.adapters.memory.webhooks import MemoryWebhookEndpoints
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    OrderNotFound,
    RefundOrderNotFound,
    StorageError,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.status import StatusCatalog
from order_cancellation.domain.stock import MovementKey, StockMovement
from order_cancellation.domain.tokens import ApiToken
from order_cancellation.domain.webhooks import WebhookEndpoint
from order_cancellation.ports.persistence import (
    FailedMessage,
    IdempotencyRecord,
    MessageStatus,
    OutboxMessage,
)

_MISSING: Final = object()
_R = TypeVar("_R", bound="_Repository")


@attrs.define
class _ShopTables:
    orders: dict[str, Order] = attrs.Factory(dict)
    refunds: dict[str, RefundOrder] = attrs.Factory(dict)
    labels: dict[str, OrderState] = attrs.Factory(dict)
    keys: dict[str, IdempotencyRecord] = attrs.Factory(dict)
    outbox: dict[str, OutboxMessage] = attrs.Factory(dict)
    open_messages: dict[str, None] = attrs.Factory(dict)  # ordered set, oldest first
    levels: dict[str, int] = attrs.Factory(dict)
    movements: dict[MovementKey, StockMovement] = attrs.Factory(dict)
    webhooks: dict[str, WebhookEndpoint] = attrs.Factory(dict)
    api_tokens: dict[str, ApiToken] = attrs.Factory(dict)


class MemoryBackend:
    """One in-memory store shared by any number of shops (and threads)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._shops: dict[str, _ShopTables] = {}

    def unit_of_work(self, shop: str) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(self, shop)

    def shops(self) -> list[str]:
        """The shops that hold any orders, stock, labels or webhook endpoints here."""
        with self._lock:
            return sorted(
                shop
                for shop, tables in self._shops.items()
                if tables.orders or tables.levels or tables.labels or tables.webhooks
            )

    def _tables(self, shop: str) -> _ShopTables:
        tables = self._shops.get(shop)
        if tables is None:
            tables = self._shops[shop] = _ShopTables()
        return tables


class _Journal:
    """The undo log of one transaction."""

    def __init__(self) -> None:
        self._undo: list[tuple[MutableMapping[Any, Any], object, object]] = []

    def set(self, table: MutableMapping[Any, Any], key: object, value: object) -> None:
        self._undo.append((table, key, table.get(key, _MISSING)))
        table[key] = value

    def delete(self, table: MutableMapping[Any, Any], key: object) -> None:
        if key in table:
            self._undo.append((table, key, table[key]))
            del table[key]

    def forget(self) -> None:
        self._undo.clear()

    def roll_back(self) -> None:
        for table, key, old in reversed(self._undo):
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old
        self._undo.clear()


class MemoryUnitOfWork:
    def __init__(self, backend: MemoryBackend, shop: str) -> None:
        self._backend = backend
        self._shop = shop
        self._journal = _Journal()
        self._active = False
        self._shop_tables: _ShopTables | None = None
        self._repositories: dict[type[_Repository], _Repository] = {}

    def _tables(self) -> _ShopTables:
        if self._shop_tables is None:
            with self._backend._lock:
                self._shop_tables = self._backend._tables(self._shop)
        return self._shop_tables

    # Repositories are made on first use: most units of work touch one or two of them.
    @property
    def orders(self) -> _Orders:
        return self._repository(_Orders)

    @property
    def refunds(self) -> _Refunds:
        return self._repository(_Refunds)

    @property
    def labels(self) -> _Labels:
        return self._repository(_Labels)

    @property
    def idempotency(self) -> _Keys:
        return self._repository(_Keys)

    @property
    def outbox(self) -> _Outbox:
        return self._repository(_Outbox)

    @property
    def stock(self) -> _Stock:
        return self._repository(_Stock)

    @property
    def webhooks(self) -> MemoryWebhookEndpoints:
        return MemoryWebhookEndpoints(self._tables().webhooks, self._write)

    @property
    def api_tokens(self) -> MemoryApiTokens:
        return MemoryApiTokens(self._tables().api_tokens, self._write)

    @property
    def queries(self) -> MemoryQueries:
        tables = self._tables()
        return MemoryQueries(tables.orders, tables.refunds)

    def _repository(self, kind: type[_R]) -> _R:
        made = self._repositories.get(kind)
        if made is None:
            made = self._repositories[kind] = kind(self._tables(), self._write)
        return made  # type: ignore[return-value] # keyed by its own type

    def __enter__(self) -> Self:
        self._backend._lock.acquire()
        self._active = True
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.rollback()
        finally:
            self._active = False
            self._backend._lock.release()

    def _write(self) -> _Journal:
        if not self._active:
            raise StorageError("a unit of work is used inside its 'with' block only.")
        return self._journal

    def commit(self) -> None:
        self._write().forget()

    def rollback(self) -> None:
        self._journal.roll_back()


_Write = Callable[[], _Journal]


class _Repository:
    def __init__(self, tables: _ShopTables, write: _Write) -> None:
        self._t, self._write = tables, write


class _Orders(_Repository):
    def get(self, order_id: str) -> Order:
        try:
            return self._t.orders[order_id]
        except KeyError:
            raise OrderNotFound(
                f"no order {order_id!r} in this shop; check the id (orders of other shops "
                "are not visible)."
            ) from None

    def add(self, order: Order) -> None:
        if order.id in self._t.orders:
            raise ConcurrencyConflict(f"an order {order.id!r} exists already; use a new id.")
        self._write().set(self._t.orders, order.id, order)

    def update(self, order: Order) -> None:
        stored = self.get(order.id)
        if stored.version != order.version - 1:
            raise ConcurrencyConflict(
                f"order {order.id!r} changed (version {stored.version}) since it was read; "
                "reload it and decide again."
            )
        self._write().set(self._t.orders, order.id, order)

    def placed_between(self, start: datetime, end: datetime) -> Sequence[Order]:
        found = [o for o in self._t.orders.values() if start <= o.placed_at < end]
        return sorted(found, key=lambda order: order.placed_at)


class _Refunds(_Repository):
    def get(self, refund_order_id: str) -> RefundOrder:
        try:
            return self._t.refunds[refund_order_id]
        except KeyError:
            raise RefundOrderNotFound(
                f"no refund order {refund_order_id!r} in this shop; list refund_orders() "
                "to see them."
            ) from None

    def add(self, refund: RefundOrder) -> None:
        if refund.order_id not in self._t.orders:
            raise OrderNotFound(
                f"refund order {refund.id!r} is of order {refund.order_id!r}, which this shop "
                "does not hold; add the order first (in the same unit of work, if it is new)."
            )
        if refund.id in self._t.refunds:
            raise ConcurrencyConflict(f"a refund order {refund.id!r} exists already.")
        self._write().set(self._t.refunds, refund.id, refund)

    def update(self, refund: RefundOrder) -> None:
        stored = self.get(refund.id)
        if stored.version != refund.version - 1:
            raise ConcurrencyConflict(
                f"refund order {refund.id!r} changed since it was read; reload it."
            )
        self._write().set(self._t.refunds, refund.id, refund)

    def list(self, *, order_id: str | None = None) -> Sequence[RefundOrder]:
        found = [r for r in self._t.refunds.values() if order_id in (None, r.order_id)]
        return sorted(found, key=lambda refund: refund.created_at, reverse=True)

    def created_between(self, start: datetime, end: datetime) -> Sequence[RefundOrder]:
        return [r for r in self._t.refunds.values() if start <= r.created_at < end]


_DEFAULT_CATALOG: Final = StatusCatalog()  # immutable, so every shop without labels shares it


class _Labels(_Repository):
    def catalog(self) -> StatusCatalog:
        # Read on every cancel; most shops never define a label of their own.
        if not self._t.labels:
            return _DEFAULT_CATALOG
        return StatusCatalog.with_custom(self._t.labels.items())

    def define(self, label: str, means: OrderState) -> None:
        self._write().set(self._t.labels, label, means)


class _Keys(_Repository):
    def get(self, key: str) -> IdempotencyRecord | None:
        return self._t.keys.get(key)

    def add(self, record: IdempotencyRecord) -> None:
        if record.key in self._t.keys:
            raise ConcurrencyConflict(f"the idempotency key {record.key!r} is taken.")
        self._write().set(self._t.keys, record.key, record)


class _Outbox(_Repository):
    def add(self, messages: Sequence[OutboxMessage]) -> None:
        # Checked before anything is added: a batch with a taken id adds none of its messages.
        seen: set[str] = set()
        for message in messages:
            if message.id in self._t.outbox or message.id in seen:
                raise ConcurrencyConflict(f"outbox message {message.id!r} exists already.")
            seen.add(message.id)
        journal = self._write()
        for message in messages:
            journal.set(self._t.outbox, message.id, message)
            if message.status is not MessageStatus.DONE:  # one written done is not open
                journal.set(self._t.open_messages, message.id, None)

    def get(self, message_id: str) -> OutboxMessage:
        try:
            return self._t.outbox[message_id]
        except KeyError:
            raise StorageError(f"no outbox message {message_id!r} in this shop.") from None

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str
    ) -> Sequence[OutboxMessage]:
        claimed: list[OutboxMessage] = []
        journal = self._write()
        for message_id in self._t.open_messages:
            if len(claimed) >= limit:
                break
            message = self._t.outbox[message_id]
            if message.status is not MessageStatus.PENDING or message.available_at > now:
                continue
            if message.lease_until is not None and message.lease_until > now:
                continue
            leased = replace(
                message,
                lease_until=now + lease,
                leased_by=worker,
                first_attempt_at=message.first_attempt_at or now,
            )
            journal.set(self._t.outbox, message_id, leased)
            claimed.append(leased)
        return claimed

    def complete(self, message_id: str) -> None:
        message = self.get(message_id)
        journal = self._write()
        journal.set(
            self._t.outbox,
            message_id,
            replace(message, status=MessageStatus.DONE, lease_until=None),
        )
        journal.delete(self._t.open_messages, message_id)

    def attempt_failed(
        self, message_id: str, *, error: str, now: datetime, retry_at: datetime | None
    ) -> OutboxMessage:
        message = self.get(message_id)
        failed = replace(
            message,
            attempts=message.attempts + 1,
            last_error=error,
            lease_until=None,
            status=MessageStatus.PENDING if retry_at else MessageStatus.DEAD,
            available_at=retry_at or message.available_at,
            first_attempt_at=message.first_attempt_at or now,
        )
        self._write().set(self._t.outbox, message_id, failed)
        return failed

    def revive(self, message_id: str, *, now: datetime) -> None:
        message = self.get(message_id)
        if message.status is MessageStatus.DONE:
            return
        journal = self._write()
        journal.set(
            self._t.outbox,
            message_id,
            replace(message, status=MessageStatus.PENDING, available_at=now, lease_until=None),
        )
        journal.set(self._t.open_messages, message_id, None)

    def for_refund_order(self, refund_order_id: str) -> Sequence[OutboxMessage]:
        return [m for m in self._t.outbox.values() if m.refund_order_id == refund_order_id]

    def failures(self) -> Sequence[FailedMessage]:
        # Dead messages stay among the open ones (only completing one removes it), and
        # events held as objects always decode: nothing here is ever quarantined.
        messages = (self._t.outbox[message_id] for message_id in self._t.open_messages)
        return [
            FailedMessage(
                id=m.id,
                handler=m.handler,
                status=m.status,
                attempts=m.attempts,
                created_at=m.created_at,
                available_at=m.available_at,
                order_id=m.event.order_id,
                refund_order_id=m.refund_order_id,
                first_attempt_at=m.first_attempt_at,
                last_error=m.last_error,
            )
            for m in messages
            if m.attempts > 0
        ]

    def pending(self) -> Sequence[OutboxMessage]:
        messages = (self._t.outbox[message_id] for message_id in self._t.open_messages)
        return [m for m in messages if m.status is MessageStatus.PENDING]


class _Stock(_Repository):
    def level(self, sku: str) -> int:
        return self._t.levels.get(sku, 0)

    def levels(self) -> dict[str, int]:
        return dict(sorted(self._t.levels.items()))

    def set_level(self, sku: str, quantity: int) -> None:
        self._write().set(self._t.levels, sku, quantity)

    def applied(self, key: MovementKey) -> bool:
        return key in self._t.movements

    def apply(self, movements: Sequence[StockMovement]) -> int:
        fresh = [m for m in unique(movements).values() if m.key not in self._t.movements]
        after = levels_after(((m.sku, m.delta) for m in fresh), self.level)
        journal = self._write()
        for movement in fresh:
            journal.set(self._t.movements, movement.key, movement)
        for sku, level in after.items():
            journal.set(self._t.levels, sku, level)
        return len(fresh)


__all__ = ["MemoryBackend", "MemoryUnitOfWork"]
