"""S1 on every backend: the model-based lifecycle machine over the public ``Sales`` API.

The machine of ``tests/stateful/test_order_lifecycle.py`` (deferred effects, injected
payment faults, the clock moved past the 28-day authorization expiry) runs here unchanged
against ``Sales.sqlite`` (a fresh file per example) and ``Sales.postgres`` (a fresh schema
per example, dropped in the teardown). Its invariants hold after every step: at most one
cancellation refund order per order, stock conserved, refunds never above what was paid,
no payment of an order paid with several giving back more than it was charged, the report
netting what was paid and not given back, versions only increasing; its teardown drains
every effect and asserts convergence.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from order_cancellation import OrderState, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    RecordingPublisher,
)
from tests.application.harness import CARD, RETRY_POLICY, Shop
from tests.backends.conftest import _drop_schema
from tests.stateful.test_order_lifecycle import ON_HAND, SKUS, DeferredOrderLifecycle


def _shop_on(sales: Sales, clock: ManualClock, card: InMemoryPaymentProvider) -> Shop:
    """The machine's ``Shop`` around a durable ``Sales``. The harness's ``backend`` field
    only serves ``Shop.all_orders``, which the machine never calls."""
    for sku in SKUS:
        sales.set_stock(sku, ON_HAND)
    sales.define_status_label("Canceled - fraud", means=OrderState.CANCELED)
    return Shop(
        name="acme",
        sales=sales,
        clock=clock,
        card=card,
        publisher=RecordingPublisher(),
        backend=MemoryBackend(),
    )


class DurableLifecycle(DeferredOrderLifecycle):
    """The deferred machine, with the shop's ``Sales`` on a durable backend of its own."""

    def __init__(self) -> None:
        super().__init__()  # builds a memory shop and the empty model; the shop is replaced
        clock, card = ManualClock(), InMemoryPaymentProvider()
        self.shop = _shop_on(self.open_sales(clock, card), clock, card)

    def open_sales(self, clock: ManualClock, card: InMemoryPaymentProvider) -> Sales:
        raise NotImplementedError

    def discard(self) -> None:
        """Remove the example's store."""

    def teardown(self) -> None:
        try:
            super().teardown()
        finally:
            self.shop.sales.close()
            self.discard()


class SQLiteLifecycle(DurableLifecycle):
    """On a fresh SQLite file per example, in a temporary directory."""

    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0

    def open_sales(self, clock: ManualClock, card: InMemoryPaymentProvider) -> Sales:
        self.directory = Path(tempfile.mkdtemp(prefix="s1-sqlite-"))
        return Sales.sqlite(
            self.directory / "shop.db",
            "acme",
            gateways={CARD: card},
            clock=clock,
            effects="deferred",
            retry_policy=RETRY_POLICY,
        )

    def discard(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class PostgresLifecycle(DurableLifecycle):
    """In a fresh PostgreSQL schema per example, dropped in the teardown."""

    dsn: ClassVar[str] = ""
    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0

    def open_sales(self, clock: ManualClock, card: InMemoryPaymentProvider) -> Sales:
        self.schema = f"s1_{uuid.uuid4().hex[:12]}"
        return Sales.postgres(
            self.dsn,
            "acme",
            schema=self.schema,
            gateways={CARD: card},
            clock=clock,
            effects="deferred",
            retry_policy=RETRY_POLICY,
        )

    def discard(self) -> None:
        _drop_schema(self.dsn, self.schema)


CI_SIZE = (30, 20)
"""Examples and steps per example in CI: both durable backends together stay under 60 s."""
NIGHTLY_SIZE = (1000, 50)


def _run(
    machine: type[DurableLifecycle],
    backend: str,
    reliability: Callable[[str], None],
    size: tuple[int, int] = CI_SIZE,
) -> None:
    examples, steps = size
    machine.examples = machine.steps = machine.split_orders = 0
    failures = 1
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
        failures = 0
    finally:
        reliability(
            f"RELIABILITY S1 backend={backend} effects=deferred faults=on "
            f"examples={machine.examples} steps={machine.steps} "
            f"orders_with_several_payments={machine.split_orders} failures={failures}"
        )
    assert machine.examples > 0


def test_the_sqlite_shop_matches_the_model(reliability: Callable[[str], None]) -> None:
    _run(SQLiteLifecycle, "sqlite", reliability)


def test_the_postgres_shop_matches_the_model(
    postgres_dsn: str, reliability: Callable[[str], None]
) -> None:
    PostgresLifecycle.dsn = postgres_dsn
    _run(PostgresLifecycle, "postgres", reliability)


@pytest.mark.nightly
def test_the_sqlite_shop_matches_the_model_at_night(reliability: Callable[[str], None]) -> None:
    _run(SQLiteLifecycle, "sqlite", reliability, NIGHTLY_SIZE)


@pytest.mark.nightly
def test_the_postgres_shop_matches_the_model_at_night(
    postgres_dsn: str, reliability: Callable[[str], None]
) -> None:
    PostgresLifecycle.dsn = postgres_dsn
    _run(PostgresLifecycle, "postgres", reliability, NIGHTLY_SIZE)
