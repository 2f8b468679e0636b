"""R2: a process killed anywhere loses no effect and repeats none (K1 crash points, K2 kills).

The child processes run with inline effects and a durable payment provider, and are killed
with SIGKILL (no cleanup, no atexit, as on a power cut of the process). The parent then
opens the store again, lets the relay finish with a clock past every lease, and checks the
outcome against the provider's own books.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from order_cancellation import OrderState, StockStatus
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.application import crashpoints
from order_cancellation.domain.errors import OrderAlreadyCanceled
from tests.backends.reliability import child
from tests.backends.reliability.support import (
    DurableProvider,
    Report,
    StoreSpec,
    figure,
    opened,
    sales_on,
    seed_orders,
)

ROOT = Path(__file__).resolve().parents[3]
# place_order passes the command points once before cancel_order does.
NTH_TIME = {crashpoints.BEFORE_COMMIT: 2, crashpoints.AFTER_COMMIT: 2}


def _child(command: Sequence[str], crashpoint: str | None = None) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("ORDER_CANCELLATION_CRASHPOINT", None)
    if crashpoint is not None:
        env["ORDER_CANCELLATION_CRASHPOINT"] = crashpoint
    return subprocess.Popen(
        [sys.executable, "-m", "tests.backends.reliability.child", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- K1 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend_name", ["sqlite", "postgres"])
@pytest.mark.parametrize("point", crashpoints.ALL)
@pytest.mark.parametrize(
    "runs", [pytest.param(10, id="ci"), pytest.param(100, id="nightly", marks=pytest.mark.nightly)]
)
def test_k1_a_kill_at_any_crash_point_loses_and_repeats_nothing(  # noqa: PLR0917 - fixtures
    store_spec: StoreSpec,
    backend_name: str,
    point: str,
    runs: int,
    tmp_path: Path,
    reliability: Report,
) -> None:
    violations: list[str] = []
    duplicates = 0
    batch = 10  # children run side by side, each on a shop (and a provider) of its own
    for first in range(0, runs, batch):
        shops = [f"shop-{n}" for n in range(first, min(first + batch, runs))]
        specs = {shop: _run_spec(store_spec, tmp_path, shop) for shop in shops}
        providers = {shop: str(tmp_path / f"{shop}-provider.db") for shop in shops}
        crashpoint = f"{point}:{NTH_TIME.get(point, 1)}"
        children = {
            shop: _child(["crash-cancel", specs[shop].to_json(), providers[shop], shop], crashpoint)
            for shop in shops
        }
        for shop, process in children.items():
            _, stderr = process.communicate(timeout=120)
            if process.returncode != -signal.SIGKILL:
                violations.append(f"{shop}: not killed (exit {process.returncode}): {stderr}")
                continue
            problems, duplicated = _check_recovery(
                specs[shop], shop, DurableProvider(providers[shop]), point
            )
            violations.extend(f"{shop}: {problem}" for problem in problems)
            duplicates += duplicated
    figure(
        reliability,
        "K1",
        backend=backend_name,
        point=point,
        runs=runs,
        violations=len(violations),
        duplicates=duplicates,
    )
    assert violations == []
    assert duplicates == 0


def _run_spec(spec: StoreSpec, tmp_path: Path, shop: str) -> StoreSpec:
    # SQLite: a file per run, so no run sees another's crash; PostgreSQL: a shop per run.
    if spec.kind == "sqlite":
        return StoreSpec("sqlite", str(tmp_path / f"{shop}.db"))
    return spec


def _check_recovery(
    spec: StoreSpec, shop: str, provider: DurableProvider, point: str
) -> tuple[list[str], int]:
    problems: list[str] = []
    with opened(spec) as backend:
        sales = sales_on(
            backend,
            shop,
            gateways={"card": provider},
            clock=ManualClock(datetime.now(UTC) + timedelta(minutes=10)),
        )
        sales.process_pending()
        order = sales.get_order(child.CRASH_ORDER)
        refunds = sales.refund_orders(order_id=order.id)
        level = sales.stock_level(child.CRASH_SKU)
        pending = sales.pending_effects()
    operations = provider.operations()
    duplicated = int(level > child.CRASH_STOCK) + sum(n - 1 for n in operations.values() if n > 1)
    if point == crashpoints.BEFORE_COMMIT:
        expected_level = child.CRASH_STOCK - 3
        if order.state is not OrderState.OPEN or refunds or operations or pending:
            problems.append(f"the uncommitted cancel left traces: {order.state} {refunds}")
    else:
        expected_level = child.CRASH_STOCK
        if order.state is not OrderState.CANCELED or len(refunds) != 1:
            problems.append(f"order {order.state}, {len(refunds)} refund orders")
        elif operations != Counter({refunds[0].id: 1}):
            problems.append(f"settlements at the provider: {dict(operations)}")
        elif refunds[0].stock_status is not StockStatus.DONE or not refunds[0].payment_settled:
            problems.append(f"refund order not settled: {refunds[0]}")
    if level != expected_level:
        problems.append(f"stock {level}, expected {expected_level}")
    if pending:
        problems.append(f"{pending} effects still pending")
    return problems, duplicated


# -- K2 ------------------------------------------------------------------------------------------


@pytest.mark.nightly
@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_k2_random_kills_during_a_cancel_loop_lose_and_repeat_nothing(
    store_spec: StoreSpec, backend_name: str, tmp_path: Path, reliability: Report
) -> None:
    orders, kills, shop = 2000, 50, "acme"
    provider = DurableProvider(tmp_path / "provider.db")
    with opened(store_spec) as backend:
        seed_orders(backend, shop, orders, stock=5, units=2, order_id=child.soak_order_id)
    rng = random.Random(20260302)
    integrity_ok = wal_kept = 0
    began = time.perf_counter()
    for kill in range(kills):
        process = _child(
            ["soak", store_spec.to_json(), provider.path, shop, str(orders), str(kill)]
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.4))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        integrity, mode = _integrity(store_spec.location)
        integrity_ok += integrity == "ok"
        wal_kept += mode == "wal"

    with opened(store_spec) as backend:
        sales = sales_on(
            backend,
            shop,
            gateways={"card": provider},
            clock=ManualClock(datetime.now(UTC) + timedelta(minutes=10)),
        )
        canceled_under_fire = len(sales.refund_orders())
        for n in range(orders):
            with contextlib.suppress(OrderAlreadyCanceled):
                sales.cancel_order(child.soak_order_id(n))
        sales.process_pending()
        refunds = Counter(refund.order_id for refund in sales.refund_orders())
        levels = sales.stock_levels()
        pending = sales.pending_effects()
    operations = provider.operations()
    lost = sum(1 for n in range(orders) if levels[f"SKU-{n}"] < 5) + pending
    duplicated = sum(1 for level in levels.values() if level > 5) + sum(
        n - 1 for n in list(refunds.values()) + list(operations.values()) if n > 1
    )
    figure(
        reliability,
        "K2",
        backend=backend_name,
        orders=orders,
        kills=kills,
        canceled_under_fire=canceled_under_fire,
        lost=lost,
        dup=duplicated,
        integrity_check_ok=f"{integrity_ok}/{kills}",
        wal_kept=f"{wal_kept}/{kills}",
        wall_s=f"{time.perf_counter() - began:.1f}",
    )
    assert (lost, duplicated) == (0, 0)
    assert integrity_ok == wal_kept == kills
    assert len(refunds) == len(operations) == orders


def _integrity(path: str) -> tuple[str, str]:
    connection = sqlite3.connect(path)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        connection.close()
    return str(integrity), str(mode)
