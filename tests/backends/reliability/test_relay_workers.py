"""Relay workers: a worker thread delivers every effect and stops when told; two workers on
one store deliver each effect once, as counted by the payment provider."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from order_cancellation import RelayReport, Sales, StockStatus
from tests.backends.conftest import BackendFactory
from tests.backends.reliability.support import (
    DurableProvider,
    Report,
    figure,
    sales_on,
    seed_orders,
)

SHOP = "acme"
STOCK = 5


def _cancel_all(sales: Sales, order_ids: list[str]) -> list[str]:
    return [sales.cancel_order(order_id).id for order_id in order_ids]


def _until_drained(sales: Sales, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while sales.pending_effects() and time.monotonic() < deadline:
        time.sleep(0.02)


def _start_worker(
    sales: Sales, stop: threading.Event
) -> tuple[threading.Thread, list[RelayReport]]:
    reports: list[RelayReport] = []
    thread = threading.Thread(
        target=lambda: reports.append(sales.run_worker(stop, poll_interval=0.02)), daemon=True
    )
    thread.start()
    return thread, reports


def test_a_worker_thread_delivers_every_effect_and_stops_when_told(
    backend_factory: BackendFactory, backend_name: str, tmp_path: Path, reliability: Report
) -> None:
    provider = DurableProvider(tmp_path / "provider.db")
    backend = backend_factory()
    order_ids = seed_orders(backend, SHOP, 20, stock=STOCK, units=2)
    shop = sales_on(backend, SHOP, gateways={"card": provider}, effects="deferred")
    worker = sales_on(backend_factory(), SHOP, gateways={"card": provider}, effects="deferred")
    stop = threading.Event()
    thread, reports = _start_worker(worker, stop)

    refund_ids = _cancel_all(shop, order_ids)
    _until_drained(shop)
    stop.set()
    thread.join(timeout=10)

    refunds = [shop.get_refund_order(refund_id) for refund_id in refund_ids]
    figure(
        reliability,
        "RELAY",
        backend=backend_name,
        workers=1,
        effects=reports[0].delivered,
        stopped=1,
    )
    assert not thread.is_alive()
    assert reports == [RelayReport(delivered=2 * len(order_ids))]
    assert all(r.stock_status is StockStatus.DONE and r.payment_settled for r in refunds)
    assert provider.operations() == Counter(dict.fromkeys(refund_ids, 1))


def test_two_workers_on_one_store_deliver_each_effect_once(
    backend_factory: BackendFactory, backend_name: str, tmp_path: Path, reliability: Report
) -> None:
    provider = DurableProvider(tmp_path / "provider.db")
    backend = backend_factory()
    order_ids = seed_orders(backend, SHOP, 60, stock=STOCK, units=2)
    shop = sales_on(backend, SHOP, gateways={"card": provider}, effects="deferred")
    stop = threading.Event()
    workers = [
        _start_worker(
            sales_on(backend_factory(), SHOP, gateways={"card": provider}, effects="deferred"),
            stop,
        )
        for _ in range(2)
    ]

    refund_ids = _cancel_all(shop, order_ids)
    _until_drained(shop)
    stop.set()
    for thread, _ in workers:
        thread.join(timeout=10)

    split = [sum(report.delivered for report in reports) for _, reports in workers]
    delivered = sum(split)
    calls = provider.calls()
    duplicate_calls = sum(n - 1 for n in calls.values())
    figure(
        reliability,
        "RELAY",
        backend=backend_name,
        workers=2,
        effects=2 * len(order_ids),
        delivered=delivered,
        split="/".join(map(str, split)),
        duplicate_calls=duplicate_calls,
    )
    assert [thread.is_alive() for thread, _ in workers] == [False, False]
    assert delivered == 2 * len(order_ids)
    assert calls == Counter(dict.fromkeys(refund_ids, 1))
    assert provider.operations() == calls
    assert shop.stock_levels() == {f"SKU-{n}": STOCK for n in range(len(order_ids))}
