"""A process killed around a command's commit (as by a power cut) leaves the shop as if
the command ran whole or not at all.

A child process places an order on a SQLite file with a crash point armed
(``ORDER_CANCELLATION_CRASHPOINT``); it kills itself with SIGKILL when it gets there. The
test then opens the file again and looks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import order_cancellation
from order_cancellation import LineItem, OrderNotFound, OrderState, Sales
from order_cancellation.application import crashpoints
from tests.application.harness import eur

# The package under test, wherever it is imported from (a mutation run uses a copy).
PACKAGE_ROOT = Path(order_cancellation.__file__).resolve().parents[1]

PLACE = """
import sys
from order_cancellation import LineItem, Money, Sales

with Sales.sqlite(sys.argv[1], "acme") as sales:
    sales.place_order([LineItem("MUG", 2, Money.of("12.50", "EUR"))], order_id="web-1")
print("placed")
"""


def _place_in_a_child(path: Path, crashpoint: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE_ROOT)}
    env["ORDER_CANCELLATION_CRASHPOINT"] = crashpoint
    return subprocess.run(
        [sys.executable, "-c", PLACE, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def shop_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.db"
    with Sales.sqlite(path, "acme") as sales:
        sales.set_stock("MUG", 5)
    return path


def test_a_crash_just_before_commit_leaves_no_trace_of_the_command(shop_file: Path) -> None:
    child = _place_in_a_child(shop_file, crashpoints.BEFORE_COMMIT)

    assert child.returncode == -signal.SIGKILL, child.stderr
    with Sales.sqlite(shop_file, "acme") as sales:
        with pytest.raises(OrderNotFound):
            sales.get_order("web-1")
        assert sales.stock_level("MUG") == 5
        # Nothing half-done stands in the way of placing it again.
        sales.place_order([LineItem("MUG", 2, eur("12.50"))], order_id="web-1")
        assert sales.stock_level("MUG") == 3


def test_a_crash_just_after_commit_keeps_the_whole_command(shop_file: Path) -> None:
    child = _place_in_a_child(shop_file, crashpoints.AFTER_COMMIT)

    assert child.returncode == -signal.SIGKILL, child.stderr
    with Sales.sqlite(shop_file, "acme") as sales:
        assert sales.get_order("web-1").state is OrderState.OPEN
        assert sales.stock_level("MUG") == 3
        # The order kept is a whole one: canceling it puts its units back.
        sales.cancel_order("web-1")
        assert sales.stock_level("MUG") == 5
