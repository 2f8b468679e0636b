"""A platform plugin that brings its own stock: a ``StockLedger`` over the platform's store.

An e-commerce platform already keeps inventory in its own database (here, a JSON file).
The plugin gives the library an adapter of that store with ``Sales.in_memory(..., stock=...)``.
Placing an order takes units from the platform's store; canceling puts them back once, even
when the restock is delivered twice: below, the platform's API times out *after* doing the
work, the library retries, and the movement's key tells the store that it was applied.

Run it: ``python examples/platform_plugin_stock.py [inventory.json]``.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TypedDict

from order_cancellation import InsufficientStock, LineItem, Money, Sales, StockStatus
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement


class Inventory(TypedDict):
    levels: dict[str, int]
    applied: list[str]  # the key of every movement ever applied


class PlatformStock:
    """The platform's inventory file as a ``StockLedger``.

    Levels and applied keys are written together, in one atomic file replacement: that is
    what makes a movement apply at most once, however often it is delivered.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()  # the library may call from several threads
        if not path.exists():
            self._write(Inventory(levels={}, applied=[]))

    def level(self, sku: str) -> int:
        return self._read()["levels"].get(sku, 0)

    def levels(self) -> Mapping[str, int]:
        return self._read()["levels"]

    def set_level(self, sku: str, quantity: int) -> None:
        with self._lock:
            inventory = self._read()
            inventory["levels"][sku] = quantity
            self._write(inventory)

    def apply(self, movements: Sequence[StockMovement]) -> int:
        with self._lock:
            inventory = self._read()
            seen = set(inventory["applied"])
            fresh = [movement for movement in movements if _key(movement.key) not in seen]
            levels = inventory["levels"]
            for movement in fresh:
                levels[movement.sku] = levels.get(movement.sku, 0) + movement.delta
                if levels[movement.sku] < 0:
                    # All or none: raising before the write leaves the file as it was.
                    raise InsufficientStock(
                        f"not enough {movement.sku} in the platform's inventory; "
                        "restock it or order fewer units."
                    )
            inventory["applied"] = sorted(seen | {_key(movement.key) for movement in fresh})
            self._write(inventory)
            return len(fresh)

    def applied(self, key: MovementKey) -> bool:
        return _key(key) in self._read()["applied"]

    def _read(self) -> Inventory:
        inventory: Inventory = json.loads(self._path.read_text())
        return inventory

    def _write(self, inventory: Inventory) -> None:
        handle, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=".inventory-")
        with os.fdopen(handle, "w") as file:
            json.dump(inventory, file, indent=2, sort_keys=True)
        os.replace(temporary, self._path)


def _key(key: MovementKey) -> str:
    return json.dumps([key.order_id, key.line_id, key.kind.value, key.reference])


class RepliesLostOnce:
    """The platform's API as it sometimes behaves: it does the work, then the reply is
    lost (a timeout), once per kind of movement. The library must try again."""

    def __init__(self, store: PlatformStock) -> None:
        self.store = store
        self.deliveries: list[MovementKind] = []

    def level(self, sku: str) -> int:
        return self.store.level(sku)

    def levels(self) -> Mapping[str, int]:
        return self.store.levels()

    def set_level(self, sku: str, quantity: int) -> None:
        self.store.set_level(sku, quantity)

    def apply(self, movements: Sequence[StockMovement]) -> int:
        applied = self.store.apply(movements)
        kind = movements[0].key.kind
        self.deliveries.append(kind)
        if kind is MovementKind.CANCEL_RESTOCK and self.deliveries.count(kind) == 1:
            raise TimeoutError("the platform's inventory API did not answer in time")
        return applied

    def applied(self, key: MovementKey) -> bool:
        return self.store.applied(key)


def run(inventory_file: Path) -> dict[str, int]:
    """Place and cancel an order against the platform's stock; returns the final levels."""
    clock = ManualClock()
    platform = RepliesLostOnce(PlatformStock(inventory_file))
    sales = Sales.in_memory("plugin-shop", stock=platform, clock=clock)
    sales.set_stock("TSHIRT-M", 10)
    sales.set_stock("MUG", 5)
    before = dict(sales.stock_levels())
    print(f"platform stock before the order: {before}")

    order = sales.place_order(
        [
            LineItem("TSHIRT-M", 2, Money.of("19.90", "EUR")),
            LineItem("MUG", 1, Money.of("9.50", "EUR")),
        ]
    )
    print(f"after placing {order.id}: {dict(sales.stock_levels())}")

    refund = sales.cancel_order(order.id, reason="Customer changed their mind")
    waiting = sales.get_refund_order(refund.id).stock_status.value
    print(
        f"canceled; the platform restocked but its reply was lost: stock {waiting}, "
        f"levels {dict(sales.stock_levels())}"
    )

    clock.advance(timedelta(hours=2))  # the retry is due
    sales.process_pending()
    settled = sales.get_refund_order(refund.id)
    print(
        f"restock delivered again ({platform.deliveries.count(MovementKind.CANCEL_RESTOCK)} "
        f"deliveries): stock {settled.stock_status.value}, levels {dict(sales.stock_levels())}"
    )
    assert settled.stock_status is StockStatus.DONE
    assert dict(sales.stock_levels()) == before, "stock is back to what it was, once"
    return dict(sales.stock_levels())


if __name__ == "__main__":
    target = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(tempfile.mkdtemp(prefix="platform-")) / "inventory.json"
    )
    run(target)
    print(f"the platform's inventory file: {target}")
