"""Fixtures for the Klarna adapter tests: a simulator on loopback, a gateway, the contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from order_cancellation.adapters.klarna import KlarnaGateway
from order_cancellation.testing.klarna_simulator import KlarnaSimulator

from .contract import Contract, load_contract
from .support import START, Sleeps, gateway_for


@pytest.fixture(scope="session")
def contract() -> Contract | None:
    return load_contract()


@pytest.fixture
def sim(contract: Contract | None) -> Iterator[KlarnaSimulator]:
    """A simulator served on 127.0.0.1; every exchange is checked against the contract."""
    with KlarnaSimulator(start=START, hang_seconds=1.0) as simulator:
        yield simulator
    if contract is not None:
        contract.check(simulator.exchanges)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def gateway(sim: KlarnaSimulator, sleeps: Sleeps) -> Iterator[KlarnaGateway]:
    with gateway_for(sim, sleeps=sleeps) as klarna:
        yield klarna
