"""``--klarna``: the CLI settles Klarna payments through Klarna, configured from the environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from order_cancellation import OrderState, PaymentStatus, Sales
from order_cancellation.testing.klarna_simulator import KlarnaSimulator, Operation
from tests.cli.conftest import Operator

KLARNA_VARIABLES = (
    "KLARNA_USERNAME", "KLARNA_PASSWORD", "KLARNA_API_KEY", "KLARNA_REGION",
    "KLARNA_PLAYGROUND", "KLARNA_BASE_URL", "KLARNA_CONNECT_TIMEOUT", "KLARNA_READ_TIMEOUT",
)  # fmt: skip


@pytest.fixture
def no_klarna_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in KLARNA_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def klarna(monkeypatch: pytest.MonkeyPatch, no_klarna_settings: None) -> Iterator[KlarnaSimulator]:
    """A Klarna simulator on loopback, and the environment that points --klarna at it."""
    with KlarnaSimulator() as simulator:
        monkeypatch.setenv("KLARNA_USERNAME", simulator.username)
        monkeypatch.setenv("KLARNA_PASSWORD", simulator.password)
        monkeypatch.setenv("KLARNA_BASE_URL", simulator.base_url)
        yield simulator


def test_cancel_with_klarna_cancels_the_authorization(
    operator: Operator, shop: Sales, klarna: KlarnaSimulator
) -> None:
    klarna.create_order("klarna-1", 2500, "EUR")  # the reference operator.place gives
    order = operator.place("MUG:2:12.50", paid_by="klarna")

    refund = operator.json("order", "cancel", order, "--klarna")["refund_order"]

    assert refund["payment_status"] == PaymentStatus.VOIDED.value
    assert klarna.count(Operation.CANCEL, "klarna-1") == 1
    assert shop.get_order(order).state is OrderState.CANCELED


def test_klarna_without_credentials_is_refused_and_changes_nothing(
    operator: Operator, shop: Sales, no_klarna_settings: None
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")

    refused = operator("order", "cancel", order, "--klarna")

    assert refused.code == 1
    assert "KLARNA_USERNAME" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.OPEN


def test_a_klarna_refund_left_pending_is_settled_by_a_retry_with_klarna(
    operator: Operator, shop: Sales, klarna: KlarnaSimulator
) -> None:
    klarna.create_order("klarna-1", 950, "EUR")
    order = operator.place("MUG:1:9.50", paid_by="klarna")
    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]
    operator.json("worker", "--once")  # not connected to Klarna: the payment waits
    assert shop.get_refund_order(refund["id"]).payment_status is PaymentStatus.FAILED_RETRYING

    retried = operator.json("refunds", "retry", refund["id"], "--klarna")["refund_order"]

    assert retried["payment_status"] == PaymentStatus.VOIDED.value
    assert klarna.count(Operation.CANCEL, "klarna-1") == 1
