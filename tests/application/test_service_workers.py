"""Workers and closing: ``run_worker`` delivers deferred effects until told to stop, and
``close`` (or leaving a ``with`` block) releases the backend's connections.

The stop signal used here is a ``threading.Event`` that sets itself the first time the
worker goes idle, so a worker runs until there is nothing left to do and then returns,
without any test sleeping or timing anything.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from order_cancellation import PaymentStatus, Sales, StockStatus, StorageError
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.application.relay import RelayReport
from tests.application.harness import DEFAULT_STOCK, Shop


class StopWhenIdle(threading.Event):
    """Set by the first wait, that is, as soon as the worker finds nothing to do.

    ``waits`` keeps how long each wait was asked to last.
    """

    def __init__(self) -> None:
        super().__init__()
        self.waits: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.waits.append(timeout)
        self.set()
        return True


def test_a_worker_thread_delivers_every_deferred_effect_and_reports_them(
    deferred_shop: Shop,
) -> None:
    shop = deferred_shop
    refund = shop.sales.cancel_order(shop.place().id)
    waiting = shop.sales.pending_effects()
    stop = StopWhenIdle()
    reports: list[RelayReport] = []

    worker = threading.Thread(target=lambda: reports.append(shop.sales.run_worker(stop)))
    worker.start()
    worker.join(timeout=30)

    assert not worker.is_alive()
    (report,) = reports
    # Delivering an effect may record follow-ups (the events it announces): those too.
    assert report.delivered >= waiting
    assert (report.failed, report.dead_lettered) == (0, 0)
    assert shop.sales.pending_effects() == 0
    settled = shop.sales.get_refund_order(refund.id)
    assert (settled.stock_status, settled.payment_status) == (
        StockStatus.DONE,
        PaymentStatus.VOIDED,
    )
    assert shop.sales.stock_levels() == DEFAULT_STOCK


def test_a_worker_with_nothing_to_do_waits_one_second_by_default(deferred_shop: Shop) -> None:
    stop = StopWhenIdle()

    report = deferred_shop.sales.run_worker(stop)

    assert report == RelayReport()
    assert stop.waits == [1.0]


def test_a_worker_with_nothing_to_do_waits_its_poll_interval(deferred_shop: Shop) -> None:
    stop = StopWhenIdle()

    deferred_shop.sales.run_worker(stop, poll_interval=0.25)

    assert stop.waits == [0.25]


def test_a_worker_takes_effects_under_the_id_it_was_given(deferred_shop: Shop) -> None:
    shop = deferred_shop
    refund = shop.sales.cancel_order(shop.place().id)

    shop.sales.run_worker(StopWhenIdle(), worker_id="worker-7")

    with shop.backend.unit_of_work(shop.name) as uow:
        messages = uow.outbox.for_refund_order(refund.id)
    assert messages
    assert {message.leased_by for message in messages} == {"worker-7"}


def test_a_worker_stopped_before_it_starts_delivers_nothing(deferred_shop: Shop) -> None:
    shop = deferred_shop
    shop.sales.cancel_order(shop.place().id)
    waiting = shop.sales.pending_effects()
    stop = threading.Event()
    stop.set()

    assert shop.sales.run_worker(stop) == RelayReport()
    assert shop.sales.pending_effects() == waiting


# -- closing -------------------------------------------------------------------------------------


def test_leaving_a_with_block_closes_the_backend_the_shop_opened(tmp_path: Path) -> None:
    with Sales.sqlite(tmp_path / "shop.db", "acme") as sales:
        sales.set_stock("MUG", 3)

    with pytest.raises(StorageError, match="closed"):
        sales.stock_level("MUG")


def test_closing_a_shop_leaves_a_backend_passed_in_open_for_the_other_shops(
    tmp_path: Path,
) -> None:
    backend = SQLiteBackend(tmp_path / "shop.db")
    acme = Sales.sqlite(shop="acme", backend=backend)
    bolt = Sales.sqlite(shop="bolt", backend=backend)

    acme.close()

    bolt.set_stock("MUG", 3)
    assert not backend.closed
    assert bolt.stock_level("MUG") == 3
    backend.close()


def test_closing_a_shop_whose_backend_holds_no_connections_is_harmless() -> None:
    with Sales.in_memory("acme") as sales:
        sales.set_stock("MUG", 3)

    sales.close()
    assert sales.stock_level("MUG") == 3
