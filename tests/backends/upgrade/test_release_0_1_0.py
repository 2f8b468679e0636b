"""A database written by release 0.1.0 (before tax, shipping and discounts) opens and upgrades
in place: its orders, refund orders, stock and reports read back as they were, old orders
read as 0 % tax with no shipping and no discount, and new commands work on them.

The SQLite file and the PostgreSQL dump beside this test were written by 0.1.0 with
``make_release_0_1_0.py``.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from order_cancellation import (
    LineItem,
    Money,
    OrderState,
    PaymentRef,
    RefundKind,
    Sales,
    ShippingFee,
    StockStatus,
    TaxRate,
)

HERE = Path(__file__).parent
EUR = "EUR"


def eur(text: str) -> Money:
    return Money.of(text, EUR)


@pytest.fixture(params=["sqlite", "postgres"])
def upgraded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Sales]:
    if request.param == "sqlite":
        copy = tmp_path / "release-0.1.0.sqlite"
        shutil.copy(HERE / "release-0.1.0.sqlite", copy)
        with Sales.sqlite(copy, shop="acme") as sales:
            yield sales
        return
    dsn = request.getfixturevalue("postgres_dsn")
    schema = f"upgrade_{uuid.uuid4().hex[:12]}"
    _restore(dsn, schema)
    try:
        with Sales.postgres(dsn, shop="acme", schema=schema) as sales:
            yield sales
    finally:
        _drop(dsn, schema)


def _restore(dsn: str, schema: str) -> None:
    import psycopg

    dump = (HERE / "release-0.1.0.postgres.sql").read_text().replace("release_0_1_0", schema)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(dump.encode())


def _drop(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def test_old_orders_read_back_as_they_were_with_no_tax_shipping_or_discount(
    upgraded: Sales,
) -> None:
    order = upgraded.get_order("canceled-1")

    assert order.state is OrderState.CANCELED
    assert order.status == "Canceled - out of stock"
    assert order.total == eur("49.30")
    assert [(line.sku, line.quantity, line.total) for line in order.lines] == [
        ("SHIRT", 2, eur("39.80")),
        ("MUG", 1, eur("9.50")),
    ]
    assert all(line.tax_rate == TaxRate(0) and line.tax.is_zero() for line in order.lines)
    assert (order.shipping, order.discounts, order.prices_include_tax) == ((), (), True)


def test_old_refund_orders_read_back_with_their_amounts_and_effects(upgraded: Sales) -> None:
    refunds = {refund.order_id: refund for refund in upgraded.refund_orders()}

    canceled, returned = refunds["canceled-1"], refunds["returned-1"]
    assert (canceled.kind, canceled.amount, canceled.reason) == (
        RefundKind.CANCELLATION,
        eur("49.30"),
        "no stock",
    )
    assert (returned.kind, returned.amount) == (RefundKind.RETURN, eur("19.00"))
    assert canceled.stock_status is StockStatus.DONE
    assert canceled.shipping == ()
    assert canceled.tax_by_rate == {TaxRate(0): eur("0")}


def test_old_reports_keep_their_figures(upgraded: Sales) -> None:
    sales_day = upgraded.report(date(2026, 11, 2)).currency(EUR)
    refund_day = upgraded.report(date(2026, 11, 3)).currency(EUR)

    assert (sales_day.gross, sales_day.orders) == (eur("117.60"), 4)
    assert sales_day.goods == sales_day.gross
    assert (refund_day.refunds, refund_day.refund_orders) == (eur("68.30"), 2)
    assert refund_day.refunded_goods == refund_day.refunds


def test_stock_and_labels_survive_the_upgrade(upgraded: Sales) -> None:
    # 10 shirts: -1 open, -2 canceled (back), -1 shipped; 5 mugs: -1 canceled (back), -3, +2.
    assert upgraded.stock_levels() == {"SHIRT": 8, "MUG": 4}
    assert "Canceled - out of stock" in upgraded.status_labels()


def test_old_orders_can_be_canceled_and_returned_after_the_upgrade(upgraded: Sales) -> None:
    refund = upgraded.cancel_order("open-1")
    last = upgraded.create_return("returned-1", {"MUG": 1})

    assert refund.amount == eur("19.90")
    assert last.amount == eur("9.50")
    assert upgraded.get_order("returned-1").state is OrderState.RETURNED


def test_a_real_order_can_be_placed_in_an_upgraded_database(upgraded: Sales) -> None:
    order = upgraded.place_order(
        [LineItem("SHIRT", 1, eur("24.90"), tax_rate="25.5")],
        shipping=[ShippingFee("Standard", eur("5.90"), tax_rate="25.5")],
    )

    again = upgraded.get_order(order.id)
    assert again == order
    assert again.total == eur("30.80")
    assert again.tax_by_rate == {TaxRate.percent("25.5"): eur("6.26")}


def test_an_old_order_reads_as_paid_with_one_payment_and_its_ledger(upgraded: Sales) -> None:
    open_order, canceled = upgraded.get_order("open-1"), upgraded.get_order("canceled-1")

    (tender,) = open_order.tenders
    assert (tender.payment.reference, tender.authorized) == ("PAY-OPEN", eur("19.90"))
    assert tender.captured == tender.refunded == tender.released == eur("0")
    (gone,) = canceled.tenders
    assert (gone.payment.reference, gone.released) == ("PAY-CANCEL", eur("49.30"))
    assert upgraded.get_order("returned-1").tenders == ()  # placed without a payment


def test_an_order_paid_with_several_payments_can_be_placed_in_an_upgraded_database(
    upgraded: Sales,
) -> None:
    order = upgraded.place_order(
        [LineItem("SHIRT", 1, eur("24.90"))],
        payments=[
            PaymentRef(provider="giftcard", reference="G", amount=eur("10.00")),
            PaymentRef(provider="card", reference="C", amount=eur("14.90")),
        ],
    )

    assert upgraded.get_order(order.id).payments == order.payments
