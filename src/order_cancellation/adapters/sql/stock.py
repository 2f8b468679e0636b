"""The stock ledger's reads and counts in any SQL store; :meth:`apply` is the dialect's.

A movement's key is the primary key of ``stock_movements``, written in the same transaction
as the level it changes, so a redelivered restock finds its key and does nothing. How the
rows are locked and written while applying differs by engine; the rule that decides
(:mod:`order_cancellation.adapters.ledger`) does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.sql.dialect import Dialect, Runner
from order_cancellation.adapters.sql.rows import stock_level
from order_cancellation.domain.stock import MovementKey, StockMovement

_LEVEL: Final = "SELECT level FROM {t}stock_levels WHERE shop = ? AND sku = ?"
_LEVELS: Final = "SELECT sku, level FROM {t}stock_levels WHERE shop = ? ORDER BY sku"
_SET_LEVEL: Final = (
    "INSERT INTO {t}stock_levels (shop, sku, level) VALUES (?, ?, ?)"
    " ON CONFLICT (shop, sku) DO UPDATE SET level = excluded.level"
)
_APPLIED: Final = (
    "SELECT 1 FROM {t}stock_movements"
    " WHERE shop = ? AND order_id = ? AND line_id = ? AND kind = ? AND reference = ?"
)


class SQLStock:
    def __init__(self, db: Runner, dialect: Dialect, shop: str) -> None:
        self._db, self._dialect, self._shop = db, dialect, shop
        self._sql = dialect.sql

    def level(self, sku: str) -> int:
        row = self._db.one(self._sql(_LEVEL), (self._shop, sku), "reading a stock level")
        return 0 if row is None else stock_level(row[0], sku=sku, shop=self._shop)

    def levels(self) -> dict[str, int]:
        rows = self._db.rows(self._sql(_LEVELS), (self._shop,), "reading stock levels")
        return {sku: stock_level(level, sku=sku, shop=self._shop) for sku, level in rows}

    def set_level(self, sku: str, quantity: int) -> None:
        self._db.run(self._sql(_SET_LEVEL), (self._shop, sku, quantity), "setting a stock level")

    def applied(self, key: MovementKey) -> bool:
        row = self._db.one(
            self._sql(_APPLIED),
            (self._shop, key.order_id, key.line_id, key.kind.value, key.reference),
            "reading the stock ledger",
        )
        return row is not None

    def apply(self, movements: Sequence[StockMovement]) -> int:
        raise NotImplementedError  # each dialect applies with its own locking
