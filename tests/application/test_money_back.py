"""Money back (rules 6 and 7): release, refund, lapse, or a manual refund; retries that
never pay twice; automatic capture."""

from __future__ import annotations

from datetime import timedelta

import pytest

from order_cancellation import (
    EffectNotRetryable,
    LineItem,
    ManualRefundNotOwed,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RetryPolicy,
)
from order_cancellation.adapters.memory import Operation
from order_cancellation.domain.events import (
    AuthorizationLapsed,
    EffectFailed,
    ManualRefundCompleted,
    ManualRefundRequired,
    PaymentCaptured,
    PaymentRefunded,
    PaymentVoided,
)
from tests.application.harness import Shop, eur

AUTHORIZATION_TTL = timedelta(days=28)


def test_nothing_captured_voids_the_authorization(shop: Shop) -> None:
    order = shop.place()

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.VOIDED
    assert (refund.refunded, refund.released) == (eur("0"), order.total)
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert shop.card.count(Operation.REFUND) == 0
    assert len(shop.publisher.of_type(PaymentVoided)) == 1


def test_partly_captured_refunds_the_capture_and_releases_the_rest(shop: Shop) -> None:
    order = shop.place()
    shop.capture_at_provider(order, eur("10.00"))

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (refund.refunded, refund.released) == (eur("10.00"), order.total - eur("10.00"))
    assert shop.card.count(Operation.REFUND) == 1
    assert shop.card.count(Operation.RELEASE_REMAINING) == 1


def test_fully_captured_refunds_everything(shop: Shop) -> None:
    order = shop.place()
    shop.capture_at_provider(order, order.total)

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.REFUNDED
    assert (refund.refunded, refund.released) == (order.total, eur("0"))
    assert len(shop.publisher.of_type(PaymentRefunded)) == 1


def test_an_expired_authorization_lapses_and_the_cancellation_still_succeeds(shop: Shop) -> None:
    order = shop.place()
    shop.clock.advance(AUTHORIZATION_TTL + timedelta(seconds=1))

    refund = shop.sales.cancel_order(order.id)

    assert shop.sales.get_order(order.id).state is OrderState.CANCELED
    assert refund.payment_status is PaymentStatus.AUTHORIZATION_LAPSED
    assert shop.card.operations == []
    assert len(shop.publisher.of_type(AuthorizationLapsed)) == 1


def test_an_authorization_one_second_before_expiry_is_still_voided(shop: Shop) -> None:
    order = shop.place()
    shop.clock.advance(AUTHORIZATION_TTL - timedelta(seconds=1))

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.VOIDED


def test_a_klarna_authorization_without_a_gateway_is_owed_by_hand(shop: Shop) -> None:
    # Klarna orders carry a 28-day expiry; with no Klarna gateway registered the refund is manual.
    order = shop.sales.place_order(
        [LineItem("MUG", 1, eur("12.50"))], payment=PaymentRef(provider="klarna", reference="k-1")
    )
    assert order.payment is not None
    assert order.payment.authorization_expires_at == order.placed_at + AUTHORIZATION_TTL

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED


def test_another_payment_service_leaves_a_manual_refund_to_do(shop: Shop) -> None:
    order = shop.place(paid_by="invoice")

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert refund.manual_amount == order.total
    assert [owed.id for owed in shop.sales.manual_refunds_owed()] == [refund.id]
    (required,) = shop.publisher.of_type(ManualRefundRequired)
    assert isinstance(required, ManualRefundRequired)
    assert required.amount == order.total


def test_a_manual_refund_marked_done_is_no_longer_owed(shop: Shop) -> None:
    refund = shop.sales.cancel_order(shop.place(paid_by="invoice").id)

    done = shop.sales.mark_manual_refund_done(refund.id, note="Bank transfer 2026-01-06")

    assert done.payment_status is PaymentStatus.MANUALLY_REFUNDED
    assert done.refunded == refund.amount
    assert done.manual_refund_note == "Bank transfer 2026-01-06"
    assert shop.sales.manual_refunds_owed() == []
    assert len(shop.publisher.of_type(ManualRefundCompleted)) == 1


def test_a_manual_refund_cannot_be_marked_done_twice(shop: Shop) -> None:
    refund = shop.sales.cancel_order(shop.place(paid_by="invoice").id)
    shop.sales.mark_manual_refund_done(refund.id)

    with pytest.raises(ManualRefundNotOwed):
        shop.sales.mark_manual_refund_done(refund.id)


def test_an_order_paid_by_nothing_needs_no_refund(shop: Shop) -> None:
    refund = shop.sales.cancel_order(shop.place(paid_by="nothing").id)

    assert refund.payment_status is PaymentStatus.NOT_REQUIRED
    assert shop.sales.manual_refunds_owed() == []


# -- automatic capture ---------------------------------------------------------------------------


def test_auto_capture_captures_what_was_fulfilled(shop: Shop) -> None:
    order = shop.place(auto_capture=True)

    shop.sales.fulfill(order.id, {"MUG": 1})

    assert shop.card.count(Operation.CAPTURE) == 1
    assert order.payment is not None
    view = shop.card.view(order.payment.reference, now=shop.clock.now())
    assert view.captured == eur("12.50")
    assert len(shop.publisher.of_type(PaymentCaptured)) == 1


