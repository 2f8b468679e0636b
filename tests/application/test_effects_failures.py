"""A failed effect is never dropped: it is counted on its outbox message, scheduled again
(or dead-lettered after the last attempt), shown on its refund order and announced with an
EffectFailed event."""

from __future__ import annotations

import re
from datetime import timedelta
from unittest.mock import ANY

from order_cancellation import (
    ConfigurationError,
    PaymentStatus,
    RelayReport,
    RetryPolicy,
    StockStatus,
)
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.application.effects import Effects
from order_cancellation.domain.events import DomainEvent, EffectFailed, OrderCanceled
from order_cancellation.ports.persistence import MessageStatus, OutboxMessage
from tests.application.harness import DEFAULT_STOCK, RETRY_POLICY, Shop
from tests.application.platform_ledger import PlatformLedger
from tests.application.test_effects_restock import shop_with_ledger

UNREACHABLE = "ConnectionError: inventory service unreachable"
TIMED_OUT = "PaymentTemporarilyUnavailable: the payment provider timed out; try again."


def messages(shop: Shop) -> list[OutboxMessage]:
    """The shop's outbox messages still waiting to be delivered (due now or later)."""
    with shop.backend.unit_of_work(shop.name) as uow:
        return list(uow.outbox.pending())


def test_a_failed_restock_is_shown_on_the_refund_order_and_retried() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger)
    order = shop.place()
    ledger.fail_next(1)

    refund = shop.sales.cancel_order(order.id)

    assert refund.stock_status is StockStatus.FAILED_RETRYING
    assert refund.payment_status is PaymentStatus.VOIDED
    assert shop.publisher.of_type(EffectFailed) == [
        EffectFailed(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            refund_order_id=refund.id,
            effect="restock",
            attempt=1,
            error=UNREACHABLE,
            dead_lettered=False,
            message_id=ANY,
        )
    ]

    shop.settle_effects()

    restocked = shop.sales.get_refund_order(refund.id)
    assert (restocked.stock_status, restocked.last_error) == (StockStatus.DONE, None)
    assert shop.sales.stock_levels() == DEFAULT_STOCK


def test_a_restock_failing_on_its_last_attempt_is_dead_lettered_until_retried() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger, retry_policy=RetryPolicy(max_attempts=2, jitter=False))
    order = shop.place()
    ledger.fail_next(2)

    refund = shop.sales.cancel_order(order.id)
    shop.settle_effects()

    dead = shop.sales.get_refund_order(refund.id)
    assert dead.stock_status is StockStatus.DEAD_LETTERED
    assert dead.last_error == UNREACHABLE
    failures = shop.publisher.of_type(EffectFailed)
    assert [(f.attempt, f.dead_lettered) for f in failures if isinstance(f, EffectFailed)] == [
        (1, False),
        (2, True),
    ]
    assert shop.sales.stock_level("MUG") == DEFAULT_STOCK["MUG"] - 2

    revived = shop.sales.retry_effects(refund.id)

    assert revived.stock_status is StockStatus.DONE
    assert shop.sales.stock_levels() == DEFAULT_STOCK


def test_a_failed_payment_is_announced_with_its_attempt_and_error(shop: Shop) -> None:
    order = shop.place()
    shop.card.fail_next(1)

    refund = shop.sales.cancel_order(order.id)

    assert shop.publisher.of_type(EffectFailed) == [
        EffectFailed(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            refund_order_id=refund.id,
            effect="settle_payment",
            attempt=1,
            error=TIMED_OUT,
            dead_lettered=False,
            message_id=ANY,
        )
    ]


def test_a_long_error_is_kept_to_its_first_500_characters() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger)
    order = shop.place()
    ledger.fail_next(1, error="x" * 600)

    shop.sales.cancel_order(order.id)

    expected = ("ConnectionError: " + "x" * 600)[:500]
    (failed,) = shop.publisher.of_type(EffectFailed)
    assert isinstance(failed, EffectFailed)
    assert failed.error == expected
    (waiting,) = messages(shop)
    assert waiting.last_error == expected


