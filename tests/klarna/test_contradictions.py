"""Klarna answers that contradict themselves or the request are refused, not acted on: the
gateway sends nothing, records no money, and the effect waits for the merchant."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from order_cancellation import LineItem, Money, PaymentRef, PaymentStatus, Sales
from order_cancellation.adapters.klarna import KlarnaAnswerContradictory, KlarnaGateway
from order_cancellation.domain.errors import PaymentRejected
from order_cancellation.testing.klarna_simulator import Endpoint, KlarnaSimulator, rewrite

from .support import START, posts, settlement

Document = dict[str, object]


def _answer(change: Callable[[Document], Document]) -> Callable[[object], object]:
    def transform(document: object) -> object:
        assert isinstance(document, dict)
        return change(document)

    return transform


def test_more_refunded_than_captured_is_refused_before_anything_is_sent(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2000)
    sim.capture("kl-1", 2000)
    sim.inject(
        rewrite(_answer(lambda o: o | {"refunded_amount": 4000})), endpoint=Endpoint.GET_ORDER
    )

    with pytest.raises(KlarnaAnswerContradictory, match="4000 refunded of 2000 captured"):
        gateway.settle(settlement("kl-1", 2000, now=sim.clock))

    assert posts(sim) == []


def test_more_captured_than_authorized_is_refused(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2000)
    sim.capture("kl-1", 2000)
    sim.inject(
        rewrite(_answer(lambda o: o | {"original_order_amount": 1000})),
        endpoint=Endpoint.GET_ORDER,
    )

    with pytest.raises(KlarnaAnswerContradictory, match="2000 captured of 1000 authorized"):
        gateway.settle(settlement("kl-1", 2000, now=sim.clock))

    assert posts(sim) == []


def test_a_refunds_list_above_the_refunded_amount_is_refused(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2000)
    sim.capture("kl-1", 2000)
    listed = {"refund_id": "r-9", "refunded_amount": 1500, "reference": "someone"}
    sim.inject(rewrite(_answer(lambda o: o | {"refunds": [listed]})), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaAnswerContradictory, match="refunds list more than the 0"):
        gateway.settle(settlement("kl-1", 2000, now=sim.clock))

    assert posts(sim) == []


def test_more_refunded_under_our_reference_than_the_refund_order_is_for_is_refused(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 1_000_000)
    sim.capture("kl-1", 1_000_000)
    ours = {"refund_id": "r-1", "refunded_amount": 999_999, "reference": "ro-1"}
    sim.inject(
        rewrite(_answer(lambda o: o | {"refunded_amount": 999_999, "refunds": [ours]})),
        endpoint=Endpoint.GET_ORDER,
    )

    with pytest.raises(
        KlarnaAnswerContradictory,
        match=r"lists 9999.99 EUR refunded under refund order 'ro-1', which is only for 20.00",
    ):
        gateway.settle(settlement("kl-1", 2000, now=sim.clock))

    assert posts(sim) == []


def test_an_answer_naming_another_order_is_refused(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2000)
    sim.inject(rewrite(_answer(lambda o: o | {"order_id": "kl-2"})), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaAnswerContradictory, match="names order 'kl-2', not 'kl-1'"):
        gateway.settle(settlement("kl-1", 2000, now=sim.clock))

    assert posts(sim) == []


def test_a_contradiction_waits_for_the_merchant_and_records_no_money(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    assert issubclass(KlarnaAnswerContradictory, PaymentRejected)  # not retried blindly
    sim.create_order("kl-1", 2000)
    sim.capture("kl-1", 2000)
    sales = Sales.in_memory("acme", gateways={"klarna": gateway})
    sales.set_stock("MUG", 1)
    order = sales.place_order(
        [LineItem("MUG", 1, Money.of("20.00", "EUR"))],
        payment=PaymentRef(provider="klarna", reference="kl-1", authorization_expires_at=START),
    )
    sim.inject(
        rewrite(_answer(lambda o: o | {"refunded_amount": 4000})), endpoint=Endpoint.GET_ORDER
    )

    refund = sales.cancel_order(order.id)

    assert refund.payment_status is PaymentStatus.DEAD_LETTERED
    assert "KlarnaAnswerContradictory" in (refund.last_error or "")
    assert refund.refunded == Money.zero("EUR")
    assert posts(sim) == []
