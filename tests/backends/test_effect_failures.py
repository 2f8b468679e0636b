"""Nothing fails silently, and one bad message never stops a shop, on every backend.

A failed effect of any kind (restock, settlement, capture, publication) is stored with a
storable reason, listed by ``failed_effects()``, logged with structured fields, announced
with an EffectFailed event and can be retried by its id; an outbox row that does not decode
is quarantined while the shop's other effects run; a store failing after a command committed
leaves its effects pending instead of reporting the command as unwritten.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Self

import attrs
import pytest

from order_cancellation import (
    EffectState,
    LineItem,
    Money,
    PaymentRef,
    PaymentRejected,
    PaymentStatus,
    PaymentTemporarilyUnavailable,
    RelayReport,
    RetryPolicy,
    Sales,
    StockStatus,
    StorageError,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import RecordingPublisher
from order_cancellation.application.relay import INLINE_LEASE
from order_cancellation.application.service import EffectsMode
from order_cancellation.domain.events import DomainEvent, EffectFailed, OrderPlaced
from order_cancellation.domain.refunds import SettlementResult
from order_cancellation.domain.text import REPLACEMENT
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from order_cancellation.ports.persistence import UnitOfWork
from order_cancellation.ports.stock import StockLedger
from tests.application.platform_ledger import PlatformLedger
from tests.backends.conftest import BackendFactory, DamageEvent
from tests.wrapped_store import DelegatingUnitOfWork

SHOP = "acme"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
TWO_ATTEMPTS = RetryPolicy(max_attempts=2, jitter=False)
FUTURE_EVENT = '{"type": "EventFromANewerRelease", "data": {"order_id": "%s"}}'


class FlakyGateway:
    """A payment service that fails with the errors it is given, then succeeds."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []
        self.settled = 0
        self.captured = 0

    def settle(self, request: SettlementRequest) -> SettlementResult:
        self._maybe_fail()
        self.settled += 1
        zero = Money.zero(request.amount.currency)
        return SettlementResult(
            status=PaymentStatus.VOIDED, refunded=zero, released=request.amount, manual=zero
        )

    def capture(self, request: CaptureRequest) -> Money:
        self._maybe_fail()
        self.captured += 1
        return request.amount

    def _maybe_fail(self) -> None:
        if self.errors:
            raise self.errors.pop(0)


