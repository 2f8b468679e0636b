"""The same cancel written on the ``eventsourcing`` library, persisted by its SQLite recorder.

The modelling (docs/benchmarks.md says the same):

- ``Order`` is an aggregate; ``cancel`` records ``Canceled``.
- ``Refund`` is an aggregate created by the cancel (``Created``), then ``StockRestored``
  and ``PaymentVoided`` recorded on it: the refund order and its two effect statuses.
- The stock ledger: one ``Movement`` aggregate per line, whose id is derived from the
  library's movement key (order, line, kind), so a second restock of a line fails on the
  event store's primary key, as the library's ledger key does; and one ``Stock`` aggregate
  per SKU holding its level, which records ``Restocked``.
- The payment is voided in the same in-process provider dict the raw baseline uses.
- The effects are follow-up events in the same ``save``: one transaction per cancel. The
  stored events are eventsourcing's own outbox (its notification log), so no outbox rows
  are written besides them.

That is the cheapest faithful shape for eventsourcing, not a strawman: the library spends
four write transactions on the same cancel (command, claim, restock, settle) because the
effects run after the command commits and retry on their own.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.orders import sku

_NAMESPACE = uuid.UUID("0b6b1f4e-8d43-4c1a-9e4f-5f1d7a8c2e31")
_Line = tuple[str, str, int, int]  # line id, SKU, quantity, unit price (minor units)


class Order(Aggregate):
    @event("Placed")
    def __init__(self, lines: list[_Line], payment: str, currency: str) -> None:
        self.lines = lines
        self.payment = payment
        self.currency = currency
        self.state = "open"
        self.refund_id: uuid.UUID | None = None

    # The event carries what its consumers need (the lines, the payment, the amount), as
    # the library's OrderCanceled does.
    @event("Canceled")
    def cancel(
        self,
        refund_id: uuid.UUID,
        reason: str | None,
        lines: list[_Line],
        payment: str,
        amount: int,
    ) -> None:
        if self.state != "open":
            raise ValueError(f"order {self.id} is {self.state}")
        self.state = "canceled"
        self.refund_id = refund_id
        self.reason = reason


class Refund(Aggregate):
    @event("Created")
    def __init__(self, order_id: uuid.UUID, lines: list[_Line], amount: int) -> None:
        self.order_id = order_id
        self.lines = lines
        self.amount = amount
        self.stock_status = "pending"
        self.payment_status = "pending"
        self.released = 0

    @event("StockRestored")
    def stock_restored(self) -> None:
        self.stock_status = "done"

    @event("PaymentVoided")
    def payment_voided(self, released: int) -> None:
        self.payment_status = "voided"
        self.released = released


class Movement(Aggregate):
    @staticmethod
    def create_id(order_id: uuid.UUID, line_id: str, kind: str, sku: str, delta: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"{order_id}\x1f{line_id}\x1f{kind}")

    @event("Applied")
    def __init__(self, order_id: uuid.UUID, line_id: str, kind: str, sku: str, delta: int) -> None:
        self.sku = sku
        self.delta = delta


class Stock(Aggregate):
    @staticmethod
    def create_id(sku: str, level: int) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, sku)

    @event("Counted")
    def __init__(self, sku: str, level: int) -> None:
        self.sku = sku
        self.level = level

    @event("Restocked")
    def restock(self, quantity: int) -> None:
        self.level += quantity


class Shop(Application[uuid.UUID]):
    # Keeps the SKUs' Stock aggregates in memory between cancels (each get still reads
    # any newer events), as a long-running application would.
    env = {"AGGREGATE_CACHE_MAXSIZE": "100"}  # noqa: RUF012 - eventsourcing's own convention

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.voided: dict[str, int] = {}

    def place(self, lines: list[_Line], payment: str, currency: str) -> uuid.UUID:
        order = Order(lines, payment, currency)
        self.save(order)
        return order.id

    def count_stock(self, skus: list[str], level: int) -> None:
        self.save(*(Stock(name, level) for name in skus))

    def cancel(self, order_id: uuid.UUID) -> Refund:
        order: Order = self.repository.get(order_id)
        amount = sum(quantity * price for _, _, quantity, price in order.lines)
        refund = Refund(order_id, order.lines, amount)
        order.cancel(refund.id, None, order.lines, order.payment, amount)
        movements = [
            Movement(order_id, line_id, "cancel_restock", line_sku, quantity)
            for line_id, line_sku, quantity, _ in order.lines
        ]
        levels: dict[uuid.UUID, Stock] = {}
        for _, line_sku, quantity, _ in order.lines:
            stock_id = Stock.create_id(line_sku, 0)
            if stock_id not in levels:
                levels[stock_id] = self.repository.get(stock_id)
            levels[stock_id].restock(quantity)
        refund.stock_restored()
        self.voided.setdefault(order.payment, amount)
        refund.payment_voided(amount)
        self.save(order, refund, *movements, *levels.values())
        return refund


def open_shop(path: Path, *, synchronous: str) -> Shop:
    """The application on ``path`` via ``PERSISTENCE_MODULE=eventsourcing.sqlite``."""
    shop = Shop(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": os.fspath(path),
        }
    )
    set_synchronous(shop, synchronous)
    return shop


def set_synchronous(app: Application[uuid.UUID], level: str) -> None:
    """eventsourcing sets WAL but leaves ``synchronous`` at SQLite's default (FULL); give
    its connections the level under test, as the other contenders have."""
    pool: Any = app.factory.datastore.pool  # type: ignore[attr-defined]
    make = pool._create_connection

    def with_level() -> Any:
        connection = make()
        raw: sqlite3.Connection = connection._sqlite_conn
        raw.execute(f"PRAGMA synchronous = {level}")  # FULL or NORMAL, not caller text
        return connection

    pool._create_connection = with_level


def seed(path: Path, orders: int, lines: int) -> None:
    shop = open_shop(path, synchronous="NORMAL")
    shop.count_stock([sku(n) for n in range(lines)], 10**9)
    for n in range(orders):
        order_lines = [(f"L{i + 1}", sku(i), 1 + i % 3, 100 + i) for i in range(lines)]
        shop.place(order_lines, f"pay-{n}", "EUR")
    shop.close()


def open_order_ids(path: Path) -> list[uuid.UUID]:
    connection = sqlite3.connect(path)
    rows = connection.execute(
        "SELECT originator_id FROM stored_events WHERE topic LIKE '%Order.Placed' ORDER BY rowid"
    ).fetchall()
    connection.close()
    return [uuid.UUID(str(row[0])) for row in rows]


def warm(shop: Shop, lines: int) -> None:
    """Load every SKU's Stock aggregate into the cache, outside the timed part."""
    for n in range(lines):
        shop.repository.get(Stock.create_id(sku(n), 0))
