"""Crash points: a process armed with ``ORDER_CANCELLATION_CRASHPOINT=<name>[:<n>]`` kills
itself the n-th time it reaches the point, and a relay killed there loses nothing.

The kill is caught in-process here: ``os.kill`` raises :class:`PowerCut`, which no handler
catches (as nothing runs after a SIGKILL), and a new delivery after the lease ran out plays
the part of the restarted process.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from order_cancellation import PaymentStatus, StockStatus
from order_cancellation.adapters.memory import Operation
from order_cancellation.application import crashpoints
from tests.application.harness import DEFAULT_STOCK, Shop
from tests.application.platform_ledger import PlatformLedger
from tests.application.test_effects_restock import shop_with_ledger

LEASE = timedelta(seconds=60)

Arm = Callable[[str], None]


class PowerCut(BaseException):
    """The process was killed: nothing after this point ran."""


@pytest.fixture
def arm(monkeypatch: pytest.MonkeyPatch) -> Arm:
    """Arm the crash points as the environment variable would, with SIGKILL made visible."""

    def kill(pid: int, sig: int) -> None:
        assert (pid, sig) == (os.getpid(), signal.SIGKILL)
        raise PowerCut

    monkeypatch.setattr(os, "kill", kill)
    monkeypatch.setattr(crashpoints, "_reached", {})

    def armed(setting: str) -> None:
        monkeypatch.setattr(crashpoints, "_ARMED", setting)

    armed("")
    return armed


def test_unarmed_points_never_kill(arm: Arm) -> None:
    for _ in range(3):
        for point in crashpoints.ALL:
            crashpoints.reached(point)


def test_a_point_armed_by_name_kills_the_first_time_it_is_reached(arm: Arm) -> None:
    arm(crashpoints.AFTER_CLAIM)

    with pytest.raises(PowerCut):
        crashpoints.reached(crashpoints.AFTER_CLAIM)


def test_a_point_armed_for_the_nth_visit_kills_on_that_visit(arm: Arm) -> None:
    arm(f"{crashpoints.AFTER_CLAIM}:3")
    crashpoints.reached(crashpoints.AFTER_CLAIM)
    crashpoints.reached(crashpoints.AFTER_CLAIM)

    with pytest.raises(PowerCut):
        crashpoints.reached(crashpoints.AFTER_CLAIM)


def test_other_points_do_not_count_towards_the_armed_one(arm: Arm) -> None:
    arm(f"{crashpoints.AFTER_PAYMENT_CALL}:2")
    for point in crashpoints.ALL:
        if point != crashpoints.AFTER_PAYMENT_CALL:
            crashpoints.reached(point)
            crashpoints.reached(point)
    crashpoints.reached(crashpoints.AFTER_PAYMENT_CALL)

    with pytest.raises(PowerCut):
        crashpoints.reached(crashpoints.AFTER_PAYMENT_CALL)


@pytest.mark.parametrize(
    "point",
    [crashpoints.AFTER_CLAIM, crashpoints.AFTER_STOCK_MOVEMENT, crashpoints.AFTER_PAYMENT_CALL],
)
def test_a_relay_killed_at_a_crash_point_loses_nothing_and_does_nothing_twice(
    deferred_shop: Shop, arm: Arm, point: str
) -> None:
    order = deferred_shop.place()
    deferred_shop.sales.process_pending()
    refund = deferred_shop.sales.cancel_order(order.id)
    arm(point)

    with pytest.raises(PowerCut):
        deferred_shop.sales.process_pending()
    arm("")
    assert deferred_shop.sales.pending_effects() > 0
    deferred_shop.sales.process_pending()  # the dead relay's lease has not run out yet
    assert deferred_shop.sales.pending_effects() > 0
    deferred_shop.clock.advance(LEASE + timedelta(seconds=1))
    deferred_shop.sales.process_pending()

    done = deferred_shop.sales.get_refund_order(refund.id)
    assert (done.stock_status, done.payment_status) == (StockStatus.DONE, PaymentStatus.VOIDED)
    assert deferred_shop.sales.stock_levels() == DEFAULT_STOCK
    assert deferred_shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert deferred_shop.sales.pending_effects() == 0


def test_the_messages_of_a_killed_worker_name_it_until_its_lease_runs_out(
    deferred_shop: Shop, arm: Arm
) -> None:
    deferred_shop.sales.cancel_order(deferred_shop.place().id)
    arm(crashpoints.AFTER_CLAIM)

    with pytest.raises(PowerCut):
        deferred_shop.sales.run_worker(threading.Event(), poll_interval=1.0, worker_id="worker-7")

    with deferred_shop.backend.unit_of_work(deferred_shop.name) as uow:
        leases = {(m.leased_by, m.lease_until) for m in uow.outbox.pending()}
    assert leases == {("worker-7", deferred_shop.clock.now() + LEASE)}


def test_a_relay_killed_after_the_platforms_ledger_moved_the_stock_moves_it_once(
    arm: Arm,
) -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger, effects="deferred")
    order = shop.place()
    shop.sales.process_pending()
    refund = shop.sales.cancel_order(order.id)
    arm(crashpoints.AFTER_STOCK_MOVEMENT)

    with pytest.raises(PowerCut):
        shop.sales.process_pending()
    arm("")
    assert ledger.levels() == DEFAULT_STOCK  # moved before the crash, not yet recorded
    assert shop.sales.get_refund_order(refund.id).stock_status is StockStatus.PENDING
    shop.clock.advance(LEASE + timedelta(seconds=1))
    shop.sales.process_pending()

    assert shop.sales.get_refund_order(refund.id).stock_status is StockStatus.DONE
    assert ledger.levels() == DEFAULT_STOCK
    assert len(ledger.history) == 2 * len(order.lines)  # the sale and one restock per line