class FlakyPublisher(RecordingPublisher):
    """Records every event; refuses the next ``failures`` events of the type it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.refuse: dict[type[DomainEvent], int] = {}

    def publish(self, event: DomainEvent) -> None:
        left = self.refuse.get(type(event), 0)
        if left:
            self.refuse[type(event)] = left - 1
            raise ConnectionError("message broker down")
        super().publish(event)


@attrs.define
class Shop:
    sales: Sales
    clock: ManualClock
    card: FlakyGateway
    publisher: FlakyPublisher

    def place(self, *, paid_by: str = "card", auto_capture: bool = False) -> str:
        payment = PaymentRef(provider=paid_by, reference="pay-1", auto_capture=auto_capture)
        order = self.sales.place_order(
            [LineItem("MUG", 2, Money.of("12.50", "EUR"))], payment=payment
        )
        return order.id

    def later(self) -> RelayReport:
        """Move past every scheduled retry and deliver what is due."""
        self.clock.advance(timedelta(hours=2))
        return self.sales.process_pending()


def open_shop(
    backend: Backend,
    *,
    effects: EffectsMode = "inline",
    retry_policy: RetryPolicy = TWO_ATTEMPTS,
    stock: StockLedger | None = None,
) -> Shop:
    clock, card, publisher = ManualClock(START), FlakyGateway(), FlakyPublisher()
    sales = Sales(
        shop=SHOP,
        backend=backend,
        gateways={"card": card},
        default_gateway=ManualPaymentGateway(),
        clock=clock,
        publisher=publisher,
        stock=stock,
        effects=effects,
        retry_policy=retry_policy,
    )
    sales.set_stock("MUG", 10)
    return Shop(sales=sales, clock=clock, card=card, publisher=publisher)


def failures_of(shop: Shop, effect: str) -> list[EffectFailed]:
    return [
        event
        for event in shop.publisher.of_type(EffectFailed)
        if isinstance(event, EffectFailed) and event.effect == effect
    ]


def logged(caplog: pytest.LogCaptureFixture, effect: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "effect", None) == effect]


# -- stored text ---------------------------------------------------------------------------------


def test_a_nul_and_a_megabyte_error_text_are_stored_sanitized_and_dead_lettered_normally(
    backend_factory: BackendFactory,
) -> None:
    shop = open_shop(backend_factory())
    order_id = shop.place()
    shop.card.errors = [
        PaymentTemporarilyUnavailable("Klarna said \x00 and\nmore"),
        PaymentTemporarilyUnavailable("<html>" + "x" * 1_000_000),
    ]

    refund = shop.sales.cancel_order(order_id)

    assert refund.payment_status is PaymentStatus.FAILED_RETRYING
    assert (
        refund.payment_error == f"PaymentTemporarilyUnavailable: Klarna said {REPLACEMENT} and more"
    )
    assert shop.later() == RelayReport(dead_lettered=1, delivered=1)  # and its announcement
    dead = shop.sales.get_refund_order(refund.id)
    assert dead.payment_status is PaymentStatus.DEAD_LETTERED
    assert dead.payment_error == ("PaymentTemporarilyUnavailable: <html>" + "x" * 500)[:500]
    (listed,) = shop.sales.failed_effects()
    assert (listed.effect, listed.state, listed.last_error) == (
        "settle_payment",
        EffectState.DEAD_LETTERED,
        dead.payment_error,
    )

    assert shop.sales.retry_effect(listed.id) is None

    settled = shop.sales.get_refund_order(refund.id)
    assert (settled.payment_status, settled.payment_error) == (PaymentStatus.VOIDED, None)
    assert shop.sales.failed_effects() == []


# -- quarantine ----------------------------------------------------------------------------------


def test_an_undecodable_outbox_row_is_quarantined_and_the_shops_other_effects_run(
    backend_factory: BackendFactory, damage_event: DamageEvent
) -> None:
    backend = backend_factory()
    shop = open_shop(backend, effects="deferred")
    first, second = shop.place(), shop.place()
    broken = shop.sales.cancel_order(first)
    healthy = shop.sales.cancel_order(second)
    with backend.unit_of_work(SHOP) as uow:
        (restock,) = [m for m in uow.outbox.for_refund_order(broken.id) if m.handler == "restock"]
    damage_event(backend, SHOP, restock.id, FUTURE_EVENT % first)

    report = shop.sales.process_pending()

    assert report.delivered >= 3  # the three other effects, and the events they publish
    assert shop.sales.get_refund_order(healthy.id).stock_status is StockStatus.DONE
    assert shop.sales.get_refund_order(broken.id).payment_status is PaymentStatus.VOIDED
    assert shop.sales.stock_level("MUG") == 8  # the second order's units are back
    (quarantined,) = shop.sales.failed_effects()
    assert (quarantined.id, quarantined.state, quarantined.order_id) == (
        restock.id,
        EffectState.QUARANTINED,
        first,
    )
    assert quarantined.refund_order_id == broken.id
    assert "EventFromANewerRelease" in (quarantined.last_error or "")
    assert quarantined.next_attempt_at is None


# -- every kind of effect ------------------------------------------------------------------------


def test_a_failing_capture_is_listed_logged_announced_and_retryable(
    backend_factory: BackendFactory, caplog: pytest.LogCaptureFixture
) -> None:
    shop = open_shop(backend_factory())
    order_id = shop.place(auto_capture=True)
    shop.card.errors = [PaymentRejected("capture refused: 30 days after purchase")]

    with caplog.at_level(logging.WARNING, logger="order_cancellation"):
        shop.sales.fulfill(order_id)

    (listed,) = shop.sales.failed_effects()
    assert (listed.effect, listed.state, listed.order_id, listed.refund_order_id) == (
        "capture_payment",
        EffectState.DEAD_LETTERED,
        order_id,
        None,
    )
    assert listed.last_error == "PaymentRejected: capture refused: 30 days after purchase"
    (record,) = logged(caplog, "capture_payment")
    assert (record.levelno, record.shop, record.order_id, record.refund_order_id) == (  # type: ignore[attr-defined]
        logging.ERROR,
        SHOP,
        order_id,
        None,
    )
    assert (record.attempt, record.error, record.dead_lettered) == (  # type: ignore[attr-defined]
        1,
        listed.last_error,
        True,
    )
    (announced,) = failures_of(shop, "capture_payment")
    assert (announced.message_id, announced.dead_lettered, announced.refund_order_id) == (
        listed.id,
        True,
        None,
    )

    assert shop.sales.retry_effect(listed.id) is None

    assert shop.card.captured == 1
    assert shop.sales.failed_effects() == []


def test_a_failing_publisher_is_listed_logged_announced_and_retryable(
    backend_factory: BackendFactory, caplog: pytest.LogCaptureFixture
) -> None:
    shop = open_shop(backend_factory())
    shop.publisher.refuse[OrderPlaced] = 1

    with caplog.at_level(logging.WARNING, logger="order_cancellation"):
        order_id = shop.place()

    (listed,) = shop.sales.failed_effects()
    assert (listed.effect, listed.state, listed.order_id, listed.attempts) == (
        "publish",
        EffectState.RETRYING,
        order_id,
        1,
    )
    assert listed.next_attempt_at == START + TWO_ATTEMPTS.base
    (record,) = logged(caplog, "publish")
    assert (record.levelno, record.order_id, record.dead_lettered) == (  # type: ignore[attr-defined]
        logging.WARNING,
        order_id,
        False,
    )
    (announced,) = failures_of(shop, "publish")
    assert (announced.error, announced.attempt) == ("ConnectionError: message broker down", 1)

    assert shop.sales.retry_effect(listed.id) is None

    assert [e.order_id for e in shop.publisher.of_type(OrderPlaced)] == [order_id]
    assert shop.sales.failed_effects() == []


def test_each_effect_keeps_its_own_error(backend_factory: BackendFactory) -> None:
    ledger = PlatformLedger({"MUG": 10})
    shop = open_shop(backend_factory(), stock=ledger, retry_policy=RetryPolicy(jitter=False))
    order_id = shop.place()
    ledger.fail_next(2, restocks_only=True)
    shop.card.errors = [PaymentTemporarilyUnavailable("provider timed out")]

    refund = shop.sales.cancel_order(order_id)
    assert (refund.stock_error, refund.payment_error) == (
        "ConnectionError: inventory service unreachable",
        "PaymentTemporarilyUnavailable: provider timed out",
    )
    shop.later()  # the payment settles; the restock fails again

    after = shop.sales.get_refund_order(refund.id)
    assert (after.payment_status, after.payment_error) == (PaymentStatus.VOIDED, None)
    assert (after.stock_status, after.stock_error) == (
        StockStatus.FAILED_RETRYING,
        "ConnectionError: inventory service unreachable",
    )
    assert after.last_error == after.stock_error


# -- what is owed --------------------------------------------------------------------------------


def test_pending_refund_orders_include_money_still_owed_by_hand(
    backend_factory: BackendFactory,
) -> None:
    shop = open_shop(backend_factory())
    refund = shop.sales.cancel_order(shop.place(paid_by="invoice"))
    assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED

    assert [r.id for r in shop.sales.refund_orders(pending=True)] == [refund.id]

    shop.sales.mark_manual_refund_done(refund.id, note="paid back by bank transfer")
    assert shop.sales.refund_orders(pending=True) == []


# -- a store failing after the command committed ---------------------------------------------------


class LocksAfterTheCommand:
    """A store that locks up right after the next command commits: every later unit of work
    fails to begin, as a locked or unreachable store does, until ``failing`` is reset."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.armed = False
        self.failing = False

    def unit_of_work(self, shop: str) -> UnitOfWork:
        uow = self.inner.unit_of_work(shop)
        if self.failing:
            return _Locked(uow)
        return _LocksAfterCommit(uow, self) if self.armed else uow


