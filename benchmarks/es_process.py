"""The same cancel on eventsourcing with its effects in a process application: the shape
closest to the library's (the command commits first, the effects follow from the log).

- ``Orders`` records ``Order.Canceled`` and creates the ``Refund`` in one transaction.
- ``Effects``, a ``ProcessApplication`` following ``Orders``, reacts to ``Canceled``: one
  ``Movement`` per line (keyed as the library's ledger), ``Stock.Restocked`` per SKU, the
  void in the provider dict, and a ``Settlement`` recording ``StockRestored`` and
  ``PaymentVoided``; eventsourcing writes them with its tracking record in one
  transaction, so a redelivered ``Canceled`` is processed once.
- A ``SingleThreadedRunner`` runs the follower right after each command, as the library's
  inline effects run right after the command. Each application has its own SQLite file
  (``ORDERS_SQLITE_DBNAME``, ``EFFECTS_SQLITE_DBNAME``): both write a ``stored_events``
  table.

So a cancel is two write transactions here, against the library's four (command, claim,
restock, settle), which also keeps restock and settlement separately retryable.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.domain import Aggregate, event
from eventsourcing.system import ProcessApplication, SingleThreadedRunner, System

from benchmarks import es_sqlite
from benchmarks.es_sqlite import Movement, Order, Refund, Stock, set_synchronous
from benchmarks.orders import sku

FILES = ("orders.db", "effects.db")


class Settlement(Aggregate):
    """The effects' side of a refund order: what was restored and released."""

    @staticmethod
    def create_id(refund_id: uuid.UUID) -> uuid.UUID:
        return refund_id

    @event("Opened")
    def __init__(self, refund_id: uuid.UUID) -> None:
        self.stock = "pending"
        self.payment = "pending"

    @event("StockRestored")
    def stock_restored(self) -> None:
        self.stock = "done"

    @event("PaymentVoided")
    def payment_voided(self, released: int) -> None:
        self.payment = "voided"


class Orders(Application[uuid.UUID]):
    def place(self, lines: list[tuple[str, str, int, int]], payment: str) -> uuid.UUID:
        order = Order(lines, payment, "EUR")
        self.save(order)
        return order.id

    def cancel(self, order_id: uuid.UUID) -> Refund:
        order: Order = self.repository.get(order_id)
        amount = sum(quantity * price for _, _, quantity, price in order.lines)
        refund = Refund(order_id, order.lines, amount)
        order.cancel(refund.id, None, order.lines, order.payment, amount)
        self.save(order, refund)
        return refund


class Effects(ProcessApplication[uuid.UUID]):
    env = {"AGGREGATE_CACHE_MAXSIZE": "100"}  # noqa: RUF012 - eventsourcing's convention
    topics = (f"{Order.__module__}:Order.Canceled",)

    def __init__(self, env: Any = None) -> None:
        super().__init__(env)
        self.voided: dict[str, int] = {}

    def count_stock(self, skus: list[str], level: int) -> None:
        self.save(*(Stock(name, level) for name in skus))

    @singledispatchmethod
    def policy(self, domain_event: Any, processing_event: ProcessingEvent[uuid.UUID]) -> None:
        """Other events need nothing done."""

    @policy.register(Order.Canceled)  # type: ignore[attr-defined] # made by @event
    def _(self, domain_event: Any, processing_event: ProcessingEvent[uuid.UUID]) -> None:
        lines = domain_event.lines
        settlement = Settlement(domain_event.refund_id)
        movements = [
            Movement(domain_event.originator_id, line_id, "cancel_restock", line_sku, quantity)
            for line_id, line_sku, quantity, _ in lines
        ]
        levels: dict[uuid.UUID, Stock] = {}
        for _, line_sku, quantity, _ in lines:
            stock_id = Stock.create_id(line_sku, 0)
            if stock_id not in levels:
                levels[stock_id] = self.repository.get(stock_id)
            levels[stock_id].restock(quantity)
        settlement.stock_restored()
        self.voided.setdefault(domain_event.payment, domain_event.amount)
        settlement.payment_voided(domain_event.amount)
        processing_event.collect_events(settlement, *movements, *levels.values())


SYSTEM = System(pipes=[[Orders, Effects]])


def start(folder: Path, *, synchronous: str) -> SingleThreadedRunner[uuid.UUID]:
    runner: SingleThreadedRunner[uuid.UUID] = SingleThreadedRunner(
        SYSTEM,
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "ORDERS_SQLITE_DBNAME": os.fspath(folder / FILES[0]),
            "EFFECTS_SQLITE_DBNAME": os.fspath(folder / FILES[1]),
        },
    )
    for app in (runner.apps["Orders"], runner.apps["Effects"]):
        set_synchronous(app, synchronous)
    runner.start()
    return runner


def seed(folder: Path, orders: int, lines: int) -> list[uuid.UUID]:
    runner = start(folder, synchronous="NORMAL")
    runner.get(Effects).count_stock([sku(n) for n in range(lines)], 10**9)
    placed = [
        runner.get(Orders).place(
            [(f"L{i + 1}", sku(i), 1 + i % 3, 100 + i) for i in range(lines)], f"pay-{n}"
        )
        for n in range(orders)
    ]
    runner.stop()
    return placed


def copy(template: Path, target: Path) -> Path:
    target.mkdir(exist_ok=True)
    for name in FILES:
        shutil.copyfile(template / name, target / name)
    return target


def warm(runner: SingleThreadedRunner[uuid.UUID], lines: int) -> None:
    effects = runner.get(Effects)
    for n in range(lines):
        effects.repository.get(Stock.create_id(sku(n), 0))


def open_order_ids(folder: Path) -> list[uuid.UUID]:
    return es_sqlite.open_order_ids(folder / FILES[0])
