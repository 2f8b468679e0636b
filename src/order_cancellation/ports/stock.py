"""The stock ledger port."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from order_cancellation.domain.stock import MovementKey, StockMovement


class StockLedger(Protocol):
    """One shop's stock levels and the movements that changed them.

    Each movement is applied at most once, however often it is delivered: its key is
    remembered with it. That is what lets a restock be retried safely.
    """

    def level(self, sku: str) -> int:
        """Units on hand; zero for a SKU never seen."""
        ...

    def levels(self) -> Mapping[str, int]:
        """Every SKU that has a level, in order of SKU."""
        ...

    def set_level(self, sku: str, quantity: int) -> None:
        """The merchant's count; it overrides the level, not the movement history."""
        ...

    def apply(self, movements: Sequence[StockMovement]) -> int:
        """Apply the movements whose keys were never applied, all or none.

        Returns how many were applied now. A movement that would take the level below
        zero raises :class:`InsufficientStock` and nothing is applied.
        """
        ...

    def applied(self, key: MovementKey) -> bool: ...
