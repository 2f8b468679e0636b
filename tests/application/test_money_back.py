"""Money back (rules 6 and 7): release, refund, lapse, or a manual refund; retries that
never pay twice; automatic capture."""

from __future__ import annotations

from datetime import timedelta

import attrs
import pytest

from order_cancellation import (
    EffectNotRetryable,
    LineItem,
    ManualRefundNotOwed,
    Money,
    Order,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RelayReport,
    RetryPolicy,
)
from order_cancellation.adapters.memory import InMemoryPaymentProvider, Operation
from order_cancellation.application.effects import settlement_key
from order_cancellation.domain.events import (
    AuthorizationLapsed,
    EffectFailed,
    ManualRefundCompleted,
    ManualRefundRequired,
    OrderFulfilled,
    PaymentCaptured,
    PaymentRefunded,
    PaymentVoided,
)
from order_cancellation.domain.refunds import RefundKind, SettlementResult
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from order_cancellation.ports.persistence import OutboxMessage
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
    assert refund.payment_detail == "nothing was paid"
    assert (refund.refunded, refund.released, refund.manual_amount) == (eur("0"),) * 3
    assert shop.sales.manual_refunds_owed() == []


def test_returning_a_free_item_has_nothing_to_give_back(shop: Shop) -> None:
    order = shop.place([LineItem("MUG", 1, eur("12.50")), LineItem("CAP", 1, eur("0.00"))])
    shop.sales.fulfill(order.id)

    refund = shop.sales.create_return(order.id, {"CAP": 1})

    assert refund.payment_status is PaymentStatus.NOT_REQUIRED
    assert refund.payment_detail == "nothing to give back"
    assert (refund.refunded, refund.released, refund.manual_amount) == (eur("0"),) * 3
    assert shop.card.operations == []


def test_each_settlement_is_announced_with_what_went_back(shop: Shop) -> None:
    order = shop.place()

    refund = shop.sales.cancel_order(order.id)

    assert shop.publisher.of_type(PaymentVoided) == [
        PaymentVoided(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            refund_order_id=refund.id,
            status=PaymentStatus.VOIDED,
            refunded=eur("0"),
            released=order.total,
        )
    ]


def test_a_manual_refund_owed_is_announced_with_the_service_and_what_to_do(shop: Shop) -> None:
    order = shop.place(paid_by="invoice")

    refund = shop.sales.cancel_order(order.id)

    assert refund.payment_detail is not None
    assert "refund 45.00 EUR" in refund.payment_detail
    assert shop.publisher.of_type(ManualRefundRequired) == [
        ManualRefundRequired(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            refund_order_id=refund.id,
            amount=order.total,
            provider="invoice",
            detail=refund.payment_detail,
        )
    ]


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


class WatchedCard(InMemoryPaymentProvider):
    """The card provider, keeping every capture and settlement request it receives."""

    def __init__(self) -> None:
        super().__init__()
        self.captures: list[CaptureRequest] = []
        self.settlements: list[SettlementRequest] = []

    def settle(self, request: SettlementRequest) -> SettlementResult:
        self.settlements.append(request)
        return super().settle(request)

    def capture(self, request: CaptureRequest) -> Money:
        self.captures.append(request)
        return super().capture(request)


def test_auto_capture_asks_for_the_shipped_lines_with_one_key_however_often_retried() -> None:
    card = WatchedCard()
    shop = Shop.open(card=card)
    order = shop.place(auto_capture=True)
    card.fail_next(1)

    shop.sales.fulfill(order.id, {"MUG": 1})
    shop.settle_effects()

    (fulfilled,) = shop.publisher.of_type(OrderFulfilled)
    assert isinstance(fulfilled, OrderFulfilled)
    first, retry = card.captures
    assert first == attrs.evolve(retry, now=first.now)
    assert (first.shop, first.order_id, first.payment) == ("acme", order.id, order.payment)
    assert (first.amount, first.lines) == (eur("12.50"), fulfilled.lines)
    assert retry.now > first.now
    assert shop.card.count(Operation.CAPTURE) == 1


def test_a_capture_is_announced_with_the_amount_and_the_payment(shop: Shop) -> None:
    order = shop.place(auto_capture=True)
    assert order.payment is not None

    shop.sales.fulfill(order.id, {"TEE": 1})

    assert shop.publisher.of_type(PaymentCaptured) == [
        PaymentCaptured(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            amount=eur("20.00"),
            provider="card",
            reference=order.payment.reference,
        )
    ]


def test_auto_capture_by_a_service_without_a_gateway_takes_and_announces_nothing(
    shop: Shop,
) -> None:
    order = shop.sales.place_order(
        [LineItem("MUG", 1, eur("12.50"))],
        payment=PaymentRef(provider="invoice", reference="inv-1", auto_capture=True),
    )

    shop.sales.fulfill(order.id)

    assert shop.publisher.of_type(PaymentCaptured) == []
    assert shop.sales.pending_effects() == 0


def _leftover_capture(shop: Shop, order: Order) -> None:
    """A capture message for ``order`` found in the outbox, whatever wrote it."""
    now = shop.clock.now()
    fulfilled = OrderFulfilled(
        shop=shop.name,
        order_id=order.id,
        occurred_at=now,
        lines=(),
        amount=eur("12.50"),
        completely=False,
        capture=True,
    )
    with shop.backend.unit_of_work(shop.name) as uow:
        uow.outbox.add(
            [
                OutboxMessage(
                    id="msg-leftover-capture",
                    handler="capture_payment",
                    event=fulfilled,
                    created_at=now,
                    available_at=now,
                )
            ]
        )
        uow.commit()


def test_a_capture_found_for_a_canceled_order_takes_no_money(shop: Shop) -> None:
    order = shop.place(auto_capture=True)
    shop.sales.cancel_order(order.id)
    _leftover_capture(shop, order)

    assert shop.sales.process_pending() == RelayReport(delivered=1)

    assert shop.card.count(Operation.CAPTURE) == 0
    assert shop.sales.pending_effects() == 0


def test_a_capture_found_for_an_order_paid_by_nothing_takes_no_money(shop: Shop) -> None:
    order = shop.place(paid_by="nothing")
    _leftover_capture(shop, order)

    assert shop.sales.process_pending() == RelayReport(delivered=1)

    assert shop.card.operations == []
    assert shop.sales.pending_effects() == 0


def test_a_settlement_request_names_the_refund_order_and_keeps_its_key_across_retries() -> None:
    card = WatchedCard()
    shop = Shop.open(card=card)
    order = shop.place()
    card.fail_next(1)
    started = shop.clock.now()

    refund = shop.sales.cancel_order(order.id)
    shop.settle_effects()

    first, retry = card.settlements
    assert (first.shop, first.order_id, first.refund_order_id) == ("acme", order.id, refund.id)
    assert (first.kind, first.amount, first.lines) == (
        RefundKind.CANCELLATION,
        order.total,
        refund.lines,
    )
    assert first.payment == order.payment
    assert first.idempotency_key == retry.idempotency_key == settlement_key("acme", refund.id)
    assert (first.attempt, retry.attempt) == (1, 2)
    assert first.first_attempt_at == retry.first_attempt_at == first.now == started
    assert retry.now > started
