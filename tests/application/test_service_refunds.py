"""The back office's lists and repairs: manual refunds owed (oldest first), effects retried
on request, and status labels defined once per meaning."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from order_cancellation import (
    EffectNotRetryable,
    InvalidInput,
    OrderState,
    PaymentStatus,
    RefundExceedsCharge,
)
from order_cancellation.adapters.memory import Operation
from tests.application.harness import Shop, eur


def test_manual_refunds_owed_are_listed_oldest_first(shop: Shop) -> None:
    orders = [shop.place(paid_by="invoice") for _ in range(3)]
    owed = []
    for order in orders:
        owed.append(shop.sales.cancel_order(order.id))
        shop.clock.advance(timedelta(hours=1))

    assert [refund.id for refund in shop.sales.manual_refunds_owed()] == [r.id for r in owed]
    assert [refund.id for refund in shop.sales.refund_orders()] == [r.id for r in owed[::-1]]


def test_effects_not_yet_tried_cannot_be_retried(deferred_shop: Shop) -> None:
    shop = deferred_shop
    refund = shop.sales.cancel_order(shop.place().id)
    waiting = shop.sales.pending_effects()

    with pytest.raises(EffectNotRetryable, match="has no failed effect to retry"):
        shop.sales.retry_effects(refund.id)

    assert shop.sales.pending_effects() == waiting
    assert shop.card.operations == []


def test_an_effect_that_failed_once_is_retried_now_on_request(shop: Shop) -> None:
    order = shop.place()
    shop.card.fail_next(1)
    refund = shop.sales.cancel_order(order.id)
    assert refund.payment_status is PaymentStatus.FAILED_RETRYING
    assert refund.payment_attempts == 1

    retried = shop.sales.retry_effects(refund.id)

    assert retried.payment_status is PaymentStatus.VOIDED
    assert retried.released == order.total
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1


def test_settled_refund_orders_are_listed_apart_from_pending_ones(shop: Shop) -> None:
    settled = shop.sales.cancel_order(shop.place().id)
    shop.card.fail_next(1)
    pending = shop.sales.cancel_order(shop.place().id)

    assert shop.sales.refund_orders(pending=False) == [settled]
    assert shop.sales.refund_orders(pending=True) == [pending]


def test_defining_a_label_again_with_the_same_meaning_is_accepted(shop: Shop) -> None:
    shop.sales.define_status_label("On hold", means=OrderState.OPEN)

    shop.sales.define_status_label("On hold", means=OrderState.OPEN)

    assert shop.sales.status_labels()["On hold"] is OrderState.OPEN


def test_a_label_keeps_its_first_meaning(shop: Shop) -> None:
    shop.sales.define_status_label("On hold", means=OrderState.OPEN)

    with pytest.raises(InvalidInput, match="'On hold' already means OPEN"):
        shop.sales.define_status_label("On hold", means=OrderState.CANCELED)

    assert shop.sales.status_labels()["On hold"] is OrderState.OPEN


def test_ids_the_library_makes_say_what_they_name(shop: Shop) -> None:
    hex_digits = r"[0-9a-f]{32}"
    order = shop.sales.fulfill(shop.place(auto_capture=True).id, {"MUG": 1})

    returned = shop.sales.create_return(order.id, {"MUG": 1})
    canceled = shop.sales.cancel_order(shop.place().id)

    assert re.fullmatch(f"ord_{hex_digits}", order.id)
    assert re.fullmatch(f"ref_{hex_digits}", returned.id)
    assert re.fullmatch(f"ref_{hex_digits}", canceled.id)


# -- a manual refund paid in part ----------------------------------------------------------------


def _owed_invoice_refund(shop: Shop) -> str:
    order = shop.place(paid_by="invoice")
    return shop.sales.cancel_order(order.id).id


def test_a_manual_refund_paid_in_part_stays_owed_for_the_rest() -> None:
    shop = Shop.open()
    refund_id = _owed_invoice_refund(shop)

    part = shop.sales.mark_manual_refund_done(refund_id, amount=eur("20.00"), note="first half")

    assert part.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert (part.refunded, part.manual_amount) == (eur("20.00"), eur("25.00"))
    assert [r.id for r in shop.sales.manual_refunds_owed()] == [refund_id]


def test_paying_the_rest_of_a_manual_refund_settles_it() -> None:
    shop = Shop.open()
    refund_id = _owed_invoice_refund(shop)
    shop.sales.mark_manual_refund_done(refund_id, amount=eur("20.00"))

    done = shop.sales.mark_manual_refund_done(refund_id)

    assert done.payment_status is PaymentStatus.MANUALLY_REFUNDED
    assert (done.refunded, done.manual_amount) == (eur("45.00"), eur("0"))
    assert shop.sales.manual_refunds_owed() == []


def test_recording_more_than_is_owed_by_hand_is_refused_and_changes_nothing() -> None:
    shop = Shop.open()
    refund_id = _owed_invoice_refund(shop)
    before = shop.observe()

    with pytest.raises(RefundExceedsCharge, match=r"owes 45\.00 EUR by hand"):
        shop.sales.mark_manual_refund_done(refund_id, amount=eur("45.01"))

    assert shop.observe() == before
