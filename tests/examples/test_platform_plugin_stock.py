"""examples/platform_plugin_stock.py: the platform's own stock, restocked exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from examples.platform_plugin_stock import PlatformStock, run

from order_cancellation import InsufficientStock
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "platform_plugin_stock.py"


def _restock(order_id: str, sku: str, units: int) -> StockMovement:
    return StockMovement(
        key=MovementKey(order_id=order_id, line_id="L1", kind=MovementKind.CANCEL_RESTOCK),
        sku=sku,
        delta=units,
    )


def test_a_cancel_restores_the_platforms_stock_once_though_delivered_twice(
    tmp_path: Path,
) -> None:
    inventory = tmp_path / "inventory.json"

    final = run(inventory)

    assert final == {"MUG": 5, "TSHIRT-M": 10}
    assert json.loads(inventory.read_text())["levels"] == final


def test_a_movement_is_applied_once_however_often_it_is_delivered(tmp_path: Path) -> None:
    stock = PlatformStock(tmp_path / "inventory.json")
    stock.set_level("MUG", 3)
    movement = _restock("o-1", "MUG", 2)

    applied = [stock.apply([movement]) for _ in range(3)]

    assert applied == [1, 0, 0]
    assert stock.level("MUG") == 5
    assert stock.applied(movement.key)


def test_movements_that_would_go_below_zero_apply_none(tmp_path: Path) -> None:
    stock = PlatformStock(tmp_path / "inventory.json")
    stock.set_level("MUG", 5)
    stock.set_level("POSTER", 1)
    take = [_restock("o-1", "MUG", -2), _restock("o-2", "POSTER", -2)]

    with pytest.raises(InsufficientStock):
        stock.apply(take)

    assert dict(stock.levels()) == {"MUG": 5, "POSTER": 1}
    assert not stock.applied(take[0].key)


def test_the_store_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "inventory.json"
    PlatformStock(path).apply([_restock("o-1", "MUG", 4)])

    reopened = PlatformStock(path)

    assert reopened.level("MUG") == 4
    assert reopened.apply([_restock("o-1", "MUG", 4)]) == 0


def test_the_example_runs_as_a_script(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLE), str(tmp_path / "inventory.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    assert "2 deliveries" in completed.stdout
