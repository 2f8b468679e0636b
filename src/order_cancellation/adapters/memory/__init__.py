"""In-memory adapters for every port: production code, thread-safe."""

from order_cancellation.adapters.memory.events import RecordingPublisher
from order_cancellation.adapters.memory.payments import (
    InMemoryPaymentProvider,
    Operation,
    ProviderOperation,
)
from order_cancellation.adapters.memory.store import MemoryBackend, MemoryUnitOfWork

__all__ = [
    "InMemoryPaymentProvider",
    "MemoryBackend",
    "MemoryUnitOfWork",
    "Operation",
    "ProviderOperation",
    "RecordingPublisher",
]
