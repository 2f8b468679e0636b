"""The stock ledger in SQLite: levels, and the movements that changed them, each once.

A movement's key is the primary key of ``stock_movements``, written in the same
transaction as the level it changes; a redelivered restock finds its key and does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.sqlite.columns import corrupted
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.domain.errors import InsufficientStock
from order_cancellation.domain.stock import MovementKey, StockMovement, check_storable

# Movements (or SKUs) per lookup statement: 4 parameters each, well under SQLite's
# default limit of 999 parameters in older builds.
_CHUNK: Final = 200


class SQLiteStock:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def level(self, sku: str) -> int:
        row = self._db.run(
            "SELECT level FROM stock_levels WHERE shop = ? AND sku = ?", (self._shop, sku)
        ).fetchone()
        return 0 if row is None else self._checked(sku, row[0])

    def levels(self) -> dict[str, int]:
        rows = self._db.run(
            "SELECT sku, level FROM stock_levels WHERE shop = ? ORDER BY seq", (self._shop,)
        ).fetchall()
        return {sku: self._checked(sku, level) for sku, level in rows}

    def set_level(self, sku: str, quantity: int) -> None:
        self._db.run(
            "INSERT INTO stock_levels (shop, sku, level) VALUES (?, ?, ?)"
            " ON CONFLICT (shop, sku) DO UPDATE SET level = excluded.level",
            (self._shop, sku, quantity),
        )

    def applied(self, key: MovementKey) -> bool:
        row = self._db.run(
            "SELECT 1 FROM stock_movements WHERE shop = ? AND order_id = ? AND line_id = ?"
            " AND kind = ? AND reference = ?",
            (self._shop, key.order_id, key.line_id, key.kind.value, key.reference),
        ).fetchone()
        return row is not None

    def apply(self, movements: Sequence[StockMovement]) -> int:
        # Decide everything before writing anything: all movements apply, or none. One
        # statement reads which keys are taken and one the levels, whatever the number of
        # movements (in chunks that keep within SQLite's limit on parameters).
        unique = {m.key: m for m in movements}
        taken = self._taken(list(unique))
        fresh = {key: m for key, m in unique.items() if key not in taken}
        before = self._levels_of(sorted({m.sku for m in fresh.values()}))
        after: dict[str, int] = {}
        for movement in fresh.values():
            after[movement.sku] = after.get(movement.sku, before[movement.sku]) + movement.delta
        short = {sku: level for sku, level in after.items() if level < 0}
        if short:
            detail = ", ".join(
                f"{sku} (has {before[sku]}, needs {before[sku] - level})"
                for sku, level in sorted(short.items())
            )
            raise InsufficientStock(
                f"not enough stock for {detail}; set_stock() higher or order fewer units."
            )
        check_storable(after)
        for key, movement in fresh.items():
            self._db.run(
                "INSERT INTO stock_movements (shop, order_id, line_id, kind, reference, sku,"
                " delta) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    self._shop,
                    key.order_id,
                    key.line_id,
                    key.kind.value,
                    key.reference,
                    movement.sku,
                    movement.delta,
                ),
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
            rows = self._db.run(
                "SELECT order_id, line_id, kind, reference FROM stock_movements"  # noqa: S608 - placeholders only
                f" WHERE shop = ? AND order_id IN ({', '.join(['?'] * len(orders))})"
                " AND (order_id, line_id, kind, reference) IN"
                f" (VALUES {', '.join(['(?, ?, ?, ?)'] * len(chunk))})",
                [self._shop, *orders]
                + [p for k in chunk for p in (k.order_id, k.line_id, k.kind.value, k.reference)],
            ).fetchall()
            found = {tuple(row) for row in rows}
            taken.update(
                k for k in chunk if (k.order_id, k.line_id, k.kind.value, k.reference) in found
            )
        return taken

    def _levels_of(self, skus: list[str]) -> dict[str, int]:
        levels = dict.fromkeys(skus, 0)
        for start in range(0, len(skus), _CHUNK):
            chunk = skus[start : start + _CHUNK]
            rows = self._db.run(
                "SELECT sku, level FROM stock_levels WHERE shop = ?"  # noqa: S608 - placeholders only
                f" AND sku IN ({', '.join(['?'] * len(chunk))})",
                [self._shop, *chunk],
            ).fetchall()
            for sku, level in rows:
                levels[sku] = self._checked(sku, level)
        return levels

    def _checked(self, sku: str, level: object) -> int:
        if type(level) is not int:
            raise corrupted(f"the stock level of {sku!r} in shop {self._shop!r}", f"{level!r}")
        return level
