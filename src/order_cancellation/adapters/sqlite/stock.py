"""Applying stock movements in SQLite.

The unit of work's ``BEGIN IMMEDIATE`` already holds the only write lock, so the levels
read here cannot change before they are written: decide with the shared rule, then write
the movements and the levels (see :mod:`order_cancellation.adapters.sql.stock`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.ledger import levels_after, unique
from order_cancellation.adapters.sql.rows import stock_level
from order_cancellation.adapters.sql.stock import SQLStock
from order_cancellation.domain.stock import MovementKey, StockMovement

_ADD_MOVEMENT: Final = (
    "INSERT INTO stock_movements (shop, order_id, line_id, kind, reference, sku, delta)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)

# Movements (or SKUs) per lookup statement: 4 parameters each, well under SQLite's
# default limit of 999 parameters in older builds.
_CHUNK: Final = 200


class SQLiteStock(SQLStock):
    def apply(self, movements: Sequence[StockMovement]) -> int:
        # Decide everything before writing anything: all movements apply, or none. One
        # statement reads which keys are taken and one the levels, whatever the number of
        # movements (in chunks that keep within SQLite's limit on parameters).
        wanted = unique(movements)
        taken = self._taken(list(wanted))
        fresh = [m for key, m in wanted.items() if key not in taken]
        before = self._levels_of(sorted({m.sku for m in fresh}))
        after = levels_after(((m.sku, m.delta) for m in fresh), before.__getitem__)
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

    def _taken(self, keys: list[MovementKey]) -> set[MovementKey]:
        taken: set[MovementKey] = set()
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            orders = sorted({k.order_id for k in chunk})
            # The order ids narrow the search to the primary key's (shop, order_id) prefix:
            # SQLite does not search an index with a list of row values alone (it would scan
            # every movement of the shop).
            rows = self._db.rows(
                "SELECT order_id, line_id, kind, reference FROM stock_movements"  # noqa: S608 - placeholders only
                f" WHERE shop = ? AND order_id IN ({', '.join(['?'] * len(orders))})"
                " AND (order_id, line_id, kind, reference) IN"
                f" (VALUES {', '.join(['(?, ?, ?, ?)'] * len(chunk))})",
                [self._shop, *orders]
                + [p for k in chunk for p in (k.order_id, k.line_id, k.kind.value, k.reference)],
                "reading which stock movements were applied",
            )
            found = {tuple(row) for row in rows}
            taken.update(
                k for k in chunk if (k.order_id, k.line_id, k.kind.value, k.reference) in found
            )
        return taken

    def _levels_of(self, skus: list[str]) -> dict[str, int]:
        levels = dict.fromkeys(skus, 0)
        for start in range(0, len(skus), _CHUNK):
            chunk = skus[start : start + _CHUNK]
            rows = self._db.rows(
                "SELECT sku, level FROM stock_levels WHERE shop = ?"  # noqa: S608 - placeholders only
                f" AND sku IN ({', '.join(['?'] * len(chunk))})",
                [self._shop, *chunk],
                "reading stock levels",
            )
            for sku, level in rows:
                levels[sku] = stock_level(level, sku=sku, shop=self._shop)
        return levels
