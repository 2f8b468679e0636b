"""Random fault schedules (P1): one order, one refund order, a relay that keeps retrying.

Each schedule draws a Klarna order (uncaptured, partly or fully captured, sometimes about
to expire), a refund order (a cancellation or a return), a fault for each request Klarna
will receive, and the relay's delays between attempts (seconds to more than a day).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Final

import attrs

from order_cancellation.adapters.klarna import KlarnaGateway
from order_cancellation.domain.errors import PaymentRejected, PaymentTemporarilyUnavailable
from order_cancellation.domain.refunds import RefundKind, SettlementResult
from order_cancellation.testing.klarna_simulator import (
    TRANSIENT_FAULTS,
    Delivery,
    Fault,
    KlarnaSimulator,
    Operation,
)

from .support import START, lines_of, settlement

KLARNA_ID: Final = "kl-fuzz"
REFUND_ORDER: Final = "ro-fuzz"
RELAY_ATTEMPTS: Final = 8
"""The relay dead-letters after this many attempts (the application's default)."""


@attrs.define
class Tally:
    schedules: int = 0
    done: int = 0
    pending: int = 0
    rejected: int = 0
    double_refunds: int = 0
    double_cancels: int = 0
    double_releases: int = 0
    wrong_outcomes: int = 0
    relay_attempts: int = 0
    faults: int = 0
    requests: int = 0

    def add(self, other: Tally) -> None:
        for field in attrs.fields(Tally):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))

    def line(self) -> str:
        mean = self.relay_attempts / max(1, self.schedules)
        return (
            f"schedules={self.schedules} double_refunds={self.double_refunds} "
            f"double_cancels={self.double_cancels} double_releases={self.double_releases} "
            f"wrong_outcomes={self.wrong_outcomes} rejected={self.rejected} done={self.done} "
            f"pending={self.pending} mean_relay_attempts={mean:.2f} faults={self.faults} "
            f"requests={self.requests}"
        )


def run_schedule(
    seed: int, sim: KlarnaSimulator, gateway: KlarnaGateway, *, hang_share: float = 1.0
) -> Tally:
    """Play one schedule on a fresh simulator; ``hang_share`` thins out the slow faults."""
    rng = random.Random(seed)  # reproducible by seed
    amount = rng.choice([1000, 2500, 9900, 120_000])
    short_life = timedelta(hours=rng.randint(1, 72))
    sim.create_order(KLARNA_ID, amount, expires_in=rng.choice([timedelta(days=28), short_life]))
    captured = rng.choice([0, 0, amount // 3, amount])
    if captured:
        sim.capture(KLARNA_ID, captured)
    kind, owed = RefundKind.CANCELLATION, amount
    if captured and rng.random() < 0.3:
        kind, owed = RefundKind.RETURN, rng.choice([captured, max(1, captured // 2)])
    faults = _faults(rng, hang_share)
    sim.inject(*faults)

    first_attempt_at = sim.clock
    result: SettlementResult | None = None
    tally = Tally(schedules=1)
    for attempt in range(1, RELAY_ATTEMPTS + 1):
        tally.relay_attempts += 1
        request = settlement(
            KLARNA_ID,
            owed,
            now=sim.clock,
            kind=kind,
            refund_order_id=REFUND_ORDER,
            first_attempt_at=first_attempt_at,
            attempt=attempt,
            lines=lines_of(owed),
        )
        try:
            result = gateway.settle(request)
            break
        except PaymentTemporarilyUnavailable:
            sim.advance(_relay_delay(rng))
        except PaymentRejected:
            tally.rejected += 1
            break
    _judge(tally, sim, result, kind=kind, owed=owed, captured=captured)
    return tally


def _faults(rng: random.Random, hang_share: float) -> list[Fault | None]:
    rate = rng.choice([0.1, 0.3, 0.5, 0.7, 0.9])
    faults: list[Fault | None] = []
    for _ in range(64):
        fault = rng.choice(TRANSIENT_FAULTS) if rng.random() < rate else None
        if fault is not None and fault.delivery is Delivery.HANG and rng.random() > hang_share:
            fault = rng.choice([f for f in TRANSIENT_FAULTS if f.delivery is not Delivery.HANG])
        faults.append(fault)
    return faults


def _relay_delay(rng: random.Random) -> timedelta:
    return rng.choice(
        [
            timedelta(seconds=rng.randint(1, 60)),
            timedelta(minutes=rng.randint(1, 60)),
            timedelta(hours=rng.randint(1, 23)),
            timedelta(hours=rng.randint(24, 30)),
        ]
    )


def _judge(
    tally: Tally,
    sim: KlarnaSimulator,
    result: SettlementResult | None,
    *,
    kind: RefundKind,
    owed: int,
    captured: int,
) -> None:
    refunds = [
        op
        for op in sim.operations
        if op.via_api and op.operation is Operation.REFUND and op.reference == REFUND_ORDER
    ]
    tally.double_refunds += max(0, len(refunds) - 1)
    tally.double_cancels += max(0, sim.count(Operation.CANCEL, KLARNA_ID) - 1)
    tally.double_releases += max(0, sim.count(Operation.RELEASE, KLARNA_ID) - 1)
    tally.requests += len(sim.exchanges)
    tally.faults += sum(1 for exchange in sim.exchanges if exchange.fault is not None)
    if result is None:
        tally.pending += 1 if not tally.rejected else 0
        return
    tally.done += 1
    order = sim.order(KLARNA_ID)
    refunded = sum(op.amount for op in refunds)
    if kind is RefundKind.CANCELLATION:
        right = order["remaining_authorized_amount"] == 0 and refunded == captured
    else:
        right = refunded == min(owed, captured)
    if not right or result.refunded.minor != refunded:
        tally.wrong_outcomes += 1


def run_many(
    seeds: range,
    sim: KlarnaSimulator,
    gateway: KlarnaGateway,
    check: Callable[[KlarnaSimulator], None],
    *,
    hang_share: float = 1.0,
) -> Tally:
    """Play each seed on the same simulator, reset in between, then ``check`` its log."""
    total = Tally()
    for seed in seeds:
        sim.reset(start=START)
        total.add(run_schedule(seed, sim, gateway, hang_share=hang_share))
        check(sim)
    return total
