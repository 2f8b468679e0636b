"""Refund orders: what a cancel or return owes, and where each of its effects stands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_cancellation import (
    InvalidInput,
    ManualRefundNotOwed,
    Money,
    PaymentStatus,
    RefundKind,
    RefundOrder,
    StockStatus,
)
from order_cancellation.domain.refunds import SettlementResult
from order_cancellation.domain.values import LineQuantity

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def refund_order(*, restock: bool = True) -> RefundOrder:
    return RefundOrder.create(
        refund_order_id="r-1",
        shop="acme",
        order_id="o-1",
        kind=RefundKind.CANCELLATION,
        lines=(
            LineQuantity(line_id="L1", sku="MUG", quantity=2, unit_price=eur("12.50")),
            LineQuantity(line_id="L2", sku="TEE", quantity=1, unit_price=eur("20.00")),
        ),
        reason=None,
        reason_code=None,
        created_at=AT,
        restock=restock,
        currency="EUR",
    )


def manual(amount: Money) -> SettlementResult:
    zero = Money.zero(amount.currency)
    return SettlementResult(
        status=PaymentStatus.MANUAL_REFUND_REQUIRED,
        refunded=zero,
        released=zero,
        manual=amount,
    )


def test_a_refund_order_owes_the_price_of_its_lines() -> None:
    assert refund_order().amount == eur("45.00")


def test_a_new_refund_order_waits_for_its_stock_and_payment_effects() -> None:
    refund = refund_order()

    assert refund.stock_status is StockStatus.PENDING
    assert refund.payment_status is PaymentStatus.PENDING
    assert not refund.stock_settled
    assert not refund.payment_settled


def test_goods_that_cannot_be_resold_ask_for_no_restock() -> None:
    refund = refund_order(restock=False)

    assert refund.stock_status is StockStatus.NOT_REQUESTED
    assert refund.stock_settled


def test_a_manual_refund_is_owed_until_it_is_marked_done() -> None:
    owed = refund_order().settled(manual(eur("45.00")))
    assert owed.manual_refund_owed

    done = owed.manual_refund_done("Paid by bank transfer")

    assert done.payment_status is PaymentStatus.MANUALLY_REFUNDED
    assert done.refunded == eur("45.00")
    assert done.manual_amount.is_zero()
    assert not done.manual_refund_owed


def test_only_an_owed_manual_refund_can_be_marked_done() -> None:
    with pytest.raises(ManualRefundNotOwed, match="manual_refunds_owed"):
        refund_order().manual_refund_done(None)


def test_a_payment_failure_is_retried_until_it_is_dead_lettered() -> None:
    failing = refund_order().payment_failed("timeout", dead=False)
    dead = failing.payment_failed("timeout", dead=True)

    assert failing.payment_status is PaymentStatus.FAILED_RETRYING
    assert dead.payment_status is PaymentStatus.DEAD_LETTERED
    assert dead.payment_attempts == 2
    assert not dead.payment_settled


def test_every_change_raises_the_version() -> None:
    refund = refund_order()
    versions = [
        refund.version,
        (restored := refund.stock_restored()).version,
        restored.settled(manual(eur("45.00"))).version,
    ]

    assert versions == sorted(set(versions))


@pytest.mark.parametrize(
    ("dead", "status"), [(False, StockStatus.FAILED_RETRYING), (True, StockStatus.DEAD_LETTERED)]
)
def test_a_restock_failure_is_recorded_with_its_error(dead: bool, status: StockStatus) -> None:
    failed = refund_order().stock_failed("ledger unavailable", dead=dead)

    assert failed.stock_status is status
    assert failed.last_error == "ledger unavailable"
    assert not failed.stock_settled
    assert failed.has_pending_effect


def test_a_restock_that_succeeds_after_a_failure_clears_the_error() -> None:
    restored = refund_order().stock_failed("ledger unavailable", dead=False).stock_restored()

    assert restored.stock_status is StockStatus.DONE
    assert restored.last_error is None
    assert restored.stock_settled


def test_a_dead_lettered_restock_asked_to_retry_is_pending_again() -> None:
    dead = refund_order().stock_failed("ledger unavailable", dead=True)

    retried = dead.stock_retry_requested()

    assert retried.stock_status is StockStatus.PENDING
    assert retried.version == dead.version + 1


def test_marking_a_manual_refund_done_that_is_not_owed_says_what_to_look_at() -> None:
    refunded = refund_order().settled(
        SettlementResult(
            status=PaymentStatus.REFUNDED, refunded=eur("45.00"), released=eur("0"), manual=eur("0")
        )
    )

    with pytest.raises(ManualRefundNotOwed) as refused:
        refunded.manual_refund_done("paid twice?")

    message = str(refused.value)
    assert message.startswith("refund order 'r-1' has no manual refund outstanding")
    assert "(payment status refunded)" in message
    assert message.endswith("list manual_refunds_owed() to see what is owed.")


def test_a_new_refund_order_records_what_it_was_created_for_and_owes_nothing_back_yet() -> None:
    refund = refund_order(restock=False)

    assert (refund.id, refund.shop, refund.order_id) == ("r-1", "acme", "o-1")
    assert (refund.kind, refund.created_at, refund.restock) == (RefundKind.CANCELLATION, AT, False)
    assert (refund.refunded, refund.released, refund.manual_amount) == (eur("0"),) * 3
    assert (refund.payment_attempts, refund.last_error, refund.version) == (0, None, 1)


def test_settling_records_what_the_provider_did_and_clears_the_last_error() -> None:
    failed = refund_order().payment_failed("timeout", dead=False)
    result = SettlementResult(
        status=PaymentStatus.REFUNDED_AND_RELEASED,
        refunded=eur("30.00"),
        released=eur("15.00"),
        manual=eur("0"),
        provider_reference="refund-77",
        detail="refunded the capture, released the rest",
    )

    settled = failed.settled(result)

    assert settled.payment_status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (settled.refunded, settled.released, settled.manual_amount) == (
        eur("30.00"),
        eur("15.00"),
        eur("0"),
    )
    assert settled.provider_reference == "refund-77"
    assert settled.payment_detail == "refunded the capture, released the rest"
    assert (settled.payment_attempts, settled.last_error) == (2, None)
    assert settled.payment_settled


def test_a_settled_payment_keeps_the_restocks_error() -> None:
    failing = refund_order().stock_failed("ledger unavailable", dead=False)

    settled = failing.payment_failed("timeout", dead=False).settled(manual(eur("0")))

    assert (settled.stock_error, settled.payment_error) == ("ledger unavailable", None)
    assert settled.last_error == "ledger unavailable"


def test_a_restored_stock_keeps_the_payments_error() -> None:
    failing = refund_order().payment_failed("timeout", dead=True)

    restored = failing.stock_failed("ledger unavailable", dead=False).stock_restored()

    assert (restored.stock_error, restored.payment_error) == (None, "timeout")
    assert restored.last_error == "timeout"


def test_a_manual_refund_still_owed_is_a_pending_effect() -> None:
    owed = refund_order().stock_restored().settled(manual(eur("45.00")))

    assert owed.has_pending_effect
    assert not owed.manual_refund_done("paid back").has_pending_effect


def test_a_manual_payment_in_another_currency_is_refused() -> None:
    owed = refund_order().settled(manual(eur("45.00")))

    with pytest.raises(InvalidInput, match="a Money in EUR"):
        owed.manual_refund_done(None, Money.of("1", "SEK"))
