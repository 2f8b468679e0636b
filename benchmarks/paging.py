"""Paging the Returns list on SQLite: ``refund_orders(pending=True, limit=50)`` and
``manual_refunds_owed()`` at 10^3, 10^4 and 10^5 refund orders.

Every store holds the same 100 refund orders with an effect still owed (20 of them owing
money by hand) spread over its history; the rest are settled. Both calls read an index
range (migration 3), so their cost should stay flat as the shop grows: the ratio is each
size's figure over the smallest store's. Refund orders are written by a SQL bulk path, as
:mod:`benchmarks.sqlite_bulk` writes orders: each row's JSON is the library's own encoding
of a refund order, with its id, time and statuses substituted.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path

from benchmarks.harness import Row, Sizes, Target, interleaved
from benchmarks.orders import START
from benchmarks.sqlite_files import SHOP, scratch
from order_cancellation import Money, Sales
from order_cancellation.adapters import codec
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder, SettlementResult
from order_cancellation.domain.values import LineItem

PENDING = 100
OWED = 20
_BATCH = 20_000
_ID = "r-99999999"


def _template(status: PaymentStatus) -> str:
    order = Order.place(
        order_id="o-1", shop=SHOP, items=[LineItem("MUG", 1, Money.of("9.90", "EUR"))],
        payment=None, at=START,
    ).order  # fmt: skip
    decision = order.cancel(
        refund_order_id=_ID, status="Canceled", reason=None, reason_code=None, actor=None,
        restock=False, at=START,
    )  # fmt: skip
    refund: RefundOrder | None = decision.refund_order
    assert refund is not None
    if status is not PaymentStatus.PENDING:
        zero = Money.zero("EUR")
        owed = refund.amount if status is PaymentStatus.MANUAL_REFUND_REQUIRED else zero
        refund = refund.settled(
            SettlementResult(status=status, refunded=zero, released=zero, manual=owed)
        )
    return codec.dumps(refund)


def seed(path: Path, count: int) -> None:
    """``count`` refund orders: PENDING still owing an effect (OWED of them by hand)."""
    SQLiteBackend(path, synchronous="NORMAL").close()  # the adapter's schema, migrated
    templates = {status: _template(status) for status in PaymentStatus}
    every = count // PENDING
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous = OFF")  # seeding only: a crash means re-seed
        for start in range(0, count, _BATCH):
            connection.execute("BEGIN IMMEDIATE")
            rows = []
            for n in range(start, min(start + _BATCH, count)):
                status = PaymentStatus.NOT_REQUIRED
                if n % every == 0 and n // every < PENDING:
                    owed = n // every < OWED
                    status = PaymentStatus.MANUAL_REFUND_REQUIRED if owed else PaymentStatus.PENDING
                at = START + timedelta(seconds=n)
                data = (
                    templates[status]
                    .replace(_ID, f"r-{n:08d}")
                    .replace(START.isoformat(), at.isoformat())
                )
                rows.append(
                    (
                        SHOP,
                        f"r-{n:08d}",
                        "o-1",
                        at.isoformat(timespec="microseconds"),
                        2 if status is not PaymentStatus.PENDING else 1,
                        status.value,
                        data,
                    )
                )
            connection.executemany(
                "INSERT INTO refund_orders (shop, id, order_id, created_at, version,"
                " payment_status, stock_status, data)"
                " VALUES (?, ?, ?, ?, ?, ?, 'not_requested', ?)",
                rows,
            )
            connection.execute("COMMIT")
    finally:
        connection.close()


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1e3


def _timed_call(call: Callable[[Sales], object], sales: Sales) -> float:
    return _timed(lambda: call(sales))


def rows(sizes: Sizes) -> list[Row]:
    counts = [1_000, 10_000, 100_000] if not sizes.smoke else [200, 400]
    repeats = sizes.pick(15, 31, smoke=1)
    results: list[Row] = []
    with scratch() as folder:
        shops = {}
        for count in counts:
            seed(folder / f"refunds-{count}.db", count)
            shops[count] = Sales.sqlite(folder / f"refunds-{count}.db", SHOP, synchronous="NORMAL")
        try:
            calls: list[tuple[str, Callable[[Sales], object]]] = [
                ("refund_orders(pending=True, limit=50)",
                 lambda sales: sales.refund_orders(pending=True, limit=50)),
                ("manual_refunds_owed()", lambda sales: sales.manual_refunds_owed()),
            ]  # fmt: skip
            for name, call in calls:
                medians = interleaved(
                    {
                        str(count): partial(_timed_call, call, sales)
                        for count, sales in shops.items()
                    },
                    repeats=repeats,
                )
                smallest = medians[str(counts[0])]
                results += [
                    Row(
                        name=f"paging: {name} at {count:>7,} refund orders",
                        figure=medians[str(count)],
                        baseline=smallest,
                        unit="ms",
                        target=Target(direction="at most", ratio=2.0),
                        note=f"baseline: the same call at {counts[0]:,}",
                    )
                    for count in counts
                ]
        finally:
            for sales in shops.values():
                sales.close()
    return results
