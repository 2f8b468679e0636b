"""R2: a kill between COMMIT and publication loses no event and repeats none (K6).

A child cancels an order with inline effects and a publisher that writes every delivery to
a file, and is killed right after the cancel commits (crash point ``command.after_commit``),
before anything of the cancel ran in memory. The parent checks that the cancel was not
published yet, restarts the shop and drains the outbox: the OrderCanceled event must then
be published exactly once, because it was read from the outbox and not from memory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from order_cancellation import OrderState, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.application import crashpoints
from tests.backends.reliability import child
from tests.backends.reliability.support import (
    DurableProvider,
    FilePublisher,
    Report,
    StoreSpec,
    figure,
    opened,
)

ROOT = Path(__file__).resolve().parents[3]
# place_order passes the point once before cancel_order does.
CRASHPOINT = f"{crashpoints.AFTER_COMMIT}:2"
BATCH = 10  # children run side by side, each on a shop (and files) of its own
CHILD = (
    "import sys; from tests.backends.reliability.child import crash_cancel_publishing; "
    "crash_cancel_publishing(*sys.argv[1:])"
)


def _start_child(
    spec: StoreSpec, provider: str, publisher: str, shop: str
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ORDER_CANCELLATION_CRASHPOINT": CRASHPOINT}
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, spec.to_json(), provider, publisher, shop],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# A child on PostgreSQL costs about 1.5 s (its first connection alone about 0.7 s on the
# CI machine's two cores), so PostgreSQL runs 3 times in CI and the full 100 at night.
@pytest.mark.parametrize(
    ("backend_name", "runs"),
    [
        pytest.param("sqlite", 10, id="ci-sqlite"),
        pytest.param("postgres", 3, id="ci-postgres"),
        pytest.param("sqlite", 100, id="nightly-sqlite", marks=pytest.mark.nightly),
        pytest.param("postgres", 100, id="nightly-postgres", marks=pytest.mark.nightly),
    ],
)
def test_k6_an_event_committed_but_not_yet_published_is_published_once_after_restart(
    store_spec: StoreSpec, backend_name: str, runs: int, tmp_path: Path, reliability: Report
) -> None:
    problems: list[str] = []
    lost = duplicates = 0
    for first in range(0, runs, BATCH):
        shops = [f"shop-{n}" for n in range(first, min(first + BATCH, runs))]
        specs = {
            # SQLite: a file per run; PostgreSQL: a shop per run in the test's schema.
            shop: StoreSpec("sqlite", str(tmp_path / f"{shop}.db"))
            if store_spec.kind == "sqlite"
            else store_spec
            for shop in shops
        }
        for spec in set(specs.values()):
            with opened(spec):
                pass  # the schema is made once here, not by ten children queueing for it
        providers = {shop: str(tmp_path / f"{shop}-provider.db") for shop in shops}
        publishers = {shop: FilePublisher(tmp_path / f"{shop}-published.txt") for shop in shops}
        children = {
            shop: _start_child(specs[shop], providers[shop], publishers[shop].path, shop)
            for shop in shops
        }
        for shop, process in children.items():
            _, stderr = process.communicate(timeout=120)
            if process.returncode != -signal.SIGKILL:
                problems.append(f"{shop}: not killed (exit {process.returncode}): {stderr}")
                continue
            published = publishers[shop].delivered()
            if published != {("OrderPlaced", child.CRASH_ORDER): 1}:
                problems.append(f"{shop}: before the restart the publisher had {published}")
            state = _restart_and_drain(specs[shop], shop, providers[shop], publishers[shop])
            if state is not OrderState.CANCELED:
                problems.append(f"{shop}: the order is {state} after the restart")
            delivered = publishers[shop].delivered()
            canceled = delivered[("OrderCanceled", child.CRASH_ORDER)]
            lost += canceled == 0
            duplicates += max(canceled - 1, 0) + max(
                delivered[("OrderPlaced", child.CRASH_ORDER)] - 1, 0
            )
    figure(
        reliability,
        "K6",
        backend=backend_name,
        runs=runs,
        events_lost=lost,
        duplicates=duplicates,
    )
    assert problems == []
    assert lost == 0
    assert duplicates == 0


def _restart_and_drain(
    spec: StoreSpec, shop: str, provider: str, publisher: FilePublisher
) -> OrderState:
    with opened(spec) as backend:
        sales = Sales(
            shop=shop,
            backend=backend,
            gateways={"card": DurableProvider(provider)},
            default_gateway=ManualPaymentGateway(),
            # Past every lease the killed child may have held.
            clock=ManualClock(datetime.now(UTC) + timedelta(minutes=10)),
            publisher=publisher,
            effects="deferred",
        )
        sales.process_pending()
        assert sales.pending_effects() == 0
        return sales.get_order(child.CRASH_ORDER).state
