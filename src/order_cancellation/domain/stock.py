"""Stock movements: every change an order makes to stock, keyed so it applies once."""

from __future__ import annotations

import enum

import attrs


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
