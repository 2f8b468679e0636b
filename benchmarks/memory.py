"""In memory: cancels per second through the public API against plain dicts."""

from __future__ import annotations

from datetime import UTC, datetime

from benchmarks.harness import Row, rate
from order_cancellation import LineItem, Money, PaymentRef, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider

LINES = 10


def _items() -> list[LineItem]:
    return [LineItem(f"SKU-{n}", 1 + n % 3, Money(100 + n, "EUR")) for n in range(LINES)]


def library_cancels(orders: int) -> tuple[Sales, list[str]]:
    clock = ManualClock(datetime(2026, 11, 2, tzinfo=UTC))
    card = InMemoryPaymentProvider()
    sales = Sales.in_memory("bench", gateways={"card": card}, clock=clock)
    for n in range(LINES):
        sales.set_stock(f"SKU-{n}", 10**9)
    ids = []
    for n in range(orders):
        reference = f"pay-{n}"
        items = _items()
        card.authorize(reference, sum((i.unit_price * i.quantity for i in items), Money(0, "EUR")), at=clock.now())
        ids.append(
            sales.place_order(items, payment=PaymentRef(provider="card", reference=reference)).id
        )
    return sales, ids


def dict_baseline(orders: int) -> tuple[dict[str, dict[str, object]], list[str]]:
    """The same state changes, written by hand: order state, refund record, restock,
    payment void, one event per effect."""
    stock = {f"SKU-{n}": 10**9 for n in range(LINES)}
    db: dict[str, dict[str, object]] = {"orders": {}, "refunds": {}, "stock": stock,
                                        "payments": {}, "events": {}, "ledger": {}}
    ids = []
    for n in range(orders):
        order_id = f"o-{n}"
        lines = [(f"SKU-{i}", 1 + i % 3, 100 + i) for i in range(LINES)]
        for sku, quantity, _ in lines:
            stock[sku] -= quantity
        db["orders"][order_id] = {"state": "open", "version": 1, "lines": lines,  # type: ignore[index]
                                  "payment": f"pay-{n}"}
        db["payments"][f"pay-{n}"] = {"authorized": sum(q * p for _, q, p in lines),  # type: ignore[index]
                                      "captured": 0, "canceled": False}
        ids.append(order_id)
    return db, ids


def baseline_cancel(db: dict[str, dict[str, object]], order_id: str) -> None:
    orders, refunds, stock = db["orders"], db["refunds"], db["stock"]
    ledger, events, payments = db["ledger"], db["events"], db["payments"]
    order = orders[order_id]
    if order["state"] != "open":  # type: ignore[index]
        raise ValueError("not open")
    order["state"], order["version"] = "canceled", order["version"] + 1  # type: ignore[index,operator]
    amount = sum(q * p for _, q, p in order["lines"])  # type: ignore[index]
    refunds[f"r-{order_id}"] = {"order": order_id, "amount": amount, "stock": "pending",
                                "payment": "pending"}
    events[f"e-{order_id}"] = ("OrderCanceled", order_id, amount)
    for line_no, (sku, quantity, _) in enumerate(order["lines"]):  # type: ignore[index]
        key = (order_id, line_no, "cancel")
        if key not in ledger:
            ledger[key] = quantity  # type: ignore[index]
            stock[sku] += quantity  # type: ignore[index, operator]
    refunds[f"r-{order_id}"]["stock"] = "done"  # type: ignore[index]
    payment = payments[order["payment"]]  # type: ignore[index]
    payment["canceled"] = True  # type: ignore[index]
    refunds[f"r-{order_id}"]["payment"] = "voided"  # type: ignore[index]
    events[f"s-{order_id}"] = ("StockRestored", order_id)
    events[f"p-{order_id}"] = ("PaymentVoided", order_id)


def rows(quick: bool) -> list[Row]:
    orders = 300 if quick else 3000
    repeats = 3 if quick else 7

    def run_library() -> float:
        sales, ids = library_cancels(orders)
        return rate(orders, lambda: [sales.cancel_order(i) for i in ids], repeats=1)

    def run_baseline() -> float:
        db, ids = dict_baseline(orders)
        return rate(orders, lambda: [baseline_cancel(db, i) for i in ids], repeats=1)

    import statistics  # noqa: PLC0415

    library, baseline = [], []
    for _ in range(repeats):  # interleaved so both see the same machine load
        library.append(run_library())
        baseline.append(run_baseline())
    return [
        Row(
            name=f"memory: cancels/s, {LINES}-line orders, all effects inline",
            figure=statistics.median(library),
            baseline=statistics.median(baseline),
            unit="cancels/s vs plain dicts",
            target=">= 0.33x",
        )
    ]
