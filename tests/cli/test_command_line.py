"""The command line as a whole: help, usage errors, the demo, the installed entry points."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Operator


def test_help_lists_the_commands_and_the_exit_codes(operator: Operator) -> None:
    shown = operator.run("--help")

    assert shown.code == 0
    for name in ("order", "refunds", "manual-refunds", "report", "stock", "labels", "worker"):
        assert name in shown.out
    assert "exit codes" in shown.out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["teleport"],
        ["order"],
        ["order", "cancel"],
        ["order", "cancel", "o-1", "--with-sprinkles"],
        ["stock", "set", "MUG"],
    ],
)
def test_a_command_line_that_cannot_be_parsed_exits_2(operator: Operator, argv: list[str]) -> None:
    refused = operator.run(*argv)

    assert refused.code == 2
    assert "usage: order-cancellation" in refused.err
    assert refused.out == ""


def test_the_demo_runs_in_memory(operator: Operator) -> None:
    told = operator.run("demo", "--in-memory")

    assert told.code == 0
    assert "cancel refused" in told.out
    assert "Sales report" in told.out


def test_the_demo_writes_a_sqlite_file_that_operator_commands_can_read(
    operator: Operator, tmp_path: Path
) -> None:
    path = tmp_path / "demo.db"
    assert operator.run("demo", "--db", str(path)).code == 0

    listed = operator.run("refunds", "list", "--db", str(path), "--shop", "demo-shop", "--json")

    assert listed.code == 0
    # four cancels (one of the unshipped rest), three returns, a goodwill refund
    assert len(listed.document()["refund_orders"]) == 8


def test_json_after_demo_is_a_usage_error(operator: Operator) -> None:
    assert operator.run("demo", "--in-memory", "--json").code == 2


def test_python_dash_m_runs_a_command_and_reports_its_exit_code(
    operator: Operator, db: Path
) -> None:
    operator.json("stock", "set", "MUG", "3")

    shown = subprocess.run(
        [sys.executable, "-m", "order_cancellation", "stock", "show", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    missing = subprocess.run(
        [sys.executable, "-m", "order_cancellation", "order", "show", "o-1", "--db", "nope.db"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (shown.returncode, json.loads(shown.stdout)) == (0, {"stock": {"MUG": 3}})
    assert missing.returncode == 3
    assert missing.stderr.count("\n") == 1
    assert "Traceback" not in missing.stderr


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "order-cancellation"  # beside the venv's python
    completed = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )

    assert completed.returncode == 0
    assert "order-cancellation" in completed.stdout
