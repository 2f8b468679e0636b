"""P1: thousands of random fault schedules, and never a second refund, cancel or release.

The bulk runs in process (the simulator's state machine behind an httpx transport); a few
hundred run over a real loopback socket, where lost answers are real timeouts and closed
connections.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Final

import pytest

from order_cancellation.testing.klarna_simulator import Exchange, KlarnaSimulator

from .contract import Contract
from .fuzz import Tally, run_many
from .support import START, figure, gateway_for

CI_SCHEDULES: Final = 2_000
NIGHTLY_SCHEDULES: Final = 10_000
SOCKET_SCHEDULES: Final = 200
SOCKET_THREADS: Final = 8
SOCKET_TIMEOUT: Final = 0.2
"""Seconds; every lost answer on the socket costs this much wall time."""


def _in_process(seeds: range, contract: Contract | None) -> Tally:
    def check(sim: KlarnaSimulator) -> None:
        if contract is not None:
            contract.check(sim.exchanges)

    sim = KlarnaSimulator(start=START)
    with gateway_for(sim, in_process=True) as gateway:
        return run_many(seeds, sim, gateway, check)


def _over_the_socket(seeds: range) -> tuple[Tally, list[Exchange]]:
    exchanges: list[Exchange] = []
    sim = KlarnaSimulator(start=START, hang_seconds=4 * SOCKET_TIMEOUT)
    with sim, gateway_for(sim, connect_timeout=SOCKET_TIMEOUT, read_timeout=SOCKET_TIMEOUT) as gw:
        tally = run_many(seeds, sim, gw, lambda s: exchanges.extend(s.exchanges), hang_share=0.25)
    return tally, exchanges


def _assert_no_duplicates(tally: Tally, schedules: int) -> None:
    assert tally.schedules == schedules
    assert (tally.double_refunds, tally.double_cancels, tally.double_releases) == (0, 0, 0)
    assert tally.wrong_outcomes == 0
    assert tally.rejected == 0
    assert tally.done + tally.pending == schedules
    assert tally.done > 0


def test_p1_random_fault_schedules_in_process(
    contract: Contract | None, reliability: Callable[[str], None]
) -> None:
    tally = _in_process(range(CI_SCHEDULES), contract)

    reliability(figure("P1", transport="in-process") + " " + tally.line())
    _assert_no_duplicates(tally, CI_SCHEDULES)


def test_p1_random_fault_schedules_over_a_real_socket(
    contract: Contract | None, reliability: Callable[[str], None]
) -> None:
    share = SOCKET_SCHEDULES // SOCKET_THREADS
    first = CI_SCHEDULES  # other seeds than the in-process run's
    chunks = [range(first + n * share, first + (n + 1) * share) for n in range(SOCKET_THREADS)]
    with ThreadPoolExecutor(SOCKET_THREADS) as pool:
        parts = list(pool.map(_over_the_socket, chunks))
    tally = Tally()
    for part, exchanges in parts:
        tally.add(part)
        if contract is not None:
            contract.check(exchanges)

    reliability(figure("P1", transport="socket") + " " + tally.line())
    _assert_no_duplicates(tally, SOCKET_SCHEDULES)


@pytest.mark.nightly
def test_p1_random_fault_schedules_nightly_size(
    contract: Contract | None, reliability: Callable[[str], None]
) -> None:
    tally = _in_process(range(NIGHTLY_SCHEDULES), contract)

    reliability(figure("P1", transport="in-process", size="nightly") + " " + tally.line())
    _assert_no_duplicates(tally, NIGHTLY_SCHEDULES)
