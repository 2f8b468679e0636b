"""An event publisher that keeps what it was given, for tests and in-process consumers."""

from __future__ import annotations

import threading
from collections.abc import Callable

from order_cancellation.domain.events import DomainEvent


class RecordingPublisher:
    """Keeps every published event in ``events`` and calls any subscribers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[DomainEvent] = []
        self._subscribers: list[Callable[[DomainEvent], None]] = []

    def subscribe(self, subscriber: Callable[[DomainEvent], None]) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def publish(self, event: DomainEvent) -> None:
        with self._lock:
            self.events.append(event)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber(event)

    def of_type(self, kind: type[DomainEvent]) -> list[DomainEvent]:
        with self._lock:
            return [event for event in self.events if isinstance(event, kind)]
