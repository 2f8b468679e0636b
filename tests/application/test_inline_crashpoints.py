"""Inline effects across a kill: the boundaries a command with inline effects has.

With inline effects and the built-in ledger, a cancel restocks in its own transaction and
leases its other effects to its own relay in that same transaction, for a short lease
(``INLINE_LEASE``). A process killed anywhere after that commit loses nothing and repeats
nothing, and its effects are taken over once that short lease has run out, not after the
relay's full one.

The kill is caught in-process (see ``test_relay_crashpoints``); a new ``Sales`` on the
same store plays the restarted process.
"""

from __future__ import annotations

from collections import Counter

import pytest

from order_cancellation import PaymentStatus, RefundOrder, StockStatus
from order_cancellation.adapters.memory import Operation
from order_cancellation.application import crashpoints
from order_cancellation.application.relay import INLINE_LEASE
from order_cancellation.ports.persistence import Effect, MessageStatus
from tests.application.harness import DEFAULT_STOCK, Shop
from tests.application.test_relay_crashpoints import LEASE, Arm, PowerCut, arm

__all__ = ["arm"]  # the fixture, shared with test_relay_crashpoints

AFTER_THE_COMMIT = [
    crashpoints.AFTER_COMMIT,
    crashpoints.AFTER_STOCK_MOVEMENT,
    crashpoints.AFTER_CLAIM,
    crashpoints.AFTER_PAYMENT_CALL,
]


def _killed_while_canceling(shop: Shop, arm: Arm, point: str) -> RefundOrder:
    order = shop.place()
    arm(point)
    with pytest.raises(PowerCut):
        shop.sales.cancel_order(order.id)
    arm("")
    (refund,) = shop.sales.refund_orders(order_id=order.id)
    return refund


def _restarted(shop: Shop) -> Shop:
    """The same store, provider and publisher, opened again by a new process."""
    return Shop.open(
        shop.name,
        backend=shop.backend,
        clock=shop.clock,
        card=shop.card,
        publisher=shop.publisher,
        stock={},
    )


def test_the_inline_lease_is_much_shorter_than_the_relays() -> None:
    assert INLINE_LEASE * 10 <= LEASE


@pytest.mark.parametrize("point", AFTER_THE_COMMIT)
def test_a_kill_after_an_inline_commit_loses_nothing_and_repeats_nothing(
    shop: Shop, arm: Arm, point: str
) -> None:
    refund = _killed_while_canceling(shop, arm, point)
    restarted = _restarted(shop)

    restarted.clock.advance(INLINE_LEASE)
    restarted.sales.process_pending()

    done = restarted.sales.get_refund_order(refund.id)
    assert (done.stock_status, done.payment_status) == (StockStatus.DONE, PaymentStatus.VOIDED)
    assert restarted.sales.stock_levels() == DEFAULT_STOCK
    assert shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert restarted.sales.pending_effects() == 0
    published = Counter(type(event).__name__ for event in shop.publisher.events)
    once = ("OrderCanceled", "StockRestored", "PaymentVoided")
    assert {name: published[name] for name in once} == dict.fromkeys(once, 1)


@pytest.mark.parametrize("point", [crashpoints.AFTER_COMMIT, crashpoints.AFTER_CLAIM])
def test_effects_leased_with_a_killed_command_wait_only_for_the_inline_lease(
    shop: Shop, arm: Arm, point: str
) -> None:
    refund = _killed_while_canceling(shop, arm, point)
    restarted = _restarted(shop)

    restarted.sales.process_pending()
    assert restarted.sales.get_refund_order(refund.id).payment_status is PaymentStatus.PENDING

    restarted.clock.advance(INLINE_LEASE)
    restarted.sales.process_pending()
    assert restarted.sales.get_refund_order(refund.id).payment_status is PaymentStatus.VOIDED


def test_a_kill_after_the_commands_restock_finds_the_stock_back_and_recorded(
    shop: Shop, arm: Arm
) -> None:
    refund = _killed_while_canceling(shop, arm, crashpoints.AFTER_STOCK_MOVEMENT)

    assert shop.sales.stock_levels() == DEFAULT_STOCK
    stored = shop.sales.get_refund_order(refund.id)
    assert (stored.stock_status, stored.payment_status) == (
        StockStatus.DONE,
        PaymentStatus.PENDING,
    )


def test_with_inline_effects_the_restock_commits_with_the_command_and_no_relay_runs_it(
    shop: Shop,
) -> None:
    refund = shop.sales.cancel_order(shop.place().id)

    with shop.backend.unit_of_work(shop.name) as uow:
        (restock,) = [
            m for m in uow.outbox.for_refund_order(refund.id) if m.handler == Effect.RESTOCK
        ]
    assert restock.status is MessageStatus.DONE
    assert (restock.leased_by, restock.first_attempt_at, restock.attempts) == (None, None, 0)
    assert shop.sales.stock_levels() == DEFAULT_STOCK


def test_with_deferred_effects_the_restock_still_waits_for_the_relay(
    deferred_shop: Shop,
) -> None:
    order = deferred_shop.place()
    deferred_shop.sales.process_pending()
    before = deferred_shop.sales.stock_levels()

    refund = deferred_shop.sales.cancel_order(order.id)

    assert refund.stock_status is StockStatus.PENDING
    assert deferred_shop.sales.stock_levels() == before
    deferred_shop.sales.process_pending()
    assert deferred_shop.sales.stock_levels() == DEFAULT_STOCK
