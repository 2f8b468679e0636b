"""The retry policy: capped exponential backoff with full jitter, dead-letter after the last
attempt."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from order_cancellation import RetryPolicy
from order_cancellation.adapters.clock import ManualClock

NOW = ManualClock().now()


@pytest.mark.parametrize(
    ("failed_attempts", "wait"),
    [(1, 2), (2, 4), (3, 8), (4, 16), (7, 128)],
)
def test_without_jitter_the_wait_doubles_from_the_base(failed_attempts: int, wait: int) -> None:
    policy = RetryPolicy(jitter=False)

    retry_at = policy.next_attempt(attempts_so_far=failed_attempts, now=NOW)

    assert retry_at == NOW + timedelta(seconds=wait)


def test_the_wait_never_exceeds_the_cap() -> None:
    policy = RetryPolicy(max_attempts=20, base=timedelta(seconds=2), jitter=False)

    # 2 s * 2**11 = 4096 s is above the one-hour cap.
    retry_at = policy.next_attempt(attempts_so_far=12, now=NOW)

    assert retry_at == NOW + timedelta(hours=1)


def test_after_the_last_attempt_the_effect_is_dead_lettered() -> None:
    policy = RetryPolicy(max_attempts=3, jitter=False)

    assert policy.next_attempt(attempts_so_far=2, now=NOW) == NOW + timedelta(seconds=4)
    assert policy.next_attempt(attempts_so_far=3, now=NOW) is None
    assert policy.next_attempt(attempts_so_far=4, now=NOW) is None


def test_the_default_policy_tries_eight_times() -> None:
    policy = RetryPolicy()

    assert policy.next_attempt(attempts_so_far=7, now=NOW) is not None
    assert policy.next_attempt(attempts_so_far=8, now=NOW) is None


@pytest.mark.parametrize(("fraction", "wait"), [(0.25, 2.0), (0.5, 4.0), (0.999, 7.992)])
def test_full_jitter_waits_a_random_fraction_of_the_ceiling(
    monkeypatch: pytest.MonkeyPatch, fraction: float, wait: float
) -> None:
    monkeypatch.setattr(random, "random", lambda: fraction)
    policy = RetryPolicy(jitter=True)

    retry_at = policy.next_attempt(attempts_so_far=3, now=NOW)  # ceiling 8 s

    assert retry_at == NOW + timedelta(seconds=wait)


def test_a_retry_is_never_scheduled_for_the_same_instant(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(random, "random", lambda: 0.0)

    retry_at = RetryPolicy().next_attempt(attempts_so_far=1, now=NOW)

    assert retry_at == NOW + timedelta(milliseconds=1)


def test_jittered_waits_stay_within_the_ceiling() -> None:
    policy = RetryPolicy()

    waits = {policy.next_attempt(attempts_so_far=4, now=NOW) for _ in range(50)}

    assert len(waits) > 1
    assert all(w is not None and NOW < w <= NOW + timedelta(seconds=16) for w in waits)
