"""Publishing domain events to the world outside, and telling the time."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from order_cancellation.domain.events import DomainEvent


class EventPublisher(Protocol):
    """Delivers events to subscribers. Called at least once per event; consumers dedupe."""

    def publish(self, event: DomainEvent) -> None: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...
