"""S2 differential: one command stream applied to memory, SQLite and PostgreSQL in lockstep.

Three shops (``Sales.in_memory``, ``Sales.sqlite`` on a fresh file, ``Sales.postgres`` in a
fresh schema) receive the same commands at the same ``ManualClock`` times, with the same
explicit order ids, idempotency keys, payment references and injected provider faults.
Commands may be valid or not: after each step each command's outcome (its result, or the
type of the error it raised) and everything a caller can observe must be the same on all
three: orders (state, status, version, line quantities), refund orders (kind, amount,
payment and stock status, amounts refunded/released/owed, version), stock levels, pending
effects, manual refunds owed and the sales report's totals.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Final

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from order_cancellation import (
    LineItem,
    Money,
    Order,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RefundOrder,
    Sales,
    StockStatus,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from tests.application.harness import CARD, INVOICE, RETRY_POLICY
from tests.backends.conftest import _drop_schema

BACKENDS: Final = ("memory", "sqlite", "postgres")
SKUS: Final = ("MUG", "TEE", "CAP")
ON_HAND: Final = 12
LABELS: Final = ("Canceled", "Canceled", "Canceled - fraud", "On hold", "No such label")
AUTHORIZATION_TTL: Final = timedelta(days=28)
FAILED: Final = (PaymentStatus.FAILED_RETRYING, PaymentStatus.DEAD_LETTERED)
STOCK_FAILED: Final = (StockStatus.FAILED_RETRYING, StockStatus.DEAD_LETTERED)
CI_SIZE: Final = (20, 25)
NIGHTLY_SIZE: Final = (500, 50)

Outcome = tuple[object, ...]


def _order_view(order: Order) -> Outcome:
    return (
        order.id,
        order.state,
        order.status,
        order.version,
        tuple(
            (line.id, line.sku, line.quantity, line.fulfilled, line.returned)
            for line in order.lines
        ),
    )


def _refund_view(refund: RefundOrder) -> Outcome:
    """A refund order as a caller sees it, without its randomly generated id."""
    return (
        refund.order_id,
        refund.kind,
        refund.amount,
        tuple((line.line_id, line.sku, line.quantity) for line in refund.lines),
        refund.restock,
        refund.payment_status,
        refund.stock_status,
        refund.refunded,
        refund.released,
        refund.manual_amount,
        refund.payment_attempts,
        refund.version,
    )


def _outcome(call: Callable[[], object]) -> Outcome:
    """What a caller learns from one call: a summary of its result, or its error's type."""
    try:
        result = call()
    except Exception as error:
        return ("raised", type(error).__name__)
    if isinstance(result, Order):
        return ("order", _order_view(result))
    if isinstance(result, RefundOrder):
        return ("refund order", _refund_view(result))
    return ("returned", type(result).__name__)


class Replica:
    """One backend's shop, with its own clock and card provider moved in lockstep."""

    def __init__(self, backend: str, directory: Path, dsn: str, schema: str) -> None:
        self.backend = backend
        self.clock = ManualClock()
        self.card = InMemoryPaymentProvider()
        options: dict[str, Any] = {
            "gateways": {CARD: self.card},
            "clock": self.clock,
            "effects": "deferred",
            "retry_policy": RETRY_POLICY,
        }
        if backend == "memory":
            self.sales = Sales.in_memory("acme", **options)
        elif backend == "sqlite":
            self.sales = Sales.sqlite(directory / "shop.db", "acme", **options)
        else:
            self.sales = Sales.postgres(dsn, "acme", schema=schema, **options)
        for sku in SKUS:
            self.sales.set_stock(sku, ON_HAND)
        self.sales.define_status_label("Canceled - fraud", means=OrderState.CANCELED)
        self.sales.define_status_label("On hold", means=OrderState.OPEN)
        self.start = self.clock.now()

    def by_position(self, refunds: list[RefundOrder], position: int) -> RefundOrder | None:
        """The refund order at ``position`` in an order that is the same on every backend."""
        ordered = sorted(refunds, key=_refund_view)
        return ordered[position % len(ordered)] if ordered else None

    def observe(self, order_ids: list[str]) -> Outcome:
        sales = self.sales
        orders = tuple(_outcome(partial(sales.get_order, order_id)) for order_id in order_ids)
        refunds = tuple(sorted(_refund_view(refund) for refund in sales.refund_orders()))
        report = sales.report(start=self.start, end=self.clock.now() + timedelta(seconds=1))
        return (
            orders,
            refunds,
            tuple(sorted(sales.stock_levels().items())),
            sales.pending_effects(),
            len(sales.manual_refunds_owed()),
            report.totals,
        )


