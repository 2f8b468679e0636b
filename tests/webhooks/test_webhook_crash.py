"""Webhooks across a worker killed with SIGKILL: no event lost, each carries the same id on
every delivery (so a receiver can drop repeats), and per order the events arrive, first
time, in the order they happened.

A child process delivers a shop's events to a receiver on 127.0.0.1 and is killed partway;
a fresh worker then drains what is left. The events expected are those the store's outbox
holds for publication.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from order_cancellation import LineItem, Money, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.adapters.webhooks import WebhookPublisher
from tests.webhooks.receiver import receiving

ROOT = Path(__file__).resolve().parents[2]
ORDERS = 20
CHILD = """
import sys, time
from order_cancellation import Sales
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.adapters.webhooks import WebhookPublisher
backend = SQLiteBackend(sys.argv[1])
sales = Sales.sqlite(backend=backend, shop="acme", effects="deferred",
                     publisher=WebhookPublisher(backend, timeout=2, deadline=4))
while True:  # until killed
    sales.process_pending()
    time.sleep(0.01)
"""


def _shop(
    publisher: WebhookPublisher, backend: SQLiteBackend, clock: ManualClock | None = None
) -> Sales:
    return Sales.sqlite(
        backend=backend, shop="acme", effects="deferred", publisher=publisher, clock=clock
    )


def _published(path: Path) -> list[tuple[str, str]]:
    """(order id, event id) of every event the outbox holds for publication, oldest first."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT event FROM outbox WHERE handler = 'publish' ORDER BY seq"
        ).fetchall()
    found = []
    for (text,) in rows:
        data = json.loads(text)["data"]
        found.append((data["order_id"], data["event_id"]))
    return found


def test_a_worker_killed_mid_delivery_loses_no_event_and_keeps_each_orders_order(
    tmp_path: Path,
) -> None:
    path = tmp_path / "shop.db"
    with receiving() as receiver:
        backend = SQLiteBackend(path)
        # With a publisher, commands record their events for publication; deferred effects
        # leave the delivering to the worker.
        sales = _shop(WebhookPublisher(backend), backend)
        sales.add_webhook(receiver.url)
        sales.set_stock("MUG", ORDERS)
        for n in range(ORDERS):
            order = sales.place_order(
                [LineItem("MUG", 1, Money.of("9.90", "EUR"))], order_id=f"o-{n}"
            )
            if n % 2:
                sales.cancel_order(order.id)
        backend.close()

        worker = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(path)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(receiver.requests) < ORDERS // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        delivered_before = len(receiver.requests)

        backend = SQLiteBackend(path)
        publisher = WebhookPublisher(backend, timeout=2, deadline=4)
        # Past every lease the killed worker may have held.
        restarted = _shop(
            publisher, backend, ManualClock(datetime.now(UTC) + timedelta(minutes=10))
        )
        while restarted.pending_effects():
            restarted.process_pending()
        publisher.close()
        backend.close()

        expected = _published(path)
        first_seen: dict[str, int] = {}
        for position, request in enumerate(receiver.requests):
            first_seen.setdefault(request.headers["webhook-id"], position)

    assert worker.returncode == -signal.SIGKILL
    assert 0 < delivered_before < len(expected), "the worker was not killed partway"
    lost = [event_id for _, event_id in expected if event_id not in first_seen]
    assert lost == []
    per_order: dict[str, list[int]] = defaultdict(list)
    for order_id, event_id in expected:
        per_order[order_id].append(first_seen[event_id])
    assert all(arrivals == sorted(arrivals) for arrivals in per_order.values())
