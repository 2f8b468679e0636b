"""When the SQLite file misbehaves: corrupted rows are reported, never fixed; a locked or
failing database is a StorageError that leaves nothing half-written."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from order_cancellation import (
    EffectState,
    LineItem,
    Money,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RelayReport,
    RepositoryCorrupted,
    Sales,
    StockStatus,
    StorageError,
)
from order_cancellation.adapters.sqlite import SQLiteBackend
from tests.backends.reliability.support import Report, figure, sales_on

SHOP = "acme"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "shop.db"


@pytest.fixture
def backend(path: Path) -> Iterator[SQLiteBackend]:
    with SQLiteBackend(path) as opened:
        yield opened


@pytest.fixture
def sales(backend: SQLiteBackend) -> Sales:
    shop = sales_on(backend, SHOP, effects="deferred")
    shop.set_stock("SKU-1", 10)
    shop.place_order(
        [LineItem("SKU-1", 2, Money.of("5.00", "EUR"))],
        payment=PaymentRef(provider="card", reference="pay-1"),
        order_id="ord-1",
    )
    return shop


def _sql(path: Path, statement: str, *params: object) -> None:
    """Change the file behind the library's back, as a hand edit or a bad tool would."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(statement, params)
    finally:
        connection.close()


def _row(path: Path, query: str) -> tuple[object, ...]:
    connection = sqlite3.connect(path)
    try:
        row: tuple[object, ...] = connection.execute(query).fetchone()
        return row
    finally:
        connection.close()


# -- corruption ----------------------------------------------------------------------------------

ORDER_CORRUPTIONS = {
    "unknown state": "UPDATE orders SET state = 'lost'",
    "bad JSON": "UPDATE orders SET data = '{\"id\": '",
    "version mismatch": "UPDATE orders SET version = version + 7",
    "unknown state inside the JSON": (
        "UPDATE orders SET state = 'lost', data = replace(data, '\"open\"', '\"lost\"')"
    ),
    "JSON of another order": "UPDATE orders SET data = replace(data, 'ord-1', 'ord-2')",
    "not text": "UPDATE orders SET data = 42",
}


@pytest.mark.parametrize("corruption", ORDER_CORRUPTIONS)
def test_a_corrupted_order_row_is_reported_on_load_and_left_as_it_is(
    sales: Sales, path: Path, corruption: str
) -> None:
    _sql(path, ORDER_CORRUPTIONS[corruption])
    before = _row(path, "SELECT state, version, data FROM orders")
    with pytest.raises(RepositoryCorrupted, match="ord-1"):
        sales.get_order("ord-1")
    with pytest.raises(RepositoryCorrupted):
        sales.cancel_order("ord-1")
    assert _row(path, "SELECT state, version, data FROM orders") == before
    assert _row(path, "SELECT COUNT(*) FROM refund_orders") == (0,)


def test_every_kind_of_corruption_is_detected(
    sales: Sales, path: Path, reliability: Report
) -> None:
    detected = 0
    for statement in ORDER_CORRUPTIONS.values():
        clean = _row(path, "SELECT state, version, data FROM orders")
        _sql(path, statement)
        try:
            sales.get_order("ord-1")
        except RepositoryCorrupted:
            detected += 1
        _sql(path, "UPDATE orders SET state = ?, version = ?, data = ?", *clean)
    figure(
        reliability, "B4", backend="sqlite", corruptions=len(ORDER_CORRUPTIONS), detected=detected
    )
    assert detected == len(ORDER_CORRUPTIONS)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE refund_orders SET version = 9",
        "UPDATE refund_orders SET payment_status = 'lost'",
        "UPDATE refund_orders SET data = 'null'",
    ],
)
def test_a_corrupted_refund_order_is_reported(sales: Sales, path: Path, statement: str) -> None:
    refund = sales.cancel_order("ord-1")
    _sql(path, statement)
    with pytest.raises(RepositoryCorrupted, match=refund.id):
        sales.get_refund_order(refund.id)


@pytest.mark.parametrize(
    "statement",
    [
        'UPDATE outbox SET event = \'{"type": "NoSuchEvent", "data": {}}\'',
        "UPDATE outbox SET available_at = '2000-13-45T00:00:00'",
    ],
)
def test_a_corrupted_outbox_message_is_quarantined_and_listed_with_its_reason(
    sales: Sales, path: Path, statement: str
) -> None:
    refund = sales.cancel_order("ord-1")
    _sql(path, statement)

    assert sales.process_pending() == RelayReport()

    listed = sales.failed_effects()
    assert [(e.effect, e.state, e.refund_order_id) for e in listed] == [
        ("restock", EffectState.QUARANTINED, refund.id),
        ("settle_payment", EffectState.QUARANTINED, refund.id),
    ]
    assert all("outbox message" in (e.last_error or "") for e in listed)


