"""The stock rule, shared by every stock ledger (memory, SQLite, PostgreSQL).

Movements are decided before anything is written: each SKU's level after all the fresh
movements must stay at zero or above (else :class:`InsufficientStock`, naming each SKU
short, and nothing applies) and within the storable range (else
:class:`StockLevelOutOfRange`). A ledger applies the levels this returns, or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from order_cancellation.domain.errors import InsufficientStock
from order_cancellation.domain.stock import MovementKey, StockMovement, check_storable


def unique(movements: Sequence[StockMovement]) -> dict[MovementKey, StockMovement]:
    """One movement per key, the last one given winning."""
    return {movement.key: movement for movement in movements}


def levels_after(changes: Iterable[tuple[str, int]], level: Callable[[str], int]) -> dict[str, int]:
    """The level of each SKU that the fresh movements' ``(sku, delta)`` changes touch, once
    they all apply, from ``level(sku)`` before them; raises when they may not apply."""
    before: dict[str, int] = {}
    after: dict[str, int] = {}
    for sku, delta in changes:
        if sku not in before:
            before[sku] = level(sku)
        after[sku] = after.get(sku, before[sku]) + delta
    short = {sku: value for sku, value in after.items() if value < 0}
    if short:
        detail = ", ".join(
            f"{sku} (has {before[sku]}, needs {before[sku] - value})"
            for sku, value in sorted(short.items())
        )
        raise InsufficientStock(
            f"not enough stock for {detail}; set_stock() higher or order fewer units."
        )
    check_storable(after)
    return after
