"""``worker``: delivers deferred effects; ``--once`` drains, otherwise it runs until a signal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from order_cancellation import PaymentStatus, Sales, StockStatus
from tests.cli.conftest import Operator


def test_worker_once_delivers_what_a_deferred_cancel_left(operator: Operator, shop: Sales) -> None:
    operator.json("stock", "set", "MUG", "5")
    order = operator.place("MUG:2:9.50", paid_by="paypal")
    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]
    assert shop.stock_level("MUG") == 3

    report = operator.json("worker", "--once")

    assert report["delivered"] >= 2
    assert report["pending"] == 0
    assert shop.stock_level("MUG") == 5
    assert shop.get_refund_order(refund["id"]).payment_status is (
        PaymentStatus.MANUAL_REFUND_REQUIRED
    )


def test_a_worker_without_klarna_leaves_klarna_refunds_pending_not_manual(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")
    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]

    report = operator.json("worker", "--once")

    stored = shop.get_refund_order(refund["id"])
    assert report["failed"] == 1
    assert stored.payment_status is PaymentStatus.FAILED_RETRYING
    assert stored.last_error is not None
    assert "--klarna" in stored.last_error
    assert stored.stock_status is StockStatus.DONE


def test_a_bad_poll_interval_is_refused(operator: Operator) -> None:
    refused = operator("worker", "--poll", "0")

    assert refused.code == 1
    assert "--poll" in refused.one_error_line


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_running_worker_delivers_and_stops_cleanly_on_a_signal(
    operator: Operator, shop: Sales, db: Path, stop_with: signal.Signals
) -> None:
    operator.json("stock", "set", "MUG", "5")
    refund = operator.json("order", "cancel", operator.place("MUG:2:9.50"), "--defer-effects")[
        "refund_order"
    ]
    worker = subprocess.Popen(
        [sys.executable, "-m", "order_cancellation", "worker", "--db", str(db), "--poll", "0.05"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert worker.stdout is not None
        assert "stop it with Ctrl-C or SIGTERM" in worker.stdout.readline()
        _wait_until(lambda: shop.get_refund_order(refund["id"]).stock_settled)
        worker.send_signal(stop_with)
        out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, err
    assert err == ""
    assert "delivered" in out
    assert shop.stock_level("MUG") == 5


def _wait_until(condition: object, timeout: float = 20.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the worker did not deliver in time"
        time.sleep(0.05)
