"""When a failed effect is tried again, and when it stops being tried."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import attrs


@attrs.frozen(kw_only=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter; dead-letter after ``max_attempts``."""

    max_attempts: int = 8
    base: timedelta = timedelta(seconds=2)
    cap: timedelta = timedelta(hours=1)
    jitter: bool = True

    def next_attempt(self, *, attempts_so_far: int, now: datetime) -> datetime | None:
        """When to try again after ``attempts_so_far`` failed attempts; None: dead-letter."""
        if attempts_so_far >= self.max_attempts:
            return None
        ceiling = min(self.cap, self.base * (2 ** (attempts_so_far - 1)))
        fraction = random.random() if self.jitter else 1.0  # noqa: S311 - not cryptography
        delay = timedelta(seconds=ceiling.total_seconds() * fraction)
        return now + max(delay, timedelta(milliseconds=1))
