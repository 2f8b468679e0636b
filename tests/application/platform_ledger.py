"""The platform's own stock, as a ``StockLedger`` outside the library's store (what a
commerce-platform plugin passes as ``stock=``), with the failures a test needs to stage."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from order_cancellation import InsufficientStock
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement

RESTOCKS = (MovementKind.CANCEL_RESTOCK, MovementKind.RETURN_RESTOCK)


class PlatformLedger:
    """Levels in a dict; each movement key applies once, all or none, and ``history`` keeps
    every movement applied, in order.

    ``fail_next`` makes the next calls fail as an unreachable service would (only the calls
    that restock, with ``restocks_only``); ``meanwhile`` runs an action at the start of the
    next call (another request of the platform arriving at that moment).
    """

    def __init__(self, levels: Mapping[str, int] | None = None) -> None:
        self._levels = dict(levels or {})
        self.history: list[StockMovement] = []
        self._failures: list[tuple[str, bool]] = []
        self._meanwhile: list[Callable[[], object]] = []

    def fail_next(
        self,
        count: int = 1,
        error: str = "inventory service unreachable",
        *,
        restocks_only: bool = False,
    ) -> None:
        self._failures.extend([(error, restocks_only)] * count)

    def meanwhile(self, action: Callable[[], object]) -> None:
        self._meanwhile.append(action)

    def level(self, sku: str) -> int:
        return self._levels.get(sku, 0)

    def levels(self) -> Mapping[str, int]:
        return dict(self._levels)

    def set_level(self, sku: str, quantity: int) -> None:
        self._levels[sku] = quantity

    def applied(self, key: MovementKey) -> bool:
        return any(movement.key == key for movement in self.history)

    def of_kind(self, kind: MovementKind) -> list[StockMovement]:
        return [movement for movement in self.history if movement.key.kind is kind]

    def apply(self, movements: Sequence[StockMovement]) -> int:
        if self._meanwhile:
            self._meanwhile.pop(0)()
        if self._failures:
            error, restocks_only = self._failures[0]
            if not restocks_only or any(m.key.kind in RESTOCKS for m in movements):
                self._failures.pop(0)
                raise ConnectionError(error)
        seen = {movement.key for movement in self.history}
        fresh = [movement for movement in movements if movement.key not in seen]
        after = dict(self._levels)
        for movement in fresh:
            after[movement.sku] = after.get(movement.sku, 0) + movement.delta
            if after[movement.sku] < 0:
                raise InsufficientStock(f"not enough {movement.sku} on the platform.")
        self._levels = after
        self.history.extend(fresh)
        return len(fresh)
