"""The demo tells the seed's story and its figures add up."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from order_cancellation import PaymentStatus, demo


def test_the_demo_cancels_returns_and_reports_on_a_sqlite_file(tmp_path: Path) -> None:
    out = io.StringIO()
    sales = demo.run(out, database=tmp_path / "demo.db")
    text = out.getvalue()
    assert "cancel refused" in text
    assert "create a return" in text
    statuses = {refund.payment_status for refund in sales.refund_orders()}
    assert statuses == {
        PaymentStatus.VOIDED,
        PaymentStatus.REFUNDED_AND_RELEASED,
        PaymentStatus.AUTHORIZATION_LAPSED,
        PaymentStatus.MANUALLY_REFUNDED,
    }
    assert sales.stock_levels() == {"MUG": 5, "POSTER": 2, "TSHIRT-M": 10}
    assert sales.manual_refunds_owed() == []


def test_the_demo_runs_from_the_command_line() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "order_cancellation", "demo", "--in-memory"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "Sales report" in completed.stdout
    assert completed.stderr == ""
