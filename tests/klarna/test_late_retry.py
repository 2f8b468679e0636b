"""Retries more than a day later: Klarna has forgotten the key, the order has not (P3)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta

import pytest

from order_cancellation.adapters.klarna import KlarnaGateway, intent_key
from order_cancellation.domain.errors import PaymentTemporarilyUnavailable
from order_cancellation.domain.refunds import PaymentStatus
from order_cancellation.testing.klarna_simulator import (
    DISCONNECT_AFTER,
    KEY_LIFETIME,
    TIMEOUT_AFTER,
    TIMEOUT_BEFORE,
    UNAVAILABLE,
    Endpoint,
    Fault,
    KlarnaSimulator,
    Operation,
)

from .contract import Contract
from .support import START, figure, gateway_for, posts, settlement

DAY_AND_AN_HOUR = timedelta(hours=25)


def _fail_first_call(sim: KlarnaSimulator, fault: Fault, endpoint: Endpoint) -> None:
    sim.inject(fault, *[UNAVAILABLE] * 3, endpoint=endpoint)


def test_a_refund_whose_answer_was_lost_is_not_sent_again_a_day_later(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    first = settlement("kl-1", 2500, now=sim.clock)
    _fail_first_call(sim, TIMEOUT_AFTER, Endpoint.REFUND)
    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(first)
    sent_before = len(posts(sim))

    later = sim.advance(DAY_AND_AN_HOUR)
    result = gateway.settle(settlement("kl-1", 2500, now=later, first_attempt_at=first.now))

    assert len(posts(sim)) == sent_before
    assert sim.count(Operation.REFUND) == 1
    assert result.status is PaymentStatus.REFUNDED
    assert result.provider_reference is not None


def test_a_refund_that_never_arrived_is_sent_a_day_later_under_a_fresh_key(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    first = settlement("kl-1", 2500, now=sim.clock)
    _fail_first_call(sim, TIMEOUT_BEFORE, Endpoint.REFUND)
    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(first)
    old_key = posts(sim)[0].request.idempotency_key

    later = sim.advance(DAY_AND_AN_HOUR)
    gateway.settle(settlement("kl-1", 2500, now=later, first_attempt_at=first.now))

    late_post = posts(sim)[-1]
    assert late_post.request.idempotency_key != old_key
    assert late_post.request.idempotency_key == intent_key(first.idempotency_key, "refund", 1)
    assert sim.count(Operation.REFUND) == 1


def test_a_cancel_whose_answer_was_lost_is_not_sent_again_a_day_later(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, expires_in=timedelta(days=28))
    first = settlement("kl-1", 2500, now=sim.clock)
    _fail_first_call(sim, DISCONNECT_AFTER, Endpoint.CANCEL)
    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(first)

    later = sim.advance(DAY_AND_AN_HOUR)
    result = gateway.settle(settlement("kl-1", 2500, now=later, first_attempt_at=first.now))

    assert sim.count(Operation.CANCEL) == 1
    assert len(posts(sim)) == 4
    assert result.status is PaymentStatus.VOIDED


def test_within_the_key_window_a_retry_reuses_the_first_key(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    first = settlement("kl-1", 2500, now=sim.clock)
    _fail_first_call(sim, TIMEOUT_BEFORE, Endpoint.REFUND)
    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(first)

    later = sim.advance(timedelta(hours=22))
    gateway.settle(settlement("kl-1", 2500, now=later, first_attempt_at=first.now))

    assert len({e.request.idempotency_key for e in posts(sim)}) == 1


def test_p3_no_duplicate_over_schedules_with_gaps_longer_than_a_day(
    contract: Contract | None, reliability: Callable[[str], None]
) -> None:
    rng = random.Random(3)  # a reproducible schedule
    schedules = 300
    duplicates = resent_when_done = stale_keys = 0
    sim = KlarnaSimulator(start=START)
    gateway = gateway_for(sim, in_process=True)
    for _ in range(schedules):
        sim.reset(start=START)
        captured = rng.choice([0, 1000, 2500])
        sim.create_order("kl-1", 2500)
        if captured:
            sim.capture("kl-1", captured)
        first_step = Endpoint.REFUND if captured else Endpoint.CANCEL
        fault = rng.choice([TIMEOUT_AFTER, DISCONNECT_AFTER, TIMEOUT_BEFORE])
        _fail_first_call(sim, fault, first_step)
        first = settlement("kl-1", 2500, now=sim.clock)
        with pytest.raises(PaymentTemporarilyUnavailable):
            gateway.settle(first)
        early = posts(sim)
        later = sim.advance(KEY_LIFETIME + timedelta(minutes=rng.randint(1, 48 * 60)))
        gateway.settle(settlement("kl-1", 2500, now=later, first_attempt_at=first.now))
        late = posts(sim)[len(early) :]
        duplicates += sum(max(0, sim.count(op, "kl-1") - 1) for op in Operation)
        if fault.processed:
            resent_when_done += sum(1 for e in late if e.endpoint is first_step)
        early_keys = {e.request.idempotency_key for e in early}
        stale_keys += sum(1 for e in late if e.request.idempotency_key in early_keys)
        if contract is not None:
            contract.check(sim.exchanges)
    gateway.close()

    reliability(
        figure(
            "P3",
            schedules=schedules,
            gaps_over_24h=schedules,
            duplicates=duplicates,
            resent_after_window_when_done=resent_when_done,
            day_old_keys_reused=stale_keys,
        )
    )
    assert (duplicates, resent_when_done, stale_keys) == (0, 0, 0)
