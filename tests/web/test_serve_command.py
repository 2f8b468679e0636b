"""``order-cancellation serve``: its options (the browser tests run it for real)."""

from __future__ import annotations

from pathlib import Path

import pytest

from order_cancellation.cli import main


def test_a_port_out_of_range_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "shop.db")
    assert main(["init", "--db", db]) == 0
    assert main(["serve", "--db", db, "--port", "70000"]) == 2
    assert "--port is a number from 0 to 65535" in capsys.readouterr().err


def test_serve_refuses_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(tmp_path / "missing.db")]) == 3
    assert "no SQLite database" in capsys.readouterr().err
