"""Stock movements: every change an order makes to stock, keyed so it applies once."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Final

import attrs

from order_cancellation.domain.errors import StockLevelOutOfRange

MAX_STOCK_LEVEL: Final = 10**15
"""The largest level a merchant may set. Units coming back from orders (at most
``MAX_QUANTITY`` per line) may lift a level above it, with room to spare before
``STORABLE_STOCK_LEVEL``."""
STORABLE_STOCK_LEVEL: Final = 2**63 - 1
"""The largest level any backend stores (SQLite INTEGER, PostgreSQL BIGINT)."""


def check_storable(levels: Mapping[str, int]) -> None:
    """Refuse levels no backend can store, the same way on every backend."""
    too_high = sorted(sku for sku, level in levels.items() if level > STORABLE_STOCK_LEVEL)
    if too_high:
        raise StockLevelOutOfRange(
            f"the stock level of {', '.join(too_high)} would pass {STORABLE_STOCK_LEVEL}, the "
            f"most a store can hold; nothing was changed. Set it lower with set_stock() "
            "(at most 10**15) and retry."
        )


class MovementKind(enum.Enum):
    SALE = "sale"  # placing the order took the units
    SALE_REVERSED = "sale_reversed"  # the placement failed after an external ledger took them
    CANCEL_RESTOCK = "cancel_restock"  # canceling put them back
    RETURN_RESTOCK = "return_restock"  # a return put some back


@attrs.frozen(kw_only=True, cache_hash=True)
class MovementKey:
    """Identifies a movement; a ledger applies each key at most once.

    ``reference`` is the refund order for return restocks (a line can be returned in
    several returns) and empty otherwise.
    """

    order_id: str
    line_id: str
    kind: MovementKind
    reference: str = ""


@attrs.frozen(kw_only=True)
class StockMovement:
    key: MovementKey
    sku: str
    delta: int  # negative takes stock, positive puts it back
