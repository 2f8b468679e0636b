"""The command line at its edges: bad values, closed pipes, signals, missing extras, PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from order_cancellation import OrderState, PaymentStatus, Sales
from order_cancellation.cli.exits import one_line
from order_cancellation.domain.money import Money
from order_cancellation.domain.values import LineItem, PaymentRef
from order_cancellation.testing.klarna_simulator import KlarnaSimulator
from order_cancellation.testing.klarna_simulator.faults import TIMEOUT_BEFORE
from tests.cli.conftest import Operator

KLARNA_VARIABLES = (
    "KLARNA_USERNAME", "KLARNA_PASSWORD", "KLARNA_API_KEY", "KLARNA_REGION",
    "KLARNA_PLAYGROUND", "KLARNA_BASE_URL", "KLARNA_CONNECT_TIMEOUT", "KLARNA_READ_TIMEOUT",
)  # fmt: skip
DEFAULT_TEST_DSN = "postgresql://postgres@127.0.0.1:54329/postgres"


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "order_cancellation", *argv]


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.05)


# -- values the CLI reads itself ------------------------------------------------------------


def test_a_poll_interval_that_is_not_a_number_is_refused(operator: Operator) -> None:
    refused = operator("worker", "--poll", "soon")

    assert refused.code == 1
    assert "--poll is a number of seconds, got 'soon'" in refused.one_error_line
    assert refused.out == ""


def test_a_report_moment_that_is_not_iso_8601_is_refused(operator: Operator) -> None:
    refused = operator("report", "--from", "yesterday", "--to", "2026-11-03")

    assert refused.code == 1
    assert "a moment is ISO 8601" in refused.one_error_line
    assert "'yesterday'" in refused.one_error_line


# -- text output ------------------------------------------------------------------------------


def test_show_in_text_gives_the_reason_of_a_cancellation(operator: Operator) -> None:
    order = operator.place("MUG:1:9.50")
    operator.json("order", "cancel", order, "--reason", "Supplier cannot deliver")

    shown = operator("order", "show", order)

    assert shown.code == 0
    assert "  reason   Supplier cannot deliver" in shown.out.splitlines()


def test_stock_show_in_text_says_when_nothing_is_stocked(operator: Operator) -> None:
    shown = operator("stock", "show")

    assert (shown.code, shown.out) == (0, "no stock recorded\n")


# -- the demo's options -----------------------------------------------------------------------


def test_the_demo_refuses_a_file_and_memory_at_once(operator: Operator, tmp_path: Path) -> None:
    path = tmp_path / "demo.db"

    refused = operator.run("demo", "--in-memory", "--db", str(path))

    assert refused.code == 2
    assert "give --db PATH or --in-memory, not both" in refused.err
    assert refused.out == ""
    assert not path.exists()


def test_the_demo_refuses_json_given_before_the_command(operator: Operator) -> None:
    refused = operator.run("--json", "demo", "--in-memory")

    assert refused.code == 2
    assert "it has no --json output" in refused.err
    assert refused.out == ""


# -- failures that are not the operator's -----------------------------------------------------


def test_an_unexpected_error_keeps_its_traceback(
    operator: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Sales) -> dict[str, int]:
        raise RuntimeError("a bug in the library")

    monkeypatch.setattr(Sales, "stock_levels", broken)

    # Not disguised as a refusal (exit 1) or a store failure (exit 3): the caller sees the bug.
    with pytest.raises(RuntimeError, match="a bug in the library"):
        operator("stock", "show")


def test_a_storage_error_without_a_message_is_named_by_its_type() -> None:
    assert one_line(sqlite3.OperationalError()) == "OperationalError"


def test_a_malformed_dsn_is_refused_as_a_user_error(operator: Operator) -> None:
    refused = operator.run(
        "labels", "list", "--dsn", "postgresql://app:s3cret-pw@db.internal/shop?bogus=1"
    )

    assert refused.code == 1
    assert "not a valid connection string" in refused.one_error_line
    assert "s3cret-pw" not in refused.err
    assert refused.out == ""


def test_without_the_postgres_extra_a_dsn_is_a_storage_error_naming_the_extra(
    operator: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What importing the adapter does when psycopg is not installed.
    monkeypatch.setitem(sys.modules, "order_cancellation.adapters.postgres", None)

    refused = operator.run("labels", "list", "--dsn", "postgresql://app@db.internal/shop")

    assert refused.code == 3
    assert "pip install 'order-cancellation[postgres]'" in refused.one_error_line


def test_without_the_klarna_extra_klarna_is_refused_and_changes_nothing(
    operator: Operator, shop: Sales, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")
    # What importing the adapter does when httpx is not installed.
    monkeypatch.setitem(sys.modules, "order_cancellation.adapters.klarna", None)

    refused = operator("order", "cancel", order, "--klarna")

    assert refused.code == 1
    assert "pip install 'order-cancellation[klarna]'" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.OPEN


# -- Klarna captures ----------------------------------------------------------------------------


def test_a_worker_without_klarna_leaves_a_klarna_capture_pending(
    operator: Operator, shop: Sales
) -> None:
    shop.set_stock("MUG", 1)
    # The merchant's application placed it, taking the money when the order ships.
    order = shop.place_order(
        [LineItem("MUG", 1, Money.of("9.50", "EUR"))],
        payment=PaymentRef(provider="klarna", reference="klarna-9", auto_capture=True),
    )
    operator.json("order", "fulfill", order.id, "--defer-effects")

    report = operator.json("worker", "--once")

    assert report["failed"] == 1
    assert report["pending"] == 1
    assert shop.pending_effects() == 1


# -- the reader of the output goes away ---------------------------------------------------------


def test_a_reader_that_went_away_ends_the_command_quietly(operator: Operator, db: Path) -> None:
    operator.json("stock", "set", "MUG", "3")
    reading, writing = os.pipe()
    os.close(reading)  # like `| head -0`: nobody reads what the command prints
    # Python's default buffering, as in an interactive shell (the test run may set otherwise).
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    try:
        completed = subprocess.run(
            _cli("stock", "show", "--db", str(db)),
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
    finally:
        os.close(writing)

    assert (completed.returncode, completed.stderr) == (0, "")


# -- a running worker -----------------------------------------------------------------------------


@pytest.fixture
def hanging_klarna(monkeypatch: pytest.MonkeyPatch) -> Iterator[KlarnaSimulator]:
    """A Klarna simulator whose hung answers outlast the test, and --klarna pointed at it."""
    for name in KLARNA_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    with KlarnaSimulator(hang_seconds=120) as simulator:
        monkeypatch.setenv("KLARNA_USERNAME", simulator.username)
        monkeypatch.setenv("KLARNA_PASSWORD", simulator.password)
        monkeypatch.setenv("KLARNA_BASE_URL", simulator.base_url)
        monkeypatch.setenv("KLARNA_READ_TIMEOUT", "120")
        yield simulator


def test_a_second_ctrl_c_interrupts_a_worker_at_once(
    operator: Operator, shop: Sales, db: Path, hanging_klarna: KlarnaSimulator
) -> None:
    hanging_klarna.create_order("klarna-1", 950, "EUR")
    order = operator.place("MUG:1:9.50", paid_by="klarna")
    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]
    hanging_klarna.inject(TIMEOUT_BEFORE, order_id="klarna-1")
    worker = subprocess.Popen(
        _cli("worker", "--klarna", "--db", str(db), "--poll", "0.05"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until(lambda: hanging_klarna.pending_faults() == 0, "the worker waits on Klarna")
        worker.send_signal(signal.SIGINT)  # asks for a stop after the batch Klarna holds up
        time.sleep(0.5)  # two signals sent together would count as one
        worker.send_signal(signal.SIGINT)
        _, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()

    assert worker.returncode == 130, err
    assert err.splitlines()[-1] == "order-cancellation: interrupted"
    assert "Traceback" not in err
    assert shop.get_refund_order(refund["id"]).payment_status is PaymentStatus.PENDING


def test_a_worker_with_json_prints_only_its_final_document(
    operator: Operator, shop: Sales, db: Path
) -> None:
    operator.json("stock", "set", "MUG", "5")
    refund = operator.json("order", "cancel", operator.place("MUG:2:9.50"), "--defer-effects")[
        "refund_order"
    ]
    worker = subprocess.Popen(
        _cli("worker", "--db", str(db), "--poll", "0.05", "--json"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until(lambda: shop.get_refund_order(refund["id"]).stock_settled, "it restocks")
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()

    assert (worker.returncode, err) == (0, "")
    document = json.loads(out)  # the progress line for people is not mixed in
    assert document["pending"] == 0
    assert document["delivered"] >= 2


def test_a_worker_run_from_another_thread_delivers_without_signal_handlers(
    operator: Operator, shop: Sales, db: Path
) -> None:
    operator.json("stock", "set", "MUG", "5")
    refund = operator.json("order", "cancel", operator.place("MUG:2:9.50"), "--defer-effects")[
        "refund_order"
    ]
    # An application embedding the CLI: only its main thread could set signal handlers.
    embedding = (
        "import sys, threading\n"
        "from order_cancellation.cli import main\n"
        "argv = ['worker', '--db', sys.argv[1], '--poll', '0.05']\n"
        "threading.Thread(target=main, args=(argv,), daemon=True).start()\n"
        "sys.stdin.readline()\n"
    )
    application = subprocess.Popen(
        [sys.executable, "-c", embedding, str(db)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until(
            lambda: (
                application.poll() is not None or shop.get_refund_order(refund["id"]).stock_settled
            ),
            "the worker restocks",
        )
        _, err = application.communicate("done\n", timeout=20)
    finally:
        if application.poll() is None:
            application.kill()
            application.communicate()

    # (The process may end under the worker, which can log that its store closed: no error.)
    assert application.returncode == 0
    assert "Traceback" not in err, err
    assert shop.stock_level("MUG") == 5


# -- PostgreSQL -------------------------------------------------------------------------------


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """The DSN of a fresh PostgreSQL database, dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    server = os.environ.get("ORDER_CANCELLATION_TEST_DSN", DEFAULT_TEST_DSN)
    name = f"cli_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests: {error}")
        pytest.skip(f"no PostgreSQL server at {server}: {error}")
    yield psycopg.conninfo.make_conninfo(server, dbname=name)
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_operator_works_on_a_postgresql_database(
    operator: Operator, postgres_database: str
) -> None:
    created = operator.run("init", "--dsn", postgres_database, "--json")
    counted = operator.run("stock", "set", "MUG", "3", "--dsn", postgres_database)
    shown = operator.run("stock", "show", "--dsn", postgres_database, "--json")

    assert (created.code, created.err) == (0, "")
    assert created.document() == {
        "backend": "postgresql",
        "database": None,
        "shop": "default",
        "created": None,
    }
    assert (counted.code, counted.err) == (0, "")
    assert (shown.code, shown.document()) == (0, {"stock": {"MUG": 3}})