def test_the_effects_of_a_corrupted_refund_order_are_dead_lettered_and_the_others_run(
    sales: Sales, path: Path
) -> None:
    sales.place_order(
        [LineItem("SKU-1", 1, Money.of("5.00", "EUR"))],
        payment=PaymentRef(provider="card", reference="pay-2"),
        order_id="ord-2",
    )
    broken = sales.cancel_order("ord-1")
    healthy = sales.cancel_order("ord-2")
    _sql(path, "UPDATE refund_orders SET data = 'null' WHERE id = ?", broken.id)

    sales.process_pending()

    settled = sales.get_refund_order(healthy.id)
    assert (settled.stock_status, settled.payment_status) == (
        StockStatus.DONE,
        PaymentStatus.MANUAL_REFUND_REQUIRED,
    )
    listed = sales.failed_effects()
    assert [(e.refund_order_id, e.state) for e in listed] == [
        (broken.id, EffectState.DEAD_LETTERED),
        (broken.id, EffectState.DEAD_LETTERED),
    ]
    assert all(
        (e.last_error or "").startswith("its refund order cannot be updated") for e in listed
    )


def test_an_outbox_message_in_an_unknown_status_is_reported_with_its_refund_order(
    sales: Sales, path: Path
) -> None:
    refund = sales.cancel_order("ord-1")
    _sql(path, "UPDATE outbox SET status = 'lost'")
    with pytest.raises(RepositoryCorrupted, match="outbox message"):
        sales.retry_effects(refund.id)


def test_a_label_with_an_unknown_meaning_is_reported(sales: Sales, path: Path) -> None:
    sales.define_status_label("Canceled - fraud")
    _sql(path, "UPDATE status_labels SET means = 'gone'")
    with pytest.raises(RepositoryCorrupted, match="Canceled - fraud"):
        sales.status_labels()


# -- locks and failures --------------------------------------------------------------------------


def _nothing_changed(sales: Sales) -> None:
    assert sales.get_order("ord-1").state is OrderState.OPEN
    assert sales.refund_orders() == []
    assert sales.pending_effects() == 0
    assert sales.stock_level("SKU-1") == 8


def test_a_database_locked_by_another_process_past_the_timeout_is_a_storage_error(
    path: Path, sales: Sales
) -> None:
    with SQLiteBackend(path, busy_timeout=0.2) as impatient:
        shop = sales_on(impatient, SHOP)
        shop.get_order("ord-1")  # opened and working before the lock is taken
        other = sqlite3.connect(path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            began = time.perf_counter()
            with pytest.raises(StorageError, match="locked") as caught:
                shop.cancel_order("ord-1")
            waited = time.perf_counter() - began
            other.execute("ROLLBACK")
        finally:
            other.close()
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert 0.15 < waited < 2.0
    _nothing_changed(sales)


def test_a_unit_of_work_held_by_another_thread_past_the_timeout_is_a_storage_error(
    path: Path, sales: Sales
) -> None:
    with SQLiteBackend(path, busy_timeout=0.2) as impatient:
        holding, release = threading.Event(), threading.Event()

        def hold() -> None:
            with impatient.unit_of_work(SHOP):
                holding.set()
                release.wait(5)

        holder = threading.Thread(target=hold)
        holder.start()
        holding.wait(5)
        try:
            with pytest.raises(StorageError, match="held"):
                sales_on(impatient, SHOP).cancel_order("ord-1")
        finally:
            release.set()
            holder.join()
    _nothing_changed(sales)


def test_a_driver_failure_midway_rolls_back_everything_the_command_wrote(
    path: Path, sales: Sales
) -> None:
    # The order update and the refund order are written before the outbox insert fails.
    _sql(
        path,
        "CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox"
        " BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END",
    )
    with pytest.raises(StorageError, match="simulated disk failure") as caught:
        sales.cancel_order("ord-1")
    assert isinstance(caught.value.__cause__, sqlite3.Error)
    _nothing_changed(sales)
    _sql(path, "DROP TRIGGER fail_outbox")
    assert sales.cancel_order("ord-1").order_id == "ord-1"


def test_a_failed_unit_of_work_refuses_to_commit_what_is_left(
    path: Path, backend: SQLiteBackend, sales: Sales
) -> None:
    _sql(
        path,
        "CREATE TRIGGER fail_labels BEFORE INSERT ON status_labels"
        " BEGIN SELECT RAISE(ABORT, 'simulated disk failure'); END",
    )
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 99)
        with pytest.raises(StorageError):
            uow.labels.define("Canceled - lost", OrderState.CANCELED)
        with pytest.raises(StorageError, match="failed earlier"):
            uow.commit()
    _nothing_changed(sales)
