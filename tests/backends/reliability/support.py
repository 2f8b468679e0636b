"""Helpers of the reliability tests: building shops on a backend, figures, a durable provider.

The durable provider is a payment provider whose books outlive the process that called it,
as a real one's do: each settlement operation is recorded under its idempotency key in a
SQLite file of its own, and a key seen before is answered without doing anything again
(Klarna honours ``Klarna-Idempotency-Key`` the same way). Killing the shop's process can
therefore never hide a duplicate payment: the provider remembers every call.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import attrs

from order_cancellation import LineItem, PaymentRef, Sales
from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundKind, SettlementResult
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock
from order_cancellation.ports.payments import CaptureRequest, PaymentGateway, SettlementRequest

EffectsMode = Literal["inline", "deferred"]


Report = Callable[[str], None]


def figure(report: Report, test: str, **values: object) -> str:
    """Report the one machine-readable line of a reliability test (through the root
    conftest's ``reliability`` fixture, which prints it and repeats it in the summary)."""
    line = " ".join(["RELIABILITY", test, *(f"{key}={value}" for key, value in values.items())])
    report(line)
    return line


def percentile_ms(seconds: Sequence[float], fraction: float) -> str:
    if not seconds:
        return "n/a"
    ordered = sorted(seconds)
    return f"{ordered[round(fraction * (len(ordered) - 1))] * 1000:.1f}"


def seed_orders(
    backend: Backend,
    shop: str,
    count: int,
    *,
    stock: int,
    units: int,
    order_id: Callable[[int], str] = lambda n: f"ord-{n:05d}",
) -> list[str]:
    """``count`` open orders of ``units`` units each, one SKU per order with ``stock`` units
    before the sale, written in one transaction through the ports as place_order writes
    them (placing them one by one would spend the test's time on fsync)."""
    return seed_paid_orders(
        backend,
        shop,
        count,
        stock=stock,
        units=units,
        payment=lambda n: PaymentRef(provider="card", reference=f"pay-{n}"),
        order_id=order_id,
    )


def sales_on(
    backend: Backend,
    shop: str = "acme",
    *,
    gateways: Mapping[str, PaymentGateway] | None = None,
    clock: Clock | None = None,
    effects: EffectsMode = "deferred",
    lease: timedelta = timedelta(seconds=60),
) -> Sales:
    """A shop on any backend, wired as the Sales factories wire it."""
    return Sales(
        shop=shop,
        backend=backend,
        gateways=gateways or {},
        default_gateway=ManualPaymentGateway(),
        clock=clock or SystemClock(),
        effects=effects,
        lease=lease,
    )


@attrs.frozen
class StoreSpec:
    """Where a durable store lives, in a form another process can be given (JSON)."""

    kind: Literal["sqlite", "postgres"]
    location: str  # a file path or a DSN
    schema: str | None = None

    def open(self) -> Backend:
        if self.kind == "sqlite":
            from order_cancellation.adapters.sqlite import SQLiteBackend

            return SQLiteBackend(self.location)
        from order_cancellation.adapters.postgres import PostgresBackend

        if self.schema is None:
            return PostgresBackend(self.location)
        return PostgresBackend(self.location, schema=self.schema)

    def to_json(self) -> str:
        return json.dumps(attrs.asdict(self))

    @classmethod
    def from_json(cls, text: str) -> StoreSpec:
        return cls(**json.loads(text))


@contextlib.contextmanager
def opened(spec: StoreSpec) -> Iterator[Backend]:
    backend = spec.open()
    try:
        yield backend
    finally:
        close_backend(backend)


def close_backend(backend: Backend) -> None:
    close = getattr(backend, "close", None)
    if close is not None:
        close()


class DurableProvider:
    """A payment gateway whose provider keeps its books in a SQLite file (see module doc)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        with self._connection() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS calls (seq INTEGER PRIMARY KEY, key TEXT NOT NULL,"
                " refund_order_id TEXT NOT NULL)"
            )
            connection.execute(
                "CREATE TABLE IF NOT EXISTS operations (key TEXT PRIMARY KEY,"
                " refund_order_id TEXT NOT NULL, amount INTEGER NOT NULL)"
            )

    def settle(self, request: SettlementRequest) -> SettlementResult:
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "INSERT INTO calls (key, refund_order_id) VALUES (?, ?)",
                (request.idempotency_key, request.refund_order_id),
            )
            # A key seen before is answered from the books; the money moves once.
            connection.execute(
                "INSERT OR IGNORE INTO operations (key, refund_order_id, amount) VALUES (?, ?, ?)",
                (request.idempotency_key, request.refund_order_id, request.amount.minor),
            )
            connection.execute("COMMIT")
        zero = Money.zero(request.amount.currency)
        if request.kind is RefundKind.CANCELLATION:
            status, refunded, released = PaymentStatus.VOIDED, zero, request.amount
        else:
            status, refunded, released = PaymentStatus.REFUNDED, request.amount, zero
        return SettlementResult(
            status=status,
            refunded=refunded,
            released=released,
            manual=zero,
            provider_reference=request.idempotency_key,
        )

    def capture(self, request: CaptureRequest) -> Money:
        return Money.zero(request.amount.currency)

    def operations(self) -> Counter[str]:
        """Settlement operations carried out, per refund order."""
        return self._count("SELECT refund_order_id FROM operations")

    def calls(self) -> Counter[str]:
        """Settlement requests received (replays included), per refund order."""
        return self._count("SELECT refund_order_id FROM calls")

    def _count(self, query: str) -> Counter[str]:
        with self._connection() as connection:
            return Counter(row[0] for row in connection.execute(query))

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = FULL")
            yield connection
        finally:
            connection.close()


def seed_paid_orders(
    backend: Backend,
    shop: str,
    count: int,
    *,
    stock: int,
    units: int,
    payment: Callable[[int], PaymentRef],
    order_id: Callable[[int], str] = lambda n: f"ord-{n:05d}",
) -> list[str]:
    """As :func:`seed_orders`, with the payment of order ``n`` given by ``payment(n)`` (say,
    one captured when the order ships)."""
    now = datetime.now(UTC)
    ids = []
    with backend.unit_of_work(shop) as uow:
        for n in range(count):
            sku = f"SKU-{n}"
            decision = Order.place(
                order_id=order_id(n),
                shop=shop,
                items=[LineItem(sku, units, Money.of("10.00", "EUR"))],
                payment=payment(n),
                at=now,
            )
            uow.stock.set_level(sku, stock)
            sale = MovementKey(order_id=decision.order.id, line_id="L1", kind=MovementKind.SALE)
            uow.stock.apply([StockMovement(key=sale, sku=sku, delta=-units)])
            uow.orders.add(decision.order)
            ids.append(decision.order.id)
        uow.commit()
    return ids


class FilePublisher:
    """An event publisher whose deliveries outlive the process: each published event is
    appended to a file (one ``<event type> <order id>`` line, flushed to disk) before
    ``publish`` returns, so a parent can count what a killed child delivered."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)

    def publish(self, event: DomainEvent) -> None:
        with open(self.path, "a", encoding="utf-8") as file:
            file.write(f"{type(event).__name__} {event.order_id}\n")
            file.flush()
            os.fsync(file.fileno())

    def delivered(self) -> Counter[tuple[str, str]]:
        """Deliveries per (event type, order id), repeats counted."""
        if not os.path.exists(self.path):
            return Counter()
        deliveries: Counter[tuple[str, str]] = Counter()
        with open(self.path, encoding="utf-8") as file:
            for line in file:
                kind, order_id = line.split()
                deliveries[kind, order_id] += 1
        return deliveries