class Lockstep(RuleBasedStateMachine):
    dsn: ClassVar[str] = ""
    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0
    divergences: ClassVar[int] = 0

    orders = Bundle("orders")
    keys = Bundle("keys")
    maybe_key = st.one_of(st.none(), st.none(), keys)
    # A version one time in four, right or wrong.
    versions = st.one_of(st.none(), st.none(), st.none(), st.integers(1, 4))

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="s2-sqlite-"))
        self.schema = f"s2_{uuid.uuid4().hex[:12]}"
        self.replicas = [Replica(b, self.directory, self.dsn, self.schema) for b in BACKENDS]
        self.order_ids: list[str] = []
        self.step_count = 0

    def _all(self, command: Callable[[Replica], object]) -> None:
        """Run ``command`` on every replica; the outcomes must agree."""
        self.step_count += 1
        outcomes = [_outcome(partial(command, replica)) for replica in self.replicas]
        self._agree("outcome", outcomes)

    def _agree(self, what: str, views: list[Outcome]) -> None:
        if any(view != views[0] for view in views[1:]):
            type(self).divergences += 1
            detail = "\n".join(f"  {b}: {v!r}" for b, v in zip(BACKENDS, views, strict=True))
            raise AssertionError(f"the backends disagree on the {what}:\n{detail}")

    # -- commands --------------------------------------------------------------------------------

    @initialize(
        target=keys, names=st.lists(st.sampled_from("abcdef"), min_size=2, max_size=3, unique=True)
    )
    def seed_keys(self, names: list[str]) -> Any:
        return multiple(*(f"key-{name}" for name in names))

    @rule(
        target=orders,
        lines=st.lists(
            st.tuples(st.sampled_from(SKUS), st.integers(1, 5), st.integers(0, 5000)),
            min_size=1,
            max_size=3,
        ),
        paid_by=st.sampled_from([CARD, CARD, INVOICE, "nothing"]),
        auto_capture=st.booleans(),
        reuse_id=st.booleans(),
        key=maybe_key,
    )
    def place(
        self,
        lines: list[tuple[str, int, int]],
        paid_by: str,
        auto_capture: bool,
        reuse_id: bool,
        key: str | None,
    ) -> str:
        reusing = reuse_id and bool(self.order_ids) and len(self.order_ids) % 3 == 0
        order_id = self.order_ids[-1] if reusing else f"o{len(self.order_ids) + 1}"
        items = [LineItem(sku, quantity, Money(minor, "EUR")) for sku, quantity, minor in lines]
        total = sum(quantity * minor for _, quantity, minor in lines)
        reference = f"pay-{order_id}-{self.step_count}"

        def place(replica: Replica) -> object:
            payment: PaymentRef | None = None
            if paid_by == CARD and total > 0:
                replica.card.authorize(reference, Money(total, "EUR"), at=replica.clock.now())
                payment = PaymentRef(provider=CARD, reference=reference, auto_capture=auto_capture)
            elif paid_by == INVOICE:
                payment = PaymentRef(provider=INVOICE, reference="acme-invoice")
            return replica.sales.place_order(
                items, payment=payment, order_id=order_id, idempotency_key=key
            )

        self._all(place)
        if order_id not in self.order_ids:
            self.order_ids.append(order_id)
        return order_id

    @rule(
        order_id=orders,
        quantities=st.none()
        | st.dictionaries(st.sampled_from(["L1", "L2", *SKUS]), st.integers(1, 3), max_size=2),
        key=maybe_key,
        version=versions,
    )
    def fulfill(
        self, order_id: str, quantities: dict[str, int] | None, key: str | None, version: int | None
    ) -> None:
        self._all(
            lambda r: r.sales.fulfill(
                order_id, quantities, idempotency_key=key, expected_version=version
            )
        )

    @rule(
        order_id=orders,
        label=st.sampled_from(LABELS),
        restock=st.booleans(),
        key=maybe_key,
        version=versions,
    )
    def cancel(
        self, order_id: str, label: str, restock: bool, key: str | None, version: int | None
    ) -> None:
        self._all(
            lambda r: r.sales.cancel_order(
                order_id,
                status=label,
                restock=restock,
                idempotency_key=key,
                expected_version=version,
            )
        )

    @rule(
        order_id=orders,
        quantities=st.dictionaries(
            st.sampled_from(["L1", "L2", *SKUS]), st.integers(1, 3), min_size=1, max_size=2
        ),
        restock=st.booleans(),
        key=maybe_key,
        version=versions,
    )
    def create_return(
        self,
        order_id: str,
        quantities: dict[str, int],
        restock: bool,
        key: str | None,
        version: int | None,
    ) -> None:
        self._all(
            lambda r: r.sales.create_return(
                order_id, quantities, restock=restock, idempotency_key=key, expected_version=version
            )
        )

    @precondition(lambda self: bool(self.replicas[0].sales.manual_refunds_owed()))
    @rule(position=st.integers(0, 9))
    def mark_manual_refund_done(self, position: int) -> None:
        def mark(replica: Replica) -> object:
            owed = replica.by_position(replica.sales.manual_refunds_owed(), position)
            return None if owed is None else replica.sales.mark_manual_refund_done(owed.id)

        self._all(mark)

    @precondition(lambda self: bool(self.replicas[0].sales.refund_orders(pending=True)))
    @rule(position=st.integers(0, 9))
    def retry_effects(self, position: int) -> None:
        def retry(replica: Replica) -> object:
            failed = [
                refund
                for refund in replica.sales.refund_orders(pending=True)
                if refund.payment_status in FAILED or refund.stock_status in STOCK_FAILED
            ]
            chosen = replica.by_position(failed, position)
            return None if chosen is None else replica.sales.retry_effects(chosen.id)

        self._all(retry)

    @precondition(lambda self: bool(self.order_ids))
    @rule()
    def process_pending(self) -> None:
        self._all(lambda r: r.sales.process_pending())

    @rule(kind=st.sampled_from(["fail", "lose"]), count=st.integers(1, 3))
    def inject_fault(self, kind: str, count: int) -> None:
        self.step_count += 1
        for replica in self.replicas:
            if kind == "fail":
                replica.card.fail_next(count)
            else:
                replica.card.lose_next_response(count)

    @rule(hours=st.integers(0, 9))
    def advance_clock(self, hours: int) -> None:
        """Usually a few hours; one time in ten, past the life of an authorization."""
        self.step_count += 1
        step = AUTHORIZATION_TTL + timedelta(seconds=1) if hours == 0 else timedelta(hours=hours)
        for replica in self.replicas:
            replica.clock.advance(step)

    # -- the comparison --------------------------------------------------------------------------

    @invariant()
    def every_backend_shows_the_same_shop(self) -> None:
        self._agree("shop", [replica.observe(self.order_ids) for replica in self.replicas])

    def teardown(self) -> None:
        try:
            type(self).examples += 1
            type(self).steps += self.step_count
        finally:
            for replica in self.replicas:
                replica.sales.close()
            shutil.rmtree(self.directory, ignore_errors=True)
            _drop_schema(self.dsn, self.schema)


def _run(postgres_dsn: str, reliability: Callable[[str], None], size: tuple[int, int]) -> None:
    examples, steps = size
    Lockstep.dsn = postgres_dsn
    Lockstep.examples = Lockstep.steps = Lockstep.divergences = 0
    try:
        run_state_machine_as_test(
            Lockstep,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        reliability(
            f"RELIABILITY S2 examples={Lockstep.examples} steps={Lockstep.steps} "
            f"divergences={Lockstep.divergences}"
        )
    assert Lockstep.examples > 0


def test_memory_sqlite_and_postgres_answer_alike(
    postgres_dsn: str, reliability: Callable[[str], None]
) -> None:
    _run(postgres_dsn, reliability, CI_SIZE)


@pytest.mark.nightly
def test_memory_sqlite_and_postgres_answer_alike_at_night(
    postgres_dsn: str, reliability: Callable[[str], None]
) -> None:
    _run(postgres_dsn, reliability, NIGHTLY_SIZE)
