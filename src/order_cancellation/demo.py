"""The seed's story, end to end, narrated: ``python -m order_cancellation demo``."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from order_cancellation import demo_payments
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.domain.charges import Discount, ShippingFee
from order_cancellation.domain.errors import OrderFulfilledError
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport
from order_cancellation.domain.values import LineItem, PaymentRef
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.sales import Sales

if TYPE_CHECKING:
    from order_cancellation.testing.klarna_simulator import KlarnaSimulator

EUR = "EUR"
SHOP = "demo-shop"
VAT = TaxRate.percent("25.5")  # Finland's standard rate, on goods and on shipping
SHIPPING = ShippingFee("Posti", Money.of("5.90", EUR), tax_rate=VAT)
WELCOME = Discount.percentage("WELCOME10", "10")  # 10 % off the goods


Say = Callable[[str], None]


def run(out: TextIO, *, database: Path | None = None, in_memory: bool = False) -> Sales:
    """Tell the story on a fresh store and return the shop, for tests to inspect."""
    say = _narrator(out)
    clock = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    card, gift_cards = InMemoryPaymentProvider(), InMemoryPaymentProvider()
    with demo_payments.klarna_gateway(clock.now()) as klarna:
        gateways: dict[str, PaymentGateway] = {"card": card, "giftcard": gift_cards}
        if klarna is not None:
            gateways["klarna"] = klarna[0]
        sales, path = _open(database, in_memory, clock, gateways)
        sim = klarna[1] if klarna else None
        _tell(say, sales, clock=clock, card=card, gift_cards=gift_cards, sim=sim, path=path)
    return sales


def _tell(
    say: Say,
    sales: Sales,
    *,
    clock: ManualClock,
    card: InMemoryPaymentProvider,
    gift_cards: InMemoryPaymentProvider,
    sim: KlarnaSimulator | None,
    path: Path | None,
) -> None:
    say(f"# order-cancellation demo ({'in memory' if path is None else f'SQLite file {path}'})\n")
    say(
        f"A Finnish shop: prices include VAT {VAT}; every order ships with {SHIPPING.name} "
        f"for {SHIPPING.amount} (VAT {VAT} too); a {WELCOME.code} code takes 10 % off goods.\n"
    )
    _stock_and_labels(say, sales)
    _cancel(say, sales, clock, card)
    _returns(say, sales)
    _partly_captured(say, sales, clock, card)
    _expired(say, sales, clock, card)
    demo_payments.unshipped_rest(say, sales, clock, sim)
    demo_payments.several_payments(say, sales, clock, card=card, gift_cards=gift_cards)
    _returns_list_and_report(say, sales)
    _finish(say, sales, path)


def _stock_and_labels(say: Say, sales: Sales) -> None:
    say("## Stock and a custom status label")
    for sku, units in (("TSHIRT-M", 10), ("MUG", 5), ("POSTER", 3)):
        sales.set_stock(sku, units)
    sales.define_status_label("Canceled - out of stock")
    say(f"stock: {_stock(sales)}")
    say(f"labels meaning canceled: {_cancel_labels(sales)}\n")


def _cancel(say: Say, sales: Sales, clock: ManualClock, card: InMemoryPaymentProvider) -> None:
    say("## 1. An unfulfilled order is canceled")
    first = _place(sales, "card-1001", [("TSHIRT-M", 2, "19.90"), ("MUG", 1, "9.50")])
    card.authorize("card-1001", first.total, at=clock.now())
    say(f"placed {_order_line(first)} (card, authorized)")
    say(f"stock: {_stock(sales)}")
    refund = sales.cancel_order(
        first.id, status="Canceled - out of stock", reason="Supplier cannot deliver"
    )
    say(f"canceled: status {sales.get_order(first.id).status!r}, reason {refund.reason!r}")
    say(_refund_line(refund))
    say(f"stock is back to its values before the order: {_stock(sales)}\n")


def _returns(say: Say, sales: Sales) -> None:
    say("## 2. A fulfilled order cannot be canceled: create a return instead")
    order = _place(sales, None, [("POSTER", 2, "15.00"), ("MUG", 1, "9.50")], discount=WELCOME)
    sales.fulfill(order.id)
    say(f"placed and shipped {_order_line(order)} (PayPal)")
    try:
        sales.cancel_order(order.id)
    except OrderFulfilledError as refusal:
        say(f"cancel refused: {refusal}")
    say(f"stock before the returns: {_stock(sales)}")
    some = sales.create_return(order.id, {"POSTER": 1}, reason="Ordered one too many")
    say(f"returned 1 poster, shipping kept: {_refund_line(some)}")
    say(f"stock: {_stock(sales)}")
    rest = sales.create_return(
        order.id, {"POSTER": 1, "MUG": 1}, reason="Changed their mind", refund_shipping=True
    )
    say(f"returned the rest, shipping refunded: {_refund_line(rest)}")
    say(f"stock after the returns: {_stock(sales)}")
    for owed in sales.manual_refunds_owed():
        say(f"manual refund owed: {owed.manual_amount} for order {owed.order_id[:12]}…")
    for paid in (some, rest):
        sales.mark_manual_refund_done(paid.id, note="Refunded in PayPal by Anna")
    say(f"marked done; manual refunds still owed: {len(sales.manual_refunds_owed())}")
    say(_nets_to_zero(sales, order.id) + "\n")


def _partly_captured(
    say: Say, sales: Sales, clock: ManualClock, card: InMemoryPaymentProvider
) -> None:
    say("## 3. Money back when part of the payment was captured")
    clock.advance(timedelta(days=1))
    order = _place(sales, "card-1002", [("TSHIRT-M", 3, "19.90")])
    card.authorize("card-1002", order.total, at=clock.now())
    card.capture_payment("card-1002", Money.of("19.90", EUR), at=clock.now())
    say(f"the merchant captured 19.90 EUR of {order.total} in the card provider's portal")
    say(_refund_line(sales.cancel_order(order.id, reason="Customer changed their mind")))


def _expired(say: Say, sales: Sales, clock: ManualClock, card: InMemoryPaymentProvider) -> None:
    say("\n## 4. An authorization that expired leaves nothing to release")
    order = _place(sales, "card-1003", [("MUG", 2, "9.50")])
    card.authorize("card-1003", order.total, at=clock.now())
    clock.advance(timedelta(days=29))
    say(_refund_line(sales.cancel_order(order.id, reason="Never collected")))


def _returns_list_and_report(say: Say, sales: Sales) -> None:
    say("\n## The Returns list (refund orders)")
    for listed in sales.refund_orders():
        say(f"- {listed.kind.value:12} {listed.amount!s:>10}  {listed.payment_status.value}")
    say("\n## Sales report (a sale counts on the order's day, a refund on the refund's day)")
    start = datetime(2026, 11, 1, tzinfo=UTC)
    for line in _report(sales.report(start=start, end=start + timedelta(days=60))):
        say(line)


def _finish(say: Say, sales: Sales, path: Path | None) -> None:
    say(f"\nfinal stock: {_stock(sales)}")
    if path is not None:
        say(f"\nlook around: order-cancellation refunds list --db {path} --shop {SHOP}")


def _open(
    database: Path | None,
    in_memory: bool,
    clock: ManualClock,
    gateways: Mapping[str, PaymentGateway],
) -> tuple[Sales, Path | None]:
    if in_memory:
        return Sales.in_memory(SHOP, gateways=gateways, clock=clock), None
    path = database or Path(tempfile.mkdtemp(prefix="order-cancellation-")) / "demo.db"
    return Sales.sqlite(path, SHOP, gateways=gateways, clock=clock), path


def _place(
    sales: Sales,
    card: str | None,
    lines: list[tuple[str, int, str]],
    *,
    discount: Discount | None = None,
) -> Order:
    """An order of ``lines`` at Finnish VAT with shipping, paid by card (the reference given)
    or with PayPal, with the discount code given."""
    items = [
        LineItem(sku, quantity, Money.of(price, EUR), tax_rate=VAT)
        for sku, quantity, price in lines
    ]
    payment = (
        PaymentRef(provider="card", reference=card)
        if card
        else PaymentRef(provider="paypal", reference="PAYPAL-77")
    )
    return sales.place_order(
        items, payment=payment, shipping=[SHIPPING], discounts=[discount] if discount else []
    )


def _order_line(order: Order) -> str:
    goods = ", ".join(f"{line.quantity} x {line.sku} at {line.unit_price}" for line in order.lines)
    codes = "".join(f", code {d.code} -{d.amount}" for d in order.discounts)
    return (
        f"{order.id[:12]}… for {order.total}: {goods}{codes}, shipping {SHIPPING.amount}; "
        f"{_taxes(order.tax_by_rate)}"
    )


def _refund_line(refund: RefundOrder) -> str:
    money = f"refunded {refund.refunded}"
    if refund.released.minor:
        money += f", released {refund.released}"
    if refund.manual_amount.minor:
        money += f", owed by hand {refund.manual_amount}"
    return (
        f"refund order {refund.id[:12]}… ({refund.kind.value}) for {refund.amount} "
        f"(goods {refund.goods}, shipping {refund.shipping_refunded}; "
        f"{_taxes(refund.tax_by_rate)}): "
        f"payment {refund.payment_status.value} ({money}); stock {refund.stock_status.value}"
    )


def _taxes(by_rate: dict[TaxRate, Money]) -> str:
    return ", ".join(f"VAT {rate} {amount}" for rate, amount in by_rate.items())


def _nets_to_zero(sales: Sales, order_id: str) -> str:
    """What the order took and what its refund orders gave back, overall and in VAT."""
    order = sales.get_order(order_id)
    refunds = sales.refund_orders(order_id=order_id)
    back = sum((refund.amount for refund in refunds), Money.zero(EUR))
    tax_back = sum((refund.tax for refund in refunds), Money.zero(EUR))
    tax = sum(order.tax_by_rate.values(), Money.zero(EUR))
    return (
        f"the order nets to zero: paid {order.total}, refunded {back}, net {order.total - back}; "
        f"VAT collected {tax}, refunded {tax_back}, net {tax - tax_back}"
    )


def _report(report: SalesReport) -> list[str]:
    lines = []
    for row in report.totals:
        lines += [
            f"{row.currency}: gross {row.gross}, refunds {row.refunds}, net {row.net} "
            f"({row.orders} orders, {row.refund_orders} refund orders)",
            f"  sales:   goods {row.goods}, discounts {row.discounts}, shipping {row.shipping}",
            f"  refunds: goods {row.refunded_goods}, discounts reversed "
            f"{row.discounts_reversed}, shipping {row.refunded_shipping}",
            *(
                f"  VAT {taxes.rate}: collected {taxes.collected}, refunded {taxes.refunded}, "
                f"net {taxes.net}"
                for taxes in row.taxes
            ),
        ]
    return lines


def _stock(sales: Sales) -> str:
    return ", ".join(f"{sku} {units}" for sku, units in sorted(sales.stock_levels().items()))


def _cancel_labels(sales: Sales) -> str:
    return ", ".join(
        repr(label) for label, state in sales.status_labels().items() if state.name == "CANCELED"
    )


def _narrator(out: TextIO) -> Say:
    def say(text: str) -> None:
        print(text, file=out)

    return say
