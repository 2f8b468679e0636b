"""Applying stock movements in SQLite.

The unit of work's ``BEGIN IMMEDIATE`` already holds the only write lock, so the levels
read here cannot change before they are written: decide with the shared rule, then write
the movements and the levels (see :mod:`order_cancellation.adapters.sql.stock`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.ledger import levels_after, unique
from order_cancellation.adapters.sql.stock import SQLStock
from order_cancellation.domain.stock import StockMovement

_ADD_MOVEMENT: Final = (
    "INSERT INTO stock_movements (shop, order_id, line_id, kind, reference, sku, delta)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class SQLiteStock(SQLStock):
    def apply(self, movements: Sequence[StockMovement]) -> int:
        # Decide everything before writing anything: all movements apply, or none.
        fresh = [m for m in unique(movements).values() if not self.applied(m.key)]
        after = levels_after(((m.sku, m.delta) for m in fresh), self.level)
        for movement in fresh:
            key = movement.key
            self._db.run(
                _ADD_MOVEMENT,
                (
                    self._shop,
                    key.order_id,
                    key.line_id,
                    key.kind.value,
                    key.reference,
                    movement.sku,
                    movement.delta,
                ),
                "applying stock movements",
            )
        for sku, level in after.items():
            self.set_level(sku, level)
        return len(fresh)
