"""Clocks: the system's, and one that a test or a simulation moves by hand."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from order_cancellation.domain.errors import InvalidInput


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; thread-safe."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        if start.utcoffset() is None:
            raise InvalidInput("a ManualClock starts at a timezone-aware datetime.")
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise InvalidInput("a clock only moves forward.")
        with self._lock:
            self._now += delta
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            if moment < self._now:
                raise InvalidInput("a clock only moves forward.")
            self._now = moment