class _LocksAfterCommit(DelegatingUnitOfWork):
    def __init__(self, inner: UnitOfWork, store: LocksAfterTheCommand) -> None:
        super().__init__(inner)
        self._store = store

    def commit(self) -> None:
        self.inner.commit()
        self._store.armed, self._store.failing = False, True


class _Locked(DelegatingUnitOfWork):
    def __enter__(self) -> Self:
        raise StorageError("the database is locked (timed out after 5.0 s); nothing was written")


def test_inline_delivery_meeting_a_failing_store_returns_the_committed_result(
    backend_factory: BackendFactory, caplog: pytest.LogCaptureFixture
) -> None:
    backend = LocksAfterTheCommand(backend_factory())
    shop = open_shop(backend)
    order_id = shop.place()
    backend.armed = True

    with caplog.at_level(logging.WARNING, logger="order_cancellation"):
        refund = shop.sales.cancel_order(order_id)

    # As the command committed it: restocked with it (inline, built-in ledger), the
    # settlement still to be recorded.
    assert refund.order_id == order_id
    assert (refund.stock_status, refund.payment_status) == (
        StockStatus.DONE,
        PaymentStatus.PENDING,
    )
    (record,) = [r for r in caplog.records if getattr(r, "refund_order_id", None) == refund.id]
    assert (record.shop, record.order_id) == (SHOP, order_id)  # type: ignore[attr-defined]
    assert "database is locked" in record.error  # type: ignore[attr-defined]
    backend.failing = False
    assert shop.sales.pending_effects() == 3  # settlement, two publications

    # Leased to the inline relay with the command: the next delivery run after that short
    # lease takes them.
    shop.clock.advance(INLINE_LEASE)
    shop.sales.process_pending()

    assert not shop.sales.get_refund_order(refund.id).has_pending_effect
