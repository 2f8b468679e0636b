"""Row 1, in memory: cancels per second through the public API, every effect inline,
against a hand-written baseline making the same state changes with plain dicts."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from benchmarks.harness import Row, Sizes, Target, interleaved, per_second
from benchmarks.orders import CURRENCY, START, STOCK, place, sku, stock_up
from order_cancellation import Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider, RecordingPublisher

LINES = 10
NAME = "memory"

Record = dict[str, Any]


def library_shop(orders: int, lines: int = LINES) -> tuple[Sales, list[str]]:
    """A shop with ``orders`` open orders, a card gateway and a publisher (so every event
    is delivered: restock, settlement and publication all run)."""
    clock = ManualClock(START)
    card = InMemoryPaymentProvider()
    sales = Sales.in_memory(
        "bench", gateways={"card": card}, publisher=RecordingPublisher(), clock=clock
    )
    stock_up(sales, lines)
    return sales, place(sales, card, clock, orders, lines)


class DictShop:
    """The baseline: the records a cancel changes, as plain dicts, changed by hand.

    It makes the same state changes as the library: the order's state, status, version and
    cancellation; a refund order whose stock and payment statuses move to done and voided,
    each with a version bump; one stock-ledger entry per line under the library's key
    (order, line, kind, reference) and the levels; the provider's authorization voided and
    the operation logged under an idempotency key; and one outbox record per effect
    (restock, settle, and publish for each of the three events), each written pending and
    marked done, with the events handed to a subscriber list. It leaves out what is
    machinery rather than state: locks, undo logs, leases, immutability, validation.
    """

    def __init__(self, orders: int, lines: int, now: datetime) -> None:
        self.now = now
        self.ids = itertools.count()
        self.levels = {sku(n): STOCK for n in range(lines)}
        self.movements: dict[tuple[str, str, str, str], Record] = {}
        self.orders: dict[str, Record] = {}
        self.refunds: dict[str, Record] = {}
        self.outbox: dict[str, Record] = {}
        self.payments: dict[str, Record] = {}
        self.provider_operations: list[tuple[str, str, int, str]] = []
        self.published: list[tuple[object, ...]] = []
        for n in range(orders):
            order_lines = [(f"L{i + 1}", sku(i), 1 + i % 3, 100 + i) for i in range(lines)]
            for line_id, line_sku, quantity, _ in order_lines:
                self.levels[line_sku] -= quantity
                self.movements[f"o-{n}", line_id, "sale", ""] = {
                    "sku": line_sku,
                    "delta": -quantity,
                }
            total = sum(quantity * price for _, _, quantity, price in order_lines)
            self.payments[f"pay-{n}"] = {"authorized": total, "captured": 0, "canceled": False}
            self.orders[f"o-{n}"] = {
                "state": "open",
                "status": "Open",
                "version": 1,
                "currency": CURRENCY,
                "lines": order_lines,
                "payment": f"pay-{n}",
                "cancellation": None,
            }

    def _message(self, handler: str, event: tuple[object, ...], refund_id: str) -> Record:
        message = {
            "handler": handler,
            "event": event,
            "refund_order_id": refund_id,
            "status": "pending",
            "created_at": self.now,
        }
        self.outbox[f"msg_{next(self.ids)}"] = message
        return message

    def cancel(self, order_id: str) -> Record:
        order = self.orders[order_id]
        if order["state"] != "open":
            raise ValueError(f"order {order_id} is {order['state']}")
        refund_id = f"ref_{next(self.ids)}"
        lines = order["lines"]
        amount = sum(quantity * price for _, _, quantity, price in lines)
        order["state"], order["status"] = "canceled", "Canceled"
        order["version"] += 1
        order["cancellation"] = {"refund_order_id": refund_id, "at": self.now, "reason": None}
        refund = {
            "order_id": order_id,
            "lines": lines,
            "amount": amount,
            "stock_status": "pending",
            "payment_status": "pending",
            "released": 0,
            "version": 1,
            "created_at": self.now,
        }
        self.refunds[refund_id] = refund
        canceled = ("OrderCanceled", order_id, refund_id, amount, lines)
        restock = self._message("restock", canceled, refund_id)
        settle = self._message("settle_payment", canceled, refund_id)
        publications = [self._message("publish", canceled, refund_id)]

        for line_id, line_sku, quantity, _ in lines:
            key = (order_id, line_id, "cancel_restock", "")
            if key not in self.movements:
                self.movements[key] = {"sku": line_sku, "delta": quantity}
                self.levels[line_sku] += quantity
        refund["stock_status"] = "done"
        refund["version"] += 1
        restored = ("StockRestored", order_id, refund_id, lines)
        publications.append(self._message("publish", restored, refund_id))
        restock["status"] = "done"

        reference = order["payment"]
        self.payments[reference]["canceled"] = True
        self.provider_operations.append(
            ("cancel_authorization", reference, amount, f"{refund_id}:settle")
        )
        refund["payment_status"], refund["released"] = "voided", amount
        refund["version"] += 1
        voided = ("PaymentVoided", order_id, refund_id, amount)
        publications.append(self._message("publish", voided, refund_id))
        settle["status"] = "done"

        for message in publications:
            self.published.append(message["event"])
            message["status"] = "done"
        return refund


def rows(sizes: Sizes) -> list[Row]:
    orders = sizes.pick(400, 3000)

    def library() -> float:
        sales, ids = library_shop(orders)
        return per_second(orders, lambda: [sales.cancel_order(i) for i in ids])

    def baseline() -> float:
        shop = DictShop(orders, LINES, START)
        ids = list(shop.orders)
        return per_second(orders, lambda: [shop.cancel(i) for i in ids])

    runs: dict[str, Callable[[], float]] = {"library": library, "baseline": baseline}
    medians = interleaved(runs, repeats=sizes.pick(3, 7))
    return [
        Row(
            name=f"memory: cancels/s, {LINES}-line orders, every effect inline",
            figure=medians["library"],
            baseline=medians["baseline"],
            unit="cancels/s vs plain dicts",
            target=Target(direction="at least", ratio=1 / 3),
            note=f"{orders} orders, median of {sizes.pick(3, 7)}",
        )
    ]
