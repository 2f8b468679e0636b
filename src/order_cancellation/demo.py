"""The seed's story, end to end, narrated: ``python -m order_cancellation demo``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.domain.errors import OrderFulfilledError
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.values import LineItem, PaymentRef
from order_cancellation.sales import Sales

EUR = "EUR"
SHOP = "demo-shop"


def run(out: TextIO, *, database: Path | None = None, in_memory: bool = False) -> Sales:
    """Tell the story on a fresh store and return the shop, for tests to inspect."""
    say = _narrator(out)
    clock = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    card = InMemoryPaymentProvider()
    sales, path = _open(database, in_memory, clock, card)
    say(f"# order-cancellation demo ({'in memory' if path is None else f'SQLite file {path}'})\n")

    say("## Stock and a custom status label")
    for sku, units in (("TSHIRT-M", 10), ("MUG", 5), ("POSTER", 3)):
        sales.set_stock(sku, units)
    sales.define_status_label("Canceled - out of stock")
    say(f"stock: {_stock(sales)}")
    say(f"labels meaning canceled: {_cancel_labels(sales)}\n")

    say("## 1. An unfulfilled order is canceled")
    first = _place(sales, card, clock, "card-1001", [("TSHIRT-M", 2, "19.90"), ("MUG", 1, "9.50")])
    say(f"placed {first.id[:12]}… for {first.total} (card, authorized); stock: {_stock(sales)}")
    refund = sales.cancel_order(
        first.id, status="Canceled - out of stock", reason="Supplier cannot deliver"
    )
    say(f"canceled: status {sales.get_order(first.id).status!r}, reason {refund.reason!r}")
    say(_refund_line(refund))
    say(f"stock is back to its values before the order: {_stock(sales)}\n")

    say("## 2. A fulfilled order cannot be canceled: create a return instead")
    second = sales.place_order(
        [LineItem("POSTER", 2, Money.of("15.00", EUR))],
        payment=PaymentRef(provider="paypal", reference="PAYPAL-77"),
    )
    sales.fulfill(second.id)
    try:
        sales.cancel_order(second.id)
    except OrderFulfilledError as refusal:
        say(f"cancel refused: {refusal}")
    returned = sales.create_return(second.id, {"POSTER": 1}, reason="Arrived creased")
    say(f"returned 1 poster: {_refund_line(returned)}")
    say(f"stock: {_stock(sales)}")
    for owed in sales.manual_refunds_owed():
        say(f"manual refund owed: {owed.manual_amount} for order {owed.order_id[:12]}…")
    sales.mark_manual_refund_done(returned.id, note="Refunded in PayPal by Anna")
    say(f"marked done; manual refunds still owed: {len(sales.manual_refunds_owed())}\n")

    say("## 3. Money back when part of the payment was captured")
    clock.advance(timedelta(days=1))
    third = _place(sales, card, clock, "card-1002", [("TSHIRT-M", 3, "19.90")])
    card.capture_payment("card-1002", Money.of("19.90", EUR), at=clock.now())
    say("the merchant captured 19.90 EUR of 59.70 EUR in the card provider's portal")
    refund = sales.cancel_order(third.id, reason="Customer changed their mind")
    say(_refund_line(refund))

    say("\n## 4. An authorization that expired leaves nothing to release")
    fourth = _place(sales, card, clock, "card-1003", [("MUG", 2, "9.50")])
    clock.advance(timedelta(days=29))
    refund = sales.cancel_order(fourth.id, reason="Never collected")
    say(_refund_line(refund))

    say("\n## The Returns list (refund orders)")
    for listed in sales.refund_orders():
        say(f"- {listed.kind.value:12} {listed.amount!s:>10}  {listed.payment_status.value}")

    say("\n## Sales report (a sale counts on the order's day, a refund on the refund's day)")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    report = sales.report(start=start, end=start + timedelta(days=60))
    for row in report.totals:
        say(
            f"{row.currency}: gross {row.gross}, refunds {row.refunds}, net {row.net} "
            f"({row.orders} orders, {row.refund_orders} refund orders)"
        )
    _finish(say, sales, path)
    return sales


def _finish(say: Callable[[str], None], sales: Sales, path: Path | None) -> None:
    say(f"\nfinal stock: {_stock(sales)}")
    if path is not None:
        say(f"\nlook around: order-cancellation refunds list --db {path} --shop {SHOP}")


def _open(
    database: Path | None, in_memory: bool, clock: ManualClock, card: InMemoryPaymentProvider
) -> tuple[Sales, Path | None]:
    if in_memory:
        return Sales.in_memory(SHOP, gateways={"card": card}, clock=clock), None
    path = database or Path(tempfile.mkdtemp(prefix="order-cancellation-")) / "demo.db"
    return Sales.sqlite(path, SHOP, gateways={"card": card}, clock=clock), path


def _place(
    sales: Sales,
    card: InMemoryPaymentProvider,
    clock: ManualClock,
    reference: str,
    lines: list[tuple[str, int, str]],
) -> Order:
    items = [LineItem(sku, quantity, Money.of(price, EUR)) for sku, quantity, price in lines]
    total = sum((item.unit_price * item.quantity for item in items), Money.zero(EUR))
    card.authorize(reference, total, at=clock.now())
    return sales.place_order(items, payment=PaymentRef(provider="card", reference=reference))


def _refund_line(refund: RefundOrder) -> str:
    money = f"refunded {refund.refunded}"
    if refund.released.minor:
        money += f", released {refund.released}"
    if refund.manual_amount.minor:
        money += f", owed by hand {refund.manual_amount}"
    return (
        f"refund order {refund.id[:12]}… ({refund.kind.value}) for {refund.amount}: "
        f"payment {refund.payment_status.value} ({money}); stock {refund.stock_status.value}"
    )


def _stock(sales: Sales) -> str:
    return ", ".join(f"{sku} {units}" for sku, units in sorted(sales.stock_levels().items()))


def _cancel_labels(sales: Sales) -> str:
    return ", ".join(
        repr(label) for label, state in sales.status_labels().items() if state.name == "CANCELED"
    )


def _narrator(out: TextIO) -> Callable[[str], None]:
    def say(text: str) -> None:
        print(text, file=out)

    return say