def test_without_auto_capture_fulfilling_takes_no_money(shop: Shop) -> None:
    order = shop.place(auto_capture=False)

    shop.sales.fulfill(order.id)

    assert shop.card.count(Operation.CAPTURE) == 0


def test_auto_capture_never_takes_money_for_a_canceled_order(shop: Shop) -> None:
    order = shop.place(auto_capture=True)

    refund = shop.sales.cancel_order(order.id)

    assert shop.card.count(Operation.CAPTURE) == 0
    assert refund.payment_status is PaymentStatus.VOIDED


# -- retries -----------------------------------------------------------------------------------


def test_a_transient_payment_failure_is_retried_and_then_settles(shop: Shop) -> None:
    order = shop.place()
    shop.card.fail_next(1)

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.FAILED_RETRYING
    assert shop.sales.pending_effects() == 1
    assert shop.sales.refund_orders(pending=True) == [refund]
    assert shop.sales.get_order(order.id).state is OrderState.CANCELED
    assert len(shop.publisher.of_type(EffectFailed)) == 1

    shop.settle_effects()

    settled = shop.sales.get_refund_order(refund.id)
    assert settled.payment_status is PaymentStatus.VOIDED
    assert settled.released == order.total
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1


def test_a_lost_response_is_retried_without_refunding_twice(shop: Shop) -> None:
    order = shop.place()
    shop.capture_at_provider(order, eur("10.00"))
    # The refund goes through but its answer is lost; then the release's answer is lost too.
    shop.card.lose_next_response(2)

    refund = shop.sales.cancel_order(order.id)
    assert refund.payment_status is PaymentStatus.FAILED_RETRYING
    shop.settle_effects()

    settled = shop.sales.get_refund_order(refund.id)
    assert settled.payment_status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (settled.refunded, settled.released) == (eur("10.00"), order.total - eur("10.00"))
    assert shop.card.count(Operation.REFUND) == 1
    assert shop.card.count(Operation.RELEASE_REMAINING) == 1


def test_a_lost_void_response_records_the_released_amount(shop: Shop) -> None:
    order = shop.place()
    shop.card.lose_next_response(1)

    refund = shop.sales.cancel_order(order.id)
    shop.settle_effects()

    settled = shop.sales.get_refund_order(refund.id)
    assert settled.payment_status is PaymentStatus.VOIDED
    assert settled.released == order.total
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1


def test_an_effect_is_dead_lettered_after_the_last_attempt_and_can_be_revived() -> None:
    shop = Shop.open(retry_policy=RetryPolicy(max_attempts=3, jitter=False))
    order = shop.place()
    shop.card.fail_next(3)

    refund = shop.sales.cancel_order(order.id)
    shop.settle_effects()

    dead = shop.sales.get_refund_order(refund.id)
    assert dead.payment_status is PaymentStatus.DEAD_LETTERED
    assert dead.payment_attempts == 3
    assert shop.sales.pending_effects() == 0
    assert shop.sales.refund_orders(pending=True) == [dead]
    assert shop.card.operations == []

    revived = shop.sales.retry_effects(refund.id)

    assert revived.payment_status is PaymentStatus.VOIDED
    assert shop.sales.refund_orders(pending=True) == []
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1


def test_a_payment_the_provider_does_not_know_is_dead_lettered_at_once(shop: Shop) -> None:
    unknown = PaymentRef(provider="card", reference="never-authorized")
    order = shop.sales.place_order([LineItem("MUG", 1, eur("12.50"))], payment=unknown)

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.DEAD_LETTERED
    assert refund.payment_attempts == 1
    assert refund.last_error is not None
    assert "PaymentRejected" in refund.last_error


def test_effects_that_did_not_fail_cannot_be_retried(shop: Shop) -> None:
    refund = shop.sales.cancel_order(shop.place().id)

    with pytest.raises(EffectNotRetryable, match="no failed effect"):
        shop.sales.retry_effects(refund.id)


def test_a_return_retried_after_a_late_capture_refunds_the_rest(shop: Shop) -> None:
    order = shop.place(auto_capture=True)
    shop.sales.fulfill(order.id, {"TEE": 1})  # captured at once: 20.00
    shop.card.fail_next(1)
    shop.sales.fulfill(order.id, {"MUG": 2})  # this capture fails and waits for a retry
    # The return refunds the 20.00 captured so far, but the answer is lost; by the retry
    # the mugs' capture has gone through, so the retry must refund the remaining 25.00.
    shop.card.lose_next_response(1)
    refund = shop.sales.create_return(order.id, {"MUG": 2, "TEE": 1})

    shop.settle_effects()

    settled = shop.sales.get_refund_order(refund.id)
    assert order.payment is not None
    view = shop.card.view(order.payment.reference, now=shop.clock.now())
    assert settled.payment_status is PaymentStatus.REFUNDED
    assert settled.refunded == view.refunded == view.captured == order.total
