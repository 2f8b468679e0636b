"""``failed_effects()`` lists every failed effect, ``retry_effect(id)`` tries one again and
``retry_effects(refund_order_id)`` all of a refund order's; a failure is announced once, even
when announcing it fails too."""

from __future__ import annotations

import pytest

from order_cancellation import (
    EffectNotRetryable,
    EffectState,
    LineItem,
    Money,
    PaymentRef,
    PaymentStatus,
    RetryPolicy,
    Sales,
    StockStatus,
)
from order_cancellation.domain.events import DomainEvent, OrderCanceled
from order_cancellation.domain.refunds import SettlementResult
from order_cancellation.domain.text import REPLACEMENT
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from tests.application.harness import Shop
from tests.application.platform_ledger import PlatformLedger
from tests.application.test_effects_restock import shop_with_ledger

ONE_ATTEMPT = RetryPolicy(max_attempts=1, jitter=False)


def test_an_id_that_is_not_a_failed_effect_cannot_be_retried(shop: Shop) -> None:
    with pytest.raises(EffectNotRetryable, match="failed_effects"):
        shop.sales.retry_effect("msg_0123")


def test_a_retried_restock_shows_pending_on_its_refund_order_until_delivered() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger, effects="deferred", retry_policy=ONE_ATTEMPT)
    refund = shop.sales.cancel_order(shop.place().id)
    ledger.fail_next(1)
    shop.sales.process_pending()
    (dead,) = [e for e in shop.sales.failed_effects() if e.effect == "restock"]

    waiting = shop.sales.retry_effect(dead.id)

    assert waiting is not None
    assert (waiting.state, waiting.next_attempt_at) == (EffectState.RETRYING, shop.clock.now())
    reopened = shop.sales.get_refund_order(refund.id)
    assert reopened.stock_status is StockStatus.PENDING
    assert reopened.stock_error == "ConnectionError: inventory service unreachable"
    shop.sales.process_pending()
    assert shop.sales.get_refund_order(refund.id).stock_status is StockStatus.DONE


def test_a_retry_that_fails_again_returns_the_effect_dead_lettered_again() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger, retry_policy=ONE_ATTEMPT)
    order = shop.place()
    ledger.fail_next(2)
    shop.sales.cancel_order(order.id)
    (dead,) = shop.sales.failed_effects()

    again = shop.sales.retry_effect(dead.id)

    assert again is not None
    assert (again.id, again.state, again.attempts) == (dead.id, EffectState.DEAD_LETTERED, 2)


def test_both_failed_effects_of_a_refund_order_are_retried_in_one_change() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger, effects="deferred", retry_policy=ONE_ATTEMPT)
    refund = shop.sales.cancel_order(shop.place().id)
    ledger.fail_next(1)
    shop.card.fail_next(1)
    shop.sales.process_pending()
    failed = shop.sales.get_refund_order(refund.id)
    assert (failed.stock_status, failed.payment_status) == (
        StockStatus.DEAD_LETTERED,
        PaymentStatus.DEAD_LETTERED,
    )

    retried = shop.sales.retry_effects(refund.id)

    assert (retried.stock_status, retried.payment_status) == (
        StockStatus.PENDING,
        PaymentStatus.PENDING,
    )
    assert retried.version == failed.version + 1


def test_a_refund_order_whose_only_failure_is_a_publication_is_retried_unchanged() -> None:
    shop = Shop.open(retry_policy=ONE_ATTEMPT)

    def broker_down(event: DomainEvent) -> None:
        if isinstance(event, OrderCanceled):
            raise ConnectionError("message broker down")

    shop.publisher.subscribe(broker_down)
    refund = shop.sales.cancel_order(shop.place().id)
    settled = shop.sales.get_refund_order(refund.id)
    assert not settled.has_pending_effect

    retried = shop.sales.retry_effects(refund.id)

    assert retried.version == settled.version
    assert [e.effect for e in shop.sales.failed_effects()] == ["publish"]


def test_a_failure_to_publish_a_failure_is_not_announced_again() -> None:
    shop = Shop.open(retry_policy=ONE_ATTEMPT)

    def broker_down(event: DomainEvent) -> None:
        raise ConnectionError("message broker down")

    shop.publisher.subscribe(broker_down)

    shop.place()

    # OrderPlaced could not be published; nor could the EffectFailed saying so, and that
    # second failure is listed, not announced by yet another event.
    assert [type(e).__name__ for e in shop.publisher.events] == ["OrderPlaced", "EffectFailed"]
    assert [e.effect for e in shop.sales.failed_effects()] == ["publish", "publish"]
    assert shop.sales.pending_effects() == 0


class WordyGateway:
    """Settles everything, with the provider's own words: a NUL among them."""

    def settle(self, request: SettlementRequest) -> SettlementResult:
        zero = request.amount - request.amount
        return SettlementResult(
            status=PaymentStatus.VOIDED,
            refunded=zero,
            released=request.amount,
            manual=zero,
            detail="voided\x00 by provider",
        )

    def capture(self, request: CaptureRequest) -> Money:
        raise AssertionError("not used")


def test_a_providers_detail_is_stored_without_controls() -> None:
    sales = Sales.in_memory("acme", gateways={"card": WordyGateway()})
    sales.set_stock("MUG", 1)
    order = sales.place_order(
        [LineItem("MUG", 1, Money.of("5.00", "EUR"))],
        payment=PaymentRef(provider="card", reference="pay-1"),
    )

    refund = sales.cancel_order(order.id)

    assert refund.payment_detail == f"voided{REPLACEMENT} by provider"
