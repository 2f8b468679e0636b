"""The demo tells the seed's story and its figures add up."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import attrs
import pytest

from order_cancellation import Money, OrderState, PaymentStatus, Sales, TaxRate, demo

_VAT = TaxRate.percent("25.5")


@attrs.frozen
class Told:
    sales: Sales
    text: str


@pytest.fixture(scope="module")
def told(tmp_path_factory: pytest.TempPathFactory) -> Told:
    """The story, told once on a SQLite file."""
    out = io.StringIO()
    sales = demo.run(out, database=tmp_path_factory.mktemp("demo") / "demo.db")
    return Told(sales, out.getvalue())


def test_the_demo_cancels_returns_and_reports_on_a_sqlite_file(told: Told) -> None:
    assert "cancel refused" in told.text
    assert "create a return" in told.text
    assert "'Canceled - out of stock'" in told.text
    statuses = {refund.payment_status for refund in told.sales.refund_orders()}
    assert statuses == {
        PaymentStatus.VOIDED,
        PaymentStatus.REFUNDED_AND_RELEASED,
        PaymentStatus.AUTHORIZATION_LAPSED,
        PaymentStatus.MANUALLY_REFUNDED,
        PaymentStatus.RELEASED,
        PaymentStatus.REFUNDED,
    }
    # Two T-shirts and two posters of the partly shipped Klarna order stay sold.
    assert told.sales.stock_levels() == {"MUG": 5, "POSTER": 1, "TSHIRT-M": 8}
    assert told.sales.manual_refunds_owed() == []


def test_every_demo_order_carries_finnish_vat_and_a_shipping_fee(told: Told) -> None:
    orders = {refund.order_id for refund in told.sales.refund_orders()}

    for order in (told.sales.get_order(order_id) for order_id in orders):
        assert {line.tax_rate for line in order.lines} == {_VAT}
        assert [(fee.amount, fee.tax_rate) for fee in order.shipping] == [
            (Money.of("5.90", "EUR"), _VAT)
        ]
    assert len(orders) == 6


def test_the_demo_returns_part_of_an_order_then_the_rest_with_its_shipping(told: Told) -> None:
    returns = [refund for refund in told.sales.refund_orders() if refund.kind.value == "return"]
    (order_id,) = {refund.order_id for refund in returns if refund.shipping_refunded.minor}
    order = told.sales.get_order(order_id)
    first, rest = sorted(
        (refund for refund in returns if refund.order_id == order_id),
        key=lambda refund: refund.shipping_refunded,
    )

    assert first.shipping_refunded == Money.zero("EUR")
    assert rest.shipping_refunded == Money.of("5.90", "EUR")
    assert order.state is OrderState.RETURNED
    assert first.amount + rest.amount == order.total
    assert first.tax + rest.tax == order.tax_by_rate[_VAT]
    assert "the order nets to zero" in told.text
    assert "net 0.00 EUR; VAT collected" in told.text


def test_the_demo_report_shows_the_vat_per_rate(told: Told) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    (row,) = told.sales.report(start=start, end=start + timedelta(days=60)).totals

    (vat,) = row.taxes
    assert vat.rate == _VAT
    assert (row.shipping, row.refunded_shipping) == (
        Money.of("35.40", "EUR"),
        Money.of("23.60", "EUR"),
    )
    assert f"VAT 25.5 %: collected {vat.collected}, refunded {vat.refunded}" in told.text


def test_the_demo_report_nets_what_was_paid_and_not_given_back(told: Told) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    (row,) = told.sales.report(start=start, end=start + timedelta(days=60)).totals
    refunds = told.sales.refund_orders()
    paid = sum(
        (told.sales.get_order(order_id).total for order_id in {r.order_id for r in refunds}),
        Money.zero("EUR"),
    )

    assert row.net == paid - sum((r.amount for r in refunds), Money.zero("EUR"))


def test_the_demo_cancels_the_unshipped_rest_of_a_klarna_order(told: Told) -> None:
    (released,) = [
        r for r in told.sales.refund_orders() if r.payment_status is PaymentStatus.RELEASED
    ]

    assert (released.amount, released.released) == (Money.of("19.90", "EUR"),) * 2
    assert "Klarna: authorized 75.70 EUR, captured 75.70 EUR, still authorized 0.00 EUR" in (
        told.text
    )


def test_the_demo_returns_to_the_card_first_and_keeps_a_restocking_fee(told: Told) -> None:
    (back,) = [r for r in told.sales.refund_orders() if r.tenders and r.fees]

    assert back.fees_kept == Money.of("2.00", "EUR")
    assert [(p.payment.reference, p.amount) for p in back.tenders] == [
        ("card-1004", Money.of("11.90", "EUR")),
        ("GIFT-42", Money.of("5.10", "EUR")),
    ]


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