def test_a_failed_capture_keeps_its_error_on_its_message_and_waits_for_the_retry(
    shop: Shop,
) -> None:
    order = shop.place(auto_capture=True)
    shop.card.fail_next(1)

    shop.sales.fulfill(order.id, {"MUG": 1})

    (capture,) = messages(shop)
    assert capture.handler == "capture_payment"
    assert re.fullmatch(r"msg_[0-9a-f]{32}", capture.id)
    assert capture.created_at == shop.clock.now()
    assert (capture.status, capture.attempts) == (MessageStatus.PENDING, 1)
    assert capture.last_error == TIMED_OUT
    assert capture.available_at == shop.clock.now() + RETRY_POLICY.base
    assert shop.publisher.of_type(EffectFailed) == [
        EffectFailed(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            refund_order_id=None,
            effect="capture_payment",
            attempt=1,
            error=TIMED_OUT,
            dead_lettered=False,
            message_id=capture.id,
        )
    ]


def test_a_failing_publisher_does_not_touch_the_refund_orders_payment(shop: Shop) -> None:
    def broker_down(event: DomainEvent) -> None:
        if isinstance(event, OrderCanceled):
            raise ConnectionError("message broker down")

    shop.publisher.subscribe(broker_down)
    order = shop.place()
    shop.card.fail_next(1)

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.FAILED_RETRYING
    assert (refund.payment_attempts, refund.last_error) == (1, TIMED_OUT)
    assert "ConnectionError: message broker down" in [m.last_error for m in messages(shop)]


def test_a_message_for_an_unknown_handler_is_kept_with_an_error_naming_it() -> None:
    shop = Shop.open(effects="deferred", retry_policy=RetryPolicy(max_attempts=2, jitter=False))
    now = shop.clock.now()
    future = OutboxMessage(
        id="msg-from-a-newer-version",
        handler="send_fax",
        event=DomainEvent(shop="acme", order_id="ord-1", occurred_at=now),
        created_at=now,
        available_at=now,
    )
    with shop.backend.unit_of_work(shop.name) as uow:
        uow.outbox.add([future])
        uow.commit()

    # The failure's own announcement is published.
    assert shop.sales.process_pending() == RelayReport(delivered=1, failed=1)
    (kept,) = messages(shop)
    assert kept.attempts == 1
    assert kept.last_error is not None
    assert kept.last_error.startswith(ConfigurationError.__name__)
    assert "'send_fax'" in kept.last_error
    assert "newer version" in kept.last_error

    shop.clock.advance(timedelta(hours=2))
    assert shop.sales.process_pending() == RelayReport(delivered=1, dead_lettered=1)
    with shop.backend.unit_of_work(shop.name) as uow:
        assert uow.outbox.get(future.id).status is MessageStatus.DEAD


def test_a_failure_of_a_message_never_claimed_starts_its_attempt_clock_now(shop: Shop) -> None:
    effects = Effects(
        shop="acme",
        backend=shop.backend,
        gateways={},
        default_gateway=ManualPaymentGateway(),
        publisher=None,
        clock=shop.clock,
        external_stock=None,
    )
    now = shop.clock.now()
    message = OutboxMessage(
        id="msg-1",
        handler="publish",
        event=DomainEvent(shop="acme", order_id="ord-1", occurred_at=now),
        created_at=now,
        available_at=now,
    )
    with shop.backend.unit_of_work(shop.name) as uow:
        uow.outbox.add([message])
        uow.commit()
    shop.clock.advance(timedelta(minutes=5))
    retry_at = shop.clock.now() + timedelta(seconds=2)

    failed = effects.record_failure(message, RuntimeError("boom"), retry_at=retry_at)

    assert failed.first_attempt_at == shop.clock.now()
    assert (failed.attempts, failed.last_error) == (1, "RuntimeError: boom")
    assert (failed.status, failed.available_at) == (MessageStatus.PENDING, retry_at)
