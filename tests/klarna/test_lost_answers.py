"""A relay attempt after a lost answer records what the earlier attempt really did."""

from __future__ import annotations

import pytest

from order_cancellation.adapters.klarna import HttpRetryPolicy
from order_cancellation.domain.errors import PaymentTemporarilyUnavailable
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus, RefundKind
from order_cancellation.testing.klarna_simulator import (
    TIMEOUT_AFTER,
    Endpoint,
    KlarnaSimulator,
    Operation,
)

from .support import gateway_for, settlement

ONE_TRY = HttpRetryPolicy(max_attempts=1, base_delay=0.0, max_delay=0.0)


def test_a_cancel_whose_answer_was_lost_is_recorded_as_released_on_the_next_attempt(
    sim: KlarnaSimulator,
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TIMEOUT_AFTER, endpoint=Endpoint.CANCEL)
    with gateway_for(sim, retry=ONE_TRY) as gateway:
        with pytest.raises(PaymentTemporarilyUnavailable):
            gateway.settle(settlement("kl-1", 2500, now=sim.clock))
        result = gateway.settle(settlement("kl-1", 2500, now=sim.clock, attempt=2))

    assert sim.count(Operation.CANCEL) == 1
    assert result.status is PaymentStatus.VOIDED
    assert result.released == Money(2500, "EUR")


def test_a_release_whose_answer_was_lost_is_recorded_as_released_on_the_next_attempt(
    sim: KlarnaSimulator,
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)
    sim.inject(TIMEOUT_AFTER, endpoint=Endpoint.RELEASE)
    with gateway_for(sim, retry=ONE_TRY) as gateway:
        with pytest.raises(PaymentTemporarilyUnavailable):
            gateway.settle(settlement("kl-1", 2500, now=sim.clock))
        result = gateway.settle(settlement("kl-1", 2500, now=sim.clock, attempt=2))

    assert sim.count(Operation.REFUND) == 1
    assert sim.count(Operation.RELEASE) == 1
    assert result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (result.refunded, result.released) == (Money(1000, "EUR"), Money(1500, "EUR"))


def test_a_return_retried_after_a_late_capture_refunds_the_rest_under_a_new_key(
    sim: KlarnaSimulator,
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)
    sim.inject(TIMEOUT_AFTER, endpoint=Endpoint.REFUND)
    with gateway_for(sim, retry=ONE_TRY) as gateway:
        with pytest.raises(PaymentTemporarilyUnavailable):
            gateway.settle(settlement("kl-1", 2500, now=sim.clock, kind=RefundKind.RETURN))
        sim.capture("kl-1", 1500)
        result = gateway.settle(
            settlement("kl-1", 2500, now=sim.clock, kind=RefundKind.RETURN, attempt=2)
        )

    assert sim.count(Operation.REFUND) == 2
    assert sim.order("kl-1")["refunded_amount"] == 2500
    assert result.status is PaymentStatus.REFUNDED
    assert result.refunded == Money(2500, "EUR")
