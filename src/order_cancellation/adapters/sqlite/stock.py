"""The stock ledger in SQLite: levels, and the movements that changed them, each once.

A movement's key is the primary key of ``stock_movements``, written in the same
transaction as the level it changes; a redelivered restock finds its key and does nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from order_cancellation.adapters.sqlite.columns import corrupted
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.domain.errors import InsufficientStock
from order_cancellation.domain.stock import MovementKey, StockMovement, check_storable


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
        # Decide everything before writing anything: all movements apply, or none.
        fresh = {m.key: m for m in movements if not self.applied(m.key)}
        before: dict[str, int] = {}
        after: dict[str, int] = {}
        for movement in fresh.values():
            if movement.sku not in before:
                before[movement.sku] = self.level(movement.sku)
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

    def _checked(self, sku: str, level: object) -> int:
        if type(level) is not int:
            raise corrupted(f"the stock level of {sku!r} in shop {self._shop!r}", f"{level!r}")
        return level
