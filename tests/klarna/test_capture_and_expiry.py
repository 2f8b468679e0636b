"""Capturing, extending, and canceling around the end of an authorization (E1)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest

from order_cancellation.adapters.klarna import (
    KlarnaCaptureRefused,
    KlarnaExtensionRefused,
    KlarnaGateway,
    intent_key,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus
from order_cancellation.testing.klarna_simulator import (
    TIMEOUT_AFTER,
    UNAVAILABLE,
    Endpoint,
    KlarnaSimulator,
    Operation,
    rewrite,
)

from .contract import Contract
from .support import EUR, START, capture_request, figure, gateway_for, posts, sent, settlement

DAY = timedelta(days=1)


def test_a_capture_posts_the_amount_lines_and_a_reference_under_a_derived_key(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)

    captured = gateway.capture(capture_request("kl-1", 1500, now=sim.clock, key="ship-1"))

    (post,) = posts(sim)
    body = json.loads(post.request.body)
    assert captured == Money(1500, EUR)
    assert body["captured_amount"] == 1500
    assert body["reference"].startswith("order-of-kl-1#")
    assert [line["total_amount"] for line in body["order_lines"]] == [1500]
    assert post.request.idempotency_key == intent_key("ship-1", "capture")
    assert sim.order("kl-1")["status"] == "PART_CAPTURED"


def test_a_capture_whose_answer_was_lost_is_not_taken_twice(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TIMEOUT_AFTER, *[UNAVAILABLE] * 3, endpoint=Endpoint.CAPTURE)
    request = capture_request("kl-1", 1000, now=sim.clock)
    with pytest.raises(Exception, match="did not complete"):
        gateway.capture(request)

    captured = gateway.capture(request)

    assert captured == Money(1000, EUR)
    assert sim.count(Operation.CAPTURE) == 1
    assert sim.order("kl-1")["captured_amount"] == 1000


def test_a_canceled_order_is_never_captured(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    sim.create_order("kl-1", 2500)
    gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    with pytest.raises(KlarnaCaptureRefused, match="cancelled"):
        gateway.capture(capture_request("kl-1", 2500, now=sim.clock))

    assert sim.count(Operation.CAPTURE, via_api=None) == 0


def test_an_expired_order_is_not_captured(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(29 * DAY)

    with pytest.raises(KlarnaCaptureRefused, match="expired"):
        gateway.capture(capture_request("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []


def test_more_than_the_remaining_authorization_is_not_captured(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 2000)

    with pytest.raises(KlarnaCaptureRefused, match=r"only 5\.00 EUR is still authorized"):
        gateway.capture(capture_request("kl-1", 1000, now=sim.clock))

    assert sim.order("kl-1")["captured_amount"] == 2000


def test_klarnas_own_capture_refusal_is_typed(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(28 * DAY + timedelta(seconds=1))
    # The gateway acts on a read from a moment before the authorization ran out.
    sim.inject(rewrite(_as_if_still_authorized), endpoint=Endpoint.GET_ORDER)
    shop_now = sim.clock - timedelta(seconds=2)

    with pytest.raises(KlarnaCaptureRefused, match="CAPTURE_NOT_ALLOWED"):
        gateway.capture(capture_request("kl-1", 2500, now=shop_now))

    assert sim.count(Operation.CAPTURE) == 0


def test_extending_the_authorization_moves_its_expiry(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(20 * DAY)

    view = gateway.extend_authorization("kl-1", idempotency_key="extend-1")

    assert view.expires_at is not None
    assert view.expires_at > START + 28 * DAY
    assert sim.count(Operation.EXTEND) == 1


def test_an_expired_authorization_cannot_be_extended(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(29 * DAY)

    with pytest.raises(KlarnaExtensionRefused, match="NOT_ALLOWED"):
        gateway.extend_authorization("kl-1", idempotency_key="extend-1")


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        (-timedelta(hours=1), PaymentStatus.VOIDED),
        (-timedelta(seconds=1), PaymentStatus.VOIDED),
        (timedelta(seconds=1), PaymentStatus.AUTHORIZATION_LAPSED),
        (timedelta(hours=1), PaymentStatus.AUTHORIZATION_LAPSED),
    ],
    ids=["1h-before", "1s-before", "1s-after", "1h-after"],
)
def test_a_cancel_just_before_expiry_cancels_and_just_after_records_the_lapse(
    sim: KlarnaSimulator, gateway: KlarnaGateway, offset: timedelta, expected: PaymentStatus
) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(28 * DAY + offset)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert result.status is expected
    assert sim.count(Operation.CANCEL) == (1 if expected is PaymentStatus.VOIDED else 0)


def test_when_klarna_expired_first_the_refused_cancel_is_reconciled_into_a_lapse(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(28 * DAY + timedelta(seconds=1))
    # The shop's clock runs two seconds behind Klarna's, so its first plan is a cancel;
    # the stale read it acts on is Klarna's answer from just before expiry.
    shop_now = sim.clock - timedelta(seconds=2)
    sim.inject(rewrite(_as_if_still_authorized), endpoint=Endpoint.GET_ORDER)

    result = gateway.settle(settlement("kl-1", 2500, now=shop_now))

    assert sent(sim) == [Endpoint.GET_ORDER, Endpoint.CANCEL, Endpoint.GET_ORDER]
    assert result.status is PaymentStatus.AUTHORIZATION_LAPSED
    assert sim.count(Operation.CANCEL) == 0


def test_e1_expiry_timelines(contract: Contract | None, reliability: Callable[[str], None]) -> None:
    seconds = (1, 2, 59, 60, 3599, 3600, 86399, 86400)
    offsets = [timedelta(seconds=-s) for s in seconds] + [timedelta(seconds=s) for s in seconds]
    skews = (timedelta(0), timedelta(seconds=-5), timedelta(seconds=5))
    timelines = correct = changes_after_expiry = 0
    sim = KlarnaSimulator(start=START)
    gateway = gateway_for(sim, in_process=True)
    for captured in (0, 1000):
        for offset in offsets:
            for skew in skews:
                timelines += 1
                sim.reset(start=START)
                sim.create_order("kl-1", 2500, expires_in=28 * DAY)
                if captured:
                    sim.capture("kl-1", captured)
                expires_at = START + 28 * DAY
                shop_now = sim.advance(28 * DAY + offset) + skew
                result = gateway.settle(settlement("kl-1", 2500, now=shop_now))
                changes_after_expiry += sum(
                    1
                    for op in sim.operations
                    if op.via_api
                    and op.operation in (Operation.CANCEL, Operation.RELEASE)
                    and op.at >= expires_at
                )
                # Whoever sees the expiry first (Klarna or the shop's clock) makes it a lapse;
                # either way the authorization is gone moments later and the capture refunded.
                expect_lapse = sim.clock >= expires_at or shop_now >= expires_at
                sim.advance(2 * max(skews))
                order = sim.order("kl-1")
                if (
                    (result.status is PaymentStatus.AUTHORIZATION_LAPSED) == expect_lapse
                    and order["remaining_authorized_amount"] == 0
                    and order["refunded_amount"] == captured
                ):
                    correct += 1
                if contract is not None:
                    contract.check(sim.exchanges)
    gateway.close()

    reliability(
        figure(
            "E1",
            timelines=timelines,
            correct=correct,
            unexpected_calls_after_expiry=changes_after_expiry,
        )
    )
    assert correct == timelines
    assert changes_after_expiry == 0


def _as_if_still_authorized(order: object) -> object:
    assert isinstance(order, dict)
    return order | {"status": "AUTHORIZED", "remaining_authorized_amount": order["order_amount"]}
