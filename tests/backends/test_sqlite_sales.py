"""Sales.sqlite end to end: a shop in a file places, fulfills, cancels and returns orders, and
a new process opening the file sees everything."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from order_cancellation import (
    InvalidInput,
    LineItem,
    Money,
    OrderState,
    PaymentRef,
    PaymentStatus,
    RefundKind,
    Sales,
    StockStatus,
    StorageError,
)

EUR = "EUR"


def _trade(sales: Sales) -> dict[str, str]:
    """A morning's work: three orders, one shipped and partly returned, one canceled."""
    sales.define_status_label("Canceled - out of stock")
    sales.set_stock("MUG", 10)
    sales.set_stock("TEE", 5)
    card = PaymentRef(provider="card", reference="pay-1")
    kept = sales.place_order([LineItem("MUG", 1, Money.of("8.00", EUR))], payment=card)
    shipped = sales.place_order(
        [LineItem("MUG", 2, Money.of("8.00", EUR)), LineItem("TEE", 1, Money.of("20.00", EUR))],
        payment=card,
    )
    canceled = sales.place_order([LineItem("TEE", 2, Money.of("20.00", EUR))], payment=card)
    sales.fulfill(shipped.id)
    cancellation = sales.cancel_order(
        canceled.id, status="Canceled - out of stock", reason="supplier late"
    )
    mug_line = shipped.lines[0].id
    ret = sales.create_return(shipped.id, {mug_line: 1}, restock=True, reason="chipped")
    return {
        "kept": kept.id,
        "shipped": shipped.id,
        "canceled": canceled.id,
        "cancellation": cancellation.id,
        "return": ret.id,
    }


def _assert_settled(sales: Sales, ids: dict[str, str]) -> None:
    assert sales.get_order(ids["kept"]).state is OrderState.OPEN
    assert sales.get_order(ids["shipped"]).state is OrderState.FULFILLED
    canceled = sales.get_order(ids["canceled"])
    assert (canceled.state, canceled.status) == (OrderState.CANCELED, "Canceled - out of stock")
    # MUG: 10 - 1 - 2 + 1 returned; TEE: 5 - 1 - 2 + 2 back from the cancel.
    assert sales.stock_levels() == {"MUG": 8, "TEE": 4}
    refunds = {refund.id: refund for refund in sales.refund_orders()}
    assert set(refunds) == {ids["cancellation"], ids["return"]}
    assert refunds[ids["cancellation"]].kind is RefundKind.CANCELLATION
    assert refunds[ids["return"]].amount == Money.of("8.00", EUR)
    for refund in refunds.values():
        assert refund.stock_status is StockStatus.DONE
        assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED  # no card gateway
    assert len(sales.manual_refunds_owed()) == 2
    assert sales.pending_effects() == 0
    now = datetime.now(UTC)
    totals = sales.report(start=now - timedelta(days=1), end=now + timedelta(days=1))
    eur = totals.currency(EUR)
    assert (eur.gross, eur.refunds, eur.net) == (
        Money.of("84.00", EUR),
        Money.of("48.00", EUR),
        Money.of("36.00", EUR),
    )


def test_a_shop_in_a_file_trades_with_inline_effects(tmp_path: Path) -> None:
    with Sales.sqlite(tmp_path / "shop.db", shop="acme") as sales:
        ids = _trade(sales)
        _assert_settled(sales, ids)


def test_a_shop_in_a_file_trades_with_deferred_effects_run_by_process_pending(
    tmp_path: Path,
) -> None:
    with Sales.sqlite(tmp_path / "shop.db", shop="acme", effects="deferred") as sales:
        ids = _trade(sales)
        assert sales.pending_effects() == 4  # restock and settle, for the cancel and the return
        assert sales.stock_levels() == {"MUG": 7, "TEE": 2}
        report = sales.process_pending()
        assert (report.delivered, report.failed, report.dead_lettered) == (4, 0, 0)
        _assert_settled(sales, ids)


def test_reopening_the_file_shows_everything_the_shop_did(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with Sales.sqlite(path, shop="acme") as sales:
        ids = _trade(sales)
    with Sales.sqlite(path, shop="acme") as reopened:
        _assert_settled(reopened, ids)
        assert "Canceled - out of stock" in reopened.status_labels()
        assert reopened.refund_orders(order_id=ids["canceled"])[0].reason == "supplier late"


def test_an_idempotency_key_survives_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with Sales.sqlite(path, shop="acme") as first:
        first.set_stock("MUG", 3)
        order = first.place_order([LineItem("MUG", 1, Money.of("8.00", EUR))])
        refund = first.cancel_order(order.id, idempotency_key="cancel-1")
    with Sales.sqlite(path, shop="acme") as again:
        replayed = again.cancel_order(order.id, idempotency_key="cancel-1")
        assert replayed == again.get_refund_order(refund.id)
        assert again.stock_level("MUG") == 3
        assert len(again.refund_orders()) == 1


def test_backend_options_reach_the_sqlite_backend(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with Sales.sqlite(path, shop="acme", busy_timeout=0.2, synchronous="NORMAL") as sales:
        sales.set_stock("MUG", 1)
        writer = sqlite3.connect(path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")
            began = time.perf_counter()
            with pytest.raises(StorageError, match="locked"):
                sales.set_stock("MUG", 2)
            waited = time.perf_counter() - began
        finally:
            writer.close()
        assert waited < 2.0  # the 0.2 s asked for, not the 5 s default
        assert sales.stock_level("MUG") == 1


def test_an_unsafe_sync_level_is_refused_by_the_factory(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="synchronous"):
        Sales.sqlite(tmp_path / "shop.db", synchronous="OFF")
