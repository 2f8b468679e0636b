"""Bad answers and bad amounts: a typed error that says what to do, no duplicate call, and
a request left as it was so that a retry can finish."""

from __future__ import annotations

import pytest

from order_cancellation.adapters.klarna import (
    Credentials,
    KlarnaAmountOutOfRange,
    KlarnaCredentialsRejected,
    KlarnaGateway,
    KlarnaOrderMismatch,
    KlarnaOrderNotFound,
    KlarnaRequestRejected,
    KlarnaResponseUnexpected,
    KlarnaResponseUnreadable,
    KlarnaUnavailable,
)
from order_cancellation.domain.errors import (
    ConfigurationError,
    InvalidInput,
    PaymentRejected,
    PaymentTemporarilyUnavailable,
)
from order_cancellation.domain.refunds import PaymentStatus
from order_cancellation.testing.klarna_simulator import (
    MAX_AMOUNT,
    TRUNCATED,
    Endpoint,
    KlarnaSimulator,
    Operation,
    error,
    replace_body,
    rewrite,
)

from .support import gateway_for, posts, settlement


def _settles_once_afterwards(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))
    assert result.status is PaymentStatus.REFUNDED
    assert sim.count(Operation.REFUND) == 1


def test_wrong_credentials_are_a_typed_error_that_names_the_settings(sim: KlarnaSimulator) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)

    misconfigured = gateway_for(sim, credentials=_wrong(sim))
    with misconfigured, pytest.raises(KlarnaCredentialsRejected) as raised:
        misconfigured.settle(settlement("kl-1", 2500, now=sim.clock))

    assert isinstance(raised.value, PaymentRejected)
    assert isinstance(raised.value, ConfigurationError)
    assert "KLARNA_USERNAME" in str(raised.value)
    assert "retry" in str(raised.value)
    assert len(list(sim.requests())) == 1
    with gateway_for(sim) as fixed:
        _settles_once_afterwards(sim, fixed)


def test_an_unknown_order_status_stops_before_anything_is_sent(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(rewrite(lambda o: _with(o, status="PARTLY_REFUNDED")), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaResponseUnexpected, match=r"'PARTLY_REFUNDED'.*upgrade"):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []
    _settles_once_afterwards(sim, gateway)


@pytest.mark.parametrize(
    "field", ["status", "captured_amount", "refunded_amount", "remaining_authorized_amount"]
)
def test_a_missing_field_stops_before_anything_is_sent(
    sim: KlarnaSimulator, gateway: KlarnaGateway, field: str
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(rewrite(lambda o: _without(o, field)), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaResponseUnexpected, match=f"'{field}'.*retrying is safe"):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []
    _settles_once_afterwards(sim, gateway)


def test_an_amount_of_the_wrong_type_stops_before_anything_is_sent(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(rewrite(lambda o: _with(o, captured_amount="25.00")), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaResponseUnexpected, match="captured_amount"):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []


def test_an_answer_that_is_not_json_is_retried_later(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(replace_body(b"<html>Bad gateway</html>"), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaResponseUnreadable, match="not JSON") as raised:
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert isinstance(raised.value, PaymentTemporarilyUnavailable)
    assert posts(sim) == []
    _settles_once_afterwards(sim, gateway)


def test_a_json_body_cut_short_is_retried_later(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    whole = str(sim.order("kl-1")).encode()
    sim.inject(replace_body(whole[: len(whole) // 2]), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaResponseUnreadable):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []
    _settles_once_afterwards(sim, gateway)


def test_a_connection_closed_mid_body_is_retried_at_once(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(TRUNCATED, endpoint=Endpoint.GET_ORDER)
    sim.inject(TRUNCATED, endpoint=Endpoint.REFUND)

    _settles_once_afterwards(sim, gateway)


def test_a_body_cut_short_every_time_leaves_the_payment_pending(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(*[TRUNCATED] * 4, endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaUnavailable, match="RemoteProtocolError"):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []
    _settles_once_afterwards(sim, gateway)


def test_a_refund_above_klarnas_maximum_is_refused_before_sending(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    half = (MAX_AMOUNT + 100) // 2
    too_much = 2 * half
    line = {"name": "Yacht share", "quantity": 1, "unit_price": half, "total_amount": half}
    sim.create_order("kl-1", too_much, lines=[line, line])
    sim.capture("kl-1", half)
    sim.capture("kl-1", half)

    with pytest.raises(KlarnaAmountOutOfRange, match="Merchant Portal") as raised:
        gateway.settle(settlement("kl-1", too_much, now=sim.clock))

    assert isinstance(raised.value, InvalidInput)
    assert posts(sim) == []
    # The merchant refunds a part by hand; the retry asks Klarna only for the rest.
    sim.refund("kl-1", 100, reference="by hand")
    gateway.settle(settlement("kl-1", too_much, now=sim.clock))
    assert sim.order("kl-1")["refunded_amount"] == too_much


def test_a_refund_klarna_rejects_as_invalid_is_not_resent(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(error(422, "UNPROCESSABLE_ENTITY"), endpoint=Endpoint.REFUND)

    with pytest.raises(KlarnaRequestRejected, match="UNPROCESSABLE_ENTITY") as raised:
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert raised.value.correlation_id
    assert len(posts(sim)) == 1
    _settles_once_afterwards(sim, gateway)


def test_an_unknown_klarna_order_names_what_to_check(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    with pytest.raises(KlarnaOrderNotFound, match=r"PaymentRef\.reference.*region"):
        gateway.settle(settlement("kl-missing", 2500, now=sim.clock))

    assert posts(sim) == []


def test_a_klarna_order_in_another_currency_is_not_touched(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, "SEK", auto_capture=True)

    with pytest.raises(KlarnaOrderMismatch, match="SEK"):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []


def test_an_unexpected_success_body_still_counts_as_confirmed(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(replace_body(b"not json at all", status=201), endpoint=Endpoint.REFUND)

    result = gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert result.status is PaymentStatus.REFUNDED
    assert sim.count(Operation.REFUND) == 1


def _wrong(sim: KlarnaSimulator) -> Credentials:
    return Credentials.basic(sim.username, "not-the-password")


def _with(order: object, **changes: object) -> object:
    assert isinstance(order, dict)
    return order | changes


def _without(order: object, field: str) -> object:
    assert isinstance(order, dict)
    return {key: value for key, value in order.items() if key != field}
