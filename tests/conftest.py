"""Shared test setup: Hypothesis profiles, a shop on the in-memory backend, figure lines.

Hypothesis profiles (choose with ``HYPOTHESIS_PROFILE``, default ``dev``):

- ``dev``: Hypothesis's defaults, for everyday runs;
- ``ci``: derandomized (the same examples on every run), no deadline, no example database,
  and a reproduction blob printed for any failure;
- ``nightly``: 2000 examples per property, random seeds, the example database kept;
- ``mutation``: derandomized and 20 examples per property, so that a mutation run (which
  runs the tests once per mutant) ends in minutes rather than hours.

Tests that measure something report one ``RELIABILITY ...`` line through the ``reliability``
fixture; the lines are printed together at the end of the run.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from hypothesis import settings

from order_cancellation import Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider, RecordingPublisher
from tests.application.harness import Shop

settings.register_profile("dev")
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True)
settings.register_profile("nightly", max_examples=2000, deadline=None)
settings.register_profile(
    "mutation", derandomize=True, deadline=None, database=None, max_examples=20
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

_FIGURES = pytest.StashKey[list[str]]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_FIGURES] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    figures = terminalreporter.config.stash.get(_FIGURES, [])
    if figures:
        terminalreporter.section("reliability figures")
        for line in figures:
            terminalreporter.write_line(line)


@pytest.fixture
def reliability(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Report one figure line, e.g. ``reliability("RELIABILITY B2 pairs_matching=12/12")``."""

    def record(line: str) -> None:
        print(line)
        request.config.stash[_FIGURES].append(line)

    return record


@pytest.fixture
def clock() -> ManualClock:
    """A clock that stands still until a test moves it (Monday 2026-01-05 09:00 UTC)."""
    return ManualClock()


@pytest.fixture
def card() -> InMemoryPaymentProvider:
    """A card-like payment provider held in memory, registered as provider ``"card"``."""
    return InMemoryPaymentProvider()


@pytest.fixture
def publisher() -> RecordingPublisher:
    return RecordingPublisher()


@pytest.fixture
def shop(clock: ManualClock, card: InMemoryPaymentProvider, publisher: RecordingPublisher) -> Shop:
    """The shop "acme" on the in-memory backend, effects inline."""
    return Shop.open("acme", clock=clock, card=card, publisher=publisher)


@pytest.fixture
def deferred_shop(
    clock: ManualClock, card: InMemoryPaymentProvider, publisher: RecordingPublisher
) -> Shop:
    """The shop "acme" with effects left to ``process_pending``."""
    return Shop.open("acme", clock=clock, card=card, publisher=publisher, effects="deferred")


@pytest.fixture
def sales(shop: Shop) -> Sales:
    """The ``Sales`` of :func:`shop`."""
    return shop.sales
