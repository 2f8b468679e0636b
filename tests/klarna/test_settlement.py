"""What the gateway asks Klarna for, decided by what Klarna says about the order."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from order_cancellation.adapters.klarna import KlarnaGateway, intent_key
from order_cancellation.domain.errors import PaymentTemporarilyUnavailable
from order_cancellation.domain.money import Money
from order_cancellation.domain.payment import AuthorizationStatus
from order_cancellation.domain.refunds import PaymentStatus, RefundKind
from order_cancellation.testing.klarna_simulator import (
    UNAVAILABLE,
    Endpoint,
    KlarnaSimulator,
    Operation,
)

from .support import EUR, lines_of, posts, sent, settlement


def test_an_uncaptured_order_is_canceled_and_nothing_else(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [Endpoint.GET_ORDER, Endpoint.CANCEL]
    assert sim.order("kl-1")["status"] == "CANCELLED"
    assert sim.order("kl-1")["remaining_authorized_amount"] == 0
    assert result.status is PaymentStatus.VOIDED
    assert result.released == Money(2500, EUR)


def test_a_partly_captured_order_is_refunded_then_the_rest_released(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [Endpoint.GET_ORDER, Endpoint.REFUND, Endpoint.RELEASE]
    order = sim.order("kl-1")
    assert (order["refunded_amount"], order["remaining_authorized_amount"]) == (1000, 0)
    assert result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (result.refunded, result.released) == (Money(1000, EUR), Money(1500, EUR))


def test_a_captured_order_is_refunded(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [Endpoint.GET_ORDER, Endpoint.REFUND]
    assert sim.order("kl-1")["refunded_amount"] == 2500
    assert result.status is PaymentStatus.REFUNDED
    assert result.refunded == Money(2500, EUR)


def test_a_refund_reports_klarnas_refund_id(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    refunds = sim.order("kl-1")["refunds"]
    assert isinstance(refunds, list)
    assert result.provider_reference == refunds[0]["refund_id"]


def test_a_canceled_order_succeeds_without_another_call(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.cancel("kl-1")

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [Endpoint.GET_ORDER]
    assert result.status is PaymentStatus.VOIDED


def test_an_expired_order_needs_no_call_and_records_the_lapse(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, expires_in=timedelta(days=28))
    sim.advance(timedelta(days=29))

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [Endpoint.GET_ORDER]
    assert result.status is PaymentStatus.AUTHORIZATION_LAPSED
    assert result.detail


def test_an_expired_order_with_captures_refunds_what_was_captured(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 700)
    sim.advance(timedelta(days=29))

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sent(sim) == [Endpoint.GET_ORDER, Endpoint.REFUND]
    assert sim.order("kl-1")["refunded_amount"] == 700
    assert result.status is PaymentStatus.AUTHORIZATION_LAPSED
    assert result.refunded == Money(700, EUR)


def test_a_return_refunds_its_amount_with_its_order_lines(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 5000, auto_capture=True)
    returned = lines_of(1200, 300, quantity=2)

    result = gateway.settle(
        settlement("kl-1", 3000, now=sim.clock, kind=RefundKind.RETURN, lines=returned)
    )

    (refund,) = posts(sim)
    body = json.loads(refund.request.body)
    assert body["refunded_amount"] == 3000
    assert body["reference"] == "ro-1"
    assert body["order_lines"] == [
        {
            "name": "SKU-1",
            "quantity": 2,
            "unit_price": 1200,
            "total_amount": 2400,
            "total_discount_amount": 0,
            "tax_rate": 0,
            "total_tax_amount": 0,
            "reference": "SKU-1",
            "type": "physical",
        },
        {
            "name": "SKU-2",
            "quantity": 2,
            "unit_price": 300,
            "total_amount": 600,
            "total_discount_amount": 0,
            "tax_rate": 0,
            "total_tax_amount": 0,
            "reference": "SKU-2",
            "type": "physical",
        },
    ]
    assert result.status is PaymentStatus.REFUNDED
    assert sim.order("kl-1")["refunded_amount"] == 3000


def test_order_lines_are_left_out_when_they_do_not_add_up_to_the_refund(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)

    gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    refund = next(e for e in posts(sim) if e.endpoint is Endpoint.REFUND)
    body = json.loads(refund.request.body)
    assert body["refunded_amount"] == 1000
    assert "order_lines" not in body


def test_two_returns_of_equal_amounts_are_both_refunded(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 4000, auto_capture=True)
    first = settlement("kl-1", 1000, now=sim.clock, kind=RefundKind.RETURN, refund_order_id="r-1")
    second = settlement("kl-1", 1000, now=sim.clock, kind=RefundKind.RETURN, refund_order_id="r-2")

    gateway.settle(first)
    gateway.settle(second)

    assert sim.count(Operation.REFUND, "kl-1") == 2
    assert sim.order("kl-1")["refunded_amount"] == 2000


def test_settling_again_after_success_sends_nothing_new(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)
    request = settlement("kl-1", 2500, now=sim.clock)

    first = gateway.settle(request)
    again = gateway.settle(request)

    assert len(posts(sim)) == 2
    assert again.refunded == first.refunded
    assert again.provider_reference == first.provider_reference


def test_a_refund_is_recorded_only_once_klarna_confirmed_it(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(*[UNAVAILABLE] * 4, endpoint=Endpoint.REFUND)

    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert sim.order("kl-1")["refunded_amount"] == 0
    assert sim.count(Operation.REFUND) == 0


def test_after_a_refund_went_through_a_retry_only_releases_the_rest(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)
    sim.inject(*[UNAVAILABLE] * 4, endpoint=Endpoint.RELEASE)
    request = settlement("kl-1", 2500, now=sim.clock)
    with pytest.raises(PaymentTemporarilyUnavailable):
        gateway.settle(request)

    result = gateway.settle(request)

    assert sim.count(Operation.REFUND) == 1
    assert sim.count(Operation.RELEASE) == 1
    assert result.refunded == Money(1000, EUR)
    assert result.status is PaymentStatus.REFUNDED_AND_RELEASED


def test_each_step_carries_its_own_key_derived_from_the_request_key(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)

    gateway.settle(settlement("kl-1", 2500, now=sim.clock, key="refund-order-key"))

    keys = {e.endpoint: e.request.idempotency_key for e in posts(sim)}
    assert keys == {
        Endpoint.REFUND: intent_key("refund-order-key", "refund"),
        Endpoint.RELEASE: intent_key("refund-order-key", "release_remaining"),
    }


def test_order_view_reads_klarnas_amounts_and_expiry(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, expires_in=timedelta(days=28))
    sim.capture("kl-1", 1000)
    sim.refund("kl-1", 400)

    view = gateway.order_view("kl-1")

    assert view.status is AuthorizationStatus.PART_CAPTURED
    assert (view.authorized, view.captured, view.refunded) == (
        Money(2500, EUR),
        Money(1000, EUR),
        Money(400, EUR),
    )
    assert view.expires_at == sim.clock + timedelta(days=28)
