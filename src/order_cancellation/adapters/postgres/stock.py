"""Applying stock movements in PostgreSQL (reads and counts: the shared SQL core).

Applying movements locks the stock rows involved in one global order (sorted by SKU), so two
orders sharing SKUs queue behind each other instead of deadlocking. With the rows locked,
inserting the movements with ``ON CONFLICT DO NOTHING`` tells which keys are new: a
redelivered restock finds its keys taken and changes nothing. The whole step runs in a
savepoint, so a shortfall (or a deadlock PostgreSQL still detects, say against rows locked
outside this ledger) undoes exactly this step and leaves the transaction usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from order_cancellation.adapters.ledger import levels_after, unique
from order_cancellation.adapters.postgres.connection import Session, is_retryable
from order_cancellation.adapters.postgres.dialect import POSTGRES
from order_cancellation.adapters.sql.stock import SQLStock
from order_cancellation.domain.errors import InsufficientStock
from order_cancellation.domain.stock import StockMovement

# A deadlocked step is rolled back to its savepoint and run again this many times in all.
APPLY_ATTEMPTS: Final = 3


class PostgresStock(SQLStock):
    def __init__(self, session: Session) -> None:
        super().__init__(session, POSTGRES, session.shop)
        self._s = session

    def apply(self, movements: Sequence[StockMovement]) -> int:
        given = list(unique(movements).values())
        if not given:
            return 0
        for attempt in range(APPLY_ATTEMPTS):
            try:
                with self._s.savepoint("stock_apply", "applying stock movements"):
                    return self._apply(given)
            except InsufficientStock:
                raise
            except Exception as error:
                if not is_retryable(error) or attempt == APPLY_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _apply(self, movements: list[StockMovement]) -> int:
        skus = sorted({m.sku for m in movements})
        # A row must exist to be locked; new SKUs start at zero (undone with the savepoint
        # when the step fails).
        self._s.run(
            "INSERT INTO {schema}.stock_levels (shop, sku, level)"
            " SELECT %s, s.sku, 0 FROM unnest(%s::text[]) AS s(sku) ORDER BY s.sku"
            " ON CONFLICT (shop, sku) DO NOTHING",
            (self._s.shop, skus),
            "applying stock movements",
        )
        locked = self._s.rows(
            "SELECT sku, level FROM {schema}.stock_levels"
            " WHERE shop = %s AND sku = ANY(%s::text[]) ORDER BY sku FOR UPDATE",
            (self._s.shop, skus),
            "applying stock movements",
        )
        before = {sku: int(level) for sku, level in locked}
        fresh = self._s.rows(
            "INSERT INTO {schema}.stock_movements"
            " (shop, order_id, line_id, kind, reference, sku, delta)"
            " SELECT %s, m.order_id, m.line_id, m.kind, m.reference, m.sku, m.delta"
            " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[],"
            " %s::bigint[]) AS m(order_id, line_id, kind, reference, sku, delta)"
            " ON CONFLICT (shop, order_id, line_id, kind, reference) DO NOTHING"
            " RETURNING sku, delta",
            (
                self._s.shop,
                [m.key.order_id for m in movements],
                [m.key.line_id for m in movements],
                [m.key.kind.value for m in movements],
                [m.key.reference for m in movements],
                [m.sku for m in movements],
                [m.delta for m in movements],
            ),
            "applying stock movements",
        )
        after = levels_after(((sku, int(delta)) for sku, delta in fresh), before.__getitem__)
        if after:
            self._s.run(
                "UPDATE {schema}.stock_levels AS l SET level = a.level"
                " FROM unnest(%s::text[], %s::bigint[]) AS a(sku, level)"
                " WHERE l.shop = %s AND l.sku = a.sku",
                (list(after), list(after.values()), self._s.shop),
                "applying stock movements",
            )
        return len(fresh)
