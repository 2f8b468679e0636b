"""Retries inside one call: same key, capped backoff with jitter, a bound; 403 reconciles."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from order_cancellation.adapters.klarna import (
    HttpRetryPolicy,
    KlarnaGateway,
    KlarnaStateConflict,
    KlarnaUnavailable,
)
from order_cancellation.domain.errors import PaymentRejected, PaymentTemporarilyUnavailable
from order_cancellation.domain.refunds import PaymentStatus
from order_cancellation.testing.klarna_simulator import (
    BAD_GATEWAY,
    CONFLICT,
    DISCONNECT_AFTER,
    GATEWAY_TIMEOUT,
    INTERNAL_ERROR,
    RATE_LIMITED,
    TIMEOUT_AFTER,
    TIMEOUT_BEFORE,
    UNAVAILABLE,
    Endpoint,
    Fault,
    KlarnaSimulator,
    Operation,
    error,
    rewrite,
)

from .contract import Contract
from .support import (
    START,
    TEST_TIMEOUT,
    Sleeps,
    capture_request,
    config_for,
    figure,
    gateway_for,
    posts,
    sent,
    settlement,
)

RETRIED = [TIMEOUT_BEFORE, TIMEOUT_AFTER, DISCONNECT_AFTER, INTERNAL_ERROR, BAD_GATEWAY]
RETRIED += [UNAVAILABLE, GATEWAY_TIMEOUT, RATE_LIMITED, CONFLICT]


@pytest.mark.parametrize("fault", RETRIED, ids=lambda f: f.name)
def test_a_transient_failure_is_retried_with_the_same_key_and_refunds_once(
    sim: KlarnaSimulator, gateway: KlarnaGateway, fault: Fault
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(fault, endpoint=Endpoint.REFUND)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    attempts = posts(sim)
    assert len(attempts) == 2
    assert attempts[0].request.idempotency_key == attempts[1].request.idempotency_key
    assert sim.count(Operation.REFUND) == 1
    assert result.status is PaymentStatus.REFUNDED


def test_a_lost_cancel_answer_is_replayed_not_repeated(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TIMEOUT_AFTER, endpoint=Endpoint.CANCEL)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    replay = posts(sim)[-1]
    assert replay.replayed
    assert sim.count(Operation.CANCEL) == 1
    assert result.status is PaymentStatus.VOIDED


def test_a_failing_read_is_retried_before_anything_is_sent(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(UNAVAILABLE, TIMEOUT_BEFORE, endpoint=Endpoint.GET_ORDER)

    gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sim.count(Operation.CANCEL) == 1


def test_when_attempts_run_out_the_payment_is_temporarily_unavailable(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(*[UNAVAILABLE] * 4, endpoint=Endpoint.REFUND)

    with pytest.raises(PaymentTemporarilyUnavailable) as raised:
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert isinstance(raised.value, KlarnaUnavailable)
    assert raised.value.error_code == "TEMPORARILY_UNAVAILABLE"
    assert "4 attempts" in str(raised.value)
    assert "same idempotency keys" in str(raised.value)
    assert len(posts(sim)) == 4


def test_the_relay_retry_after_an_outage_uses_the_same_key_and_refunds_once(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(TIMEOUT_AFTER, *[UNAVAILABLE] * 3, endpoint=Endpoint.REFUND)
    request = settlement("kl-1", 2500, now=sim.clock)
    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(request)

    gateway.settle(request)

    assert sim.count(Operation.REFUND) == 1
    assert {e.request.idempotency_key for e in posts(sim)} == {
        posts(sim)[0].request.idempotency_key
    }


def test_a_silent_klarna_is_given_up_on_after_the_read_timeout(sim: KlarnaSimulator) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TIMEOUT_BEFORE, endpoint=Endpoint.GET_ORDER)
    one_try = HttpRetryPolicy(max_attempts=1)

    with gateway_for(sim, retry=one_try) as gateway:
        started = time.monotonic()
        with pytest.raises(KlarnaUnavailable, match="ReadTimeout"):
            gateway.settle(settlement("kl-1", 2500, now=sim.clock))
        waited = time.monotonic() - started

    assert TEST_TIMEOUT <= waited < sim.hang_seconds


@pytest.mark.parametrize(
    ("jitter", "expected"),
    [
        (1.0, [0.25, 0.5, 1.0, 2.0, 2.0, 2.0, 2.0]),
        (0.5, [0.125, 0.25, 0.5, 1.0, 1.0, 1.0, 1.0]),
        (0.0, [0.0] * 7),
    ],
)
def test_backoff_doubles_up_to_a_cap_scaled_by_full_jitter(
    sim: KlarnaSimulator, jitter: float, expected: list[float]
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(*[INTERNAL_ERROR] * 8, endpoint=Endpoint.GET_ORDER)
    sleeps = Sleeps()
    policy = HttpRetryPolicy(max_attempts=8, base_delay=0.25, max_delay=2.0)
    gateway = KlarnaGateway(config_for(sim, retry=policy), sleep=sleeps, jitter=lambda: jitter)

    with gateway, pytest.raises(KlarnaUnavailable):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sleeps == expected


def test_a_state_refusal_reads_the_order_again_instead_of_retrying_blindly(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)
    # The first read still shows the order as it was before the warehouse captured it.
    sim.inject(rewrite(_as_uncaptured), endpoint=Endpoint.GET_ORDER)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [
        Endpoint.GET_ORDER,
        Endpoint.CANCEL,
        Endpoint.GET_ORDER,
        Endpoint.REFUND,
        Endpoint.RELEASE,
    ]
    assert sim.count(Operation.CANCEL) == 0
    assert result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert sim.order("kl-1")["remaining_authorized_amount"] == 0


def test_repeated_state_refusals_end_in_a_rejection_after_two_reconciles(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    refusal = error(403, "CANCEL_NOT_ALLOWED")
    sim.inject(refusal, refusal, refusal, endpoint=Endpoint.CANCEL)

    with pytest.raises(PaymentRejected) as raised:
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert isinstance(raised.value, KlarnaStateConflict)
    assert "Merchant Portal" in str(raised.value)
    assert sent(sim).count(Endpoint.GET_ORDER) == 3
    assert len(posts(sim)) == 3


def test_p7_every_post_carries_a_key_that_stays_the_same_across_retries(
    contract: Contract | None, reliability: Callable[[str], None]
) -> None:
    sim = KlarnaSimulator(start=START)
    with gateway_for(sim, in_process=True) as gateway:
        for n, fault in enumerate(RETRIED):
            for captured in (0, 1000, 2500):
                klarna_id = f"kl-{n}-{captured}"
                sim.create_order(klarna_id, 2500)
                if captured:
                    sim.capture(klarna_id, captured)
                for endpoint in (
                    Endpoint.EXTEND,
                    Endpoint.CANCEL,
                    Endpoint.REFUND,
                    Endpoint.RELEASE,
                ):
                    sim.inject(fault, endpoint=endpoint, order_id=klarna_id)
                gateway.extend_authorization(klarna_id, idempotency_key=f"extend-{klarna_id}")
                gateway.settle(
                    settlement(klarna_id, 2500, now=sim.clock, refund_order_id=klarna_id)
                )
            sim.create_order(f"kl-{n}-capture", 2500)
            sim.inject(fault, endpoint=Endpoint.CAPTURE)
            gateway.capture(capture_request(f"kl-{n}-capture", 1500, now=sim.clock, key=f"c-{n}"))

    sent_posts = posts(sim)
    without_key = [e for e in sent_posts if not e.request.idempotency_key]
    keys_per_intent: dict[tuple[str | None, Endpoint | None], set[str | None]] = {}
    for exchange in sent_posts:
        intent = (exchange.order_id, exchange.endpoint)
        keys_per_intent.setdefault(intent, set()).add(exchange.request.idempotency_key)
    changed = [intent for intent, keys in keys_per_intent.items() if len(keys) != 1]
    keys = [key for keys in keys_per_intent.values() for key in keys]
    violations = [p for e in sim.exchanges for p in contract.problems(e)] if contract else []
    retries = len(sent_posts) - len(keys_per_intent)

    reliability(
        figure(
            "P7",
            requests=len(sim.exchanges),
            posts=len(sent_posts),
            posts_without_key=len(without_key),
            intents=len(keys_per_intent),
            retries=retries,
            retries_with_changed_key=len(changed),
            keys_shared_by_intents=len(keys) - len(set(keys)),
            contract="checked" if contract else "absent",
            contract_violations=len(violations),
        )
    )
    assert retries == sum(1 for e in sent_posts if e.fault is not None)
    assert without_key == []
    assert changed == []
    assert len(set(keys)) == len(keys)
    assert violations == []


def _as_uncaptured(order: object) -> object:
    assert isinstance(order, dict)
    return order | {
        "status": "AUTHORIZED",
        "captured_amount": 0,
        "remaining_authorized_amount": order["order_amount"],
        "captures": [],
    }
