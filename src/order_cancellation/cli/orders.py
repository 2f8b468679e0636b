"""``order place | show | fulfill | cancel | return | refund | cancel-rest``: one order at
a time (``order list`` and ``order import``: :mod:`.listing`)."""

from __future__ import annotations

import argparse

from order_cancellation.cli import listing, render, values
from order_cancellation.cli.base import (
    Commands,
    command,
    group,
    optional_number,
    optional_text,
    with_shop,
)
from order_cancellation.cli.console import Console
from order_cancellation.cli.exits import UsageError
from order_cancellation.cli.payments import require_route
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import NO_TAX
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.status import DEFAULT_CANCEL_LABEL
from order_cancellation.domain.values import PaymentRef
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    orders = group(commands, "order", "place, show, fulfill, cancel and return orders")

    place = command(
        orders, "place", "record a new order and take its units from stock", with_shop(_place)
    )
    place.set_defaults(creates=True)
    place.add_argument(
        "lines",
        nargs="+",
        metavar="SKU:QTY:PRICE[:RATE%]",
        help="e.g. MUG:2:9.50, or MUG:2:9.50:25.5%% with the line's own tax rate",
    )
    place.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    place.add_argument(
        "--tax-rate",
        metavar="PERCENT",
        help="the tax rate of every line and fee that gives none, e.g. 25.5 (default: 0)",
    )
    place.add_argument(
        "--shipping",
        action="append",
        default=[],
        metavar="NAME:AMOUNT[:RATE%]",
        help="a shipping fee, e.g. Posti:5.90 (rate: --tax-rate unless given); repeatable",
    )
    place.add_argument(
        "--discount",
        action="append",
        default=[],
        metavar="CODE:PERCENT%|CODE:AMOUNT[@SKU,...]",
        help="a discount on the goods, e.g. WINTER10:10%% or GIFT5:5.00@MUG; repeatable, "
        "applied in the order given",
    )
    place.add_argument(
        "--prices-exclude-tax",
        action="store_true",
        help="prices and fees are without tax, which is added (US style; default: included)",
    )
    place.add_argument("--order-id", metavar="ID", help="the order's id (default: generated)")
    place.add_argument("--payment-provider", metavar="NAME", help="e.g. klarna, paypal")
    place.add_argument("--payment-ref", metavar="REF", help="the provider's payment reference")
    place.add_argument(
        "--payment",
        action="append",
        default=[],
        metavar="PROVIDER:REF:AMOUNT[:gift_card|store_credit]",
        help="one of several payments, e.g. giftcard:GC-1:20.00:gift_card and "
        "klarna:kl-1:25.00; repeatable, the amounts add up to the order's total",
    )
    _idempotency(place)

    listing.register(orders)

    show = command(orders, "show", "an order, its lines and its refund orders", with_shop(_show))
    show.add_argument("order_id", metavar="ID")

    fulfill = command(orders, "fulfill", "ship the whole order, or some units", with_shop(_fulfill))
    fulfill.add_argument("order_id", metavar="ID")
    fulfill.add_argument(
        "quantities",
        nargs="*",
        metavar="LINE_OR_SKU=QTY",
        help="units to ship (default: everything left)",
    )
    _idempotency(fulfill)
    _expected_version(fulfill)

    cancel = command(
        orders,
        "cancel",
        "cancel an unfulfilled order (a refund order is created)",
        with_shop(_cancel),
    )
    cancel.add_argument("order_id", metavar="ID")
    cancel.add_argument(
        "--status",
        metavar="LABEL",
        default=DEFAULT_CANCEL_LABEL,
        help="the status to show afterwards (default: Canceled)",
    )
    cancel.add_argument("--reason", metavar="TEXT", help="free text kept with the refund order")
    cancel.add_argument(
        "--reason-code", metavar="CODE", help="CUSTOMER, DECLINED, FRAUD, INVENTORY, STAFF or OTHER"
    )
    cancel.add_argument(
        "--no-restock",
        dest="restock",
        action="store_false",
        help="do not put the units back in stock",
    )
    cancel.add_argument("--actor", metavar="NAME", help="who cancels, for the record")
    _idempotency(cancel)
    _expected_version(cancel)

    take_back = command(
        orders, "return", "take back fulfilled units and refund them", with_shop(_return)
    )
    take_back.add_argument("order_id", metavar="ID")
    take_back.add_argument(
        "quantities",
        nargs="+",
        metavar="LINE_OR_SKU=QTY",
        help="units to take back, e.g. L1=1 or MUG=2",
    )
    take_back.add_argument(
        "--no-restock", dest="restock", action="store_false", help="the goods cannot be sold again"
    )
    take_back.add_argument("--reason", metavar="TEXT")
    take_back.add_argument(
        "--fee",
        action="append",
        default=[],
        metavar="NAME:AMOUNT",
        help="keep back a fee, tax included, e.g. 'Restocking fee:5.00' (repeatable)",
    )
    _shipping_refund(take_back)
    _idempotency(take_back)
    _expected_version(take_back)

    _register_partial_refunds(orders)


def _register_partial_refunds(orders: Commands) -> None:
    goodwill = command(
        orders,
        "refund",
        "give back an amount that is not the price of units (goodwill)",
        with_shop(_refund),
    )
    goodwill.add_argument("order_id", metavar="ID")
    goodwill.add_argument("amount", metavar="AMOUNT", help="tax included, e.g. 5.00")
    goodwill.add_argument("--reason", metavar="TEXT", help="e.g. 'late delivery'")
    goodwill.add_argument(
        "--tender",
        metavar="REF",
        help="give it all back through this payment of an order paid with several",
    )
    _idempotency(goodwill)
    _expected_version(goodwill)

    rest = command(
        orders,
        "cancel-rest",
        "cancel the units of a partly shipped order that have not shipped",
        with_shop(_cancel_rest),
    )
    rest.add_argument("order_id", metavar="ID")
    rest.add_argument(
        "quantities",
        nargs="*",
        metavar="LINE_OR_SKU=QTY",
        help="units to cancel (default: every unit not shipped)",
    )
    rest.add_argument(
        "--no-restock", dest="restock", action="store_false", help="do not put the units back"
    )
    rest.add_argument("--reason", metavar="TEXT", help="free text kept with the refund order")
    _shipping_refund(rest)
    _idempotency(rest)
    _expected_version(rest)


def _shipping_refund(parser: argparse.ArgumentParser) -> None:
    shipping = parser.add_mutually_exclusive_group()
    shipping.add_argument(
        "--refund-shipping",
        action="store_true",
        help="refund all the shipping not refunded yet (default: none)",
    )
    shipping.add_argument(
        "--refund-shipping-amount",
        metavar="AMOUNT",
        help="refund this much of the shipping, tax included, e.g. 5.90",
    )


def _shipping_to_refund(args: argparse.Namespace, order: Order) -> bool | Money:
    if args.refund_shipping_amount is not None:
        return Money.of(str(args.refund_shipping_amount), order.currency)
    return bool(args.refund_shipping)


def _idempotency(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--idempotency-key", metavar="KEY", help="run the command once however often it is sent"
    )


def _expected_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--expected-version",
        metavar="N",
        help="refuse (exit 1) if the order changed since version N",
    )


def _place(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    currency = str(args.currency).upper()
    rate = NO_TAX if args.tax_rate is None else values.tax_rate(str(args.tax_rate), "--tax-rate")
    lines = [values.line_item(str(text), currency, rate) for text in args.lines]
    shipping = [values.shipping_fee(str(text), currency, rate) for text in args.shipping]
    discounts = [values.discount(str(text), currency) for text in args.discount]
    provider, reference = (
        optional_text(args, "payment_provider"),
        optional_text(args, "payment_ref"),
    )
    if (provider is None) != (reference is None):
        raise UsageError("give both --payment-provider and --payment-ref, or neither")
    payment = None
    if provider is not None and reference is not None:
        payment = PaymentRef(provider=provider, reference=reference)
    payments = [values.payment(str(text), currency) for text in args.payment]
    if payment is not None and payments:
        raise UsageError("give --payment-provider and --payment-ref, or --payment, not both")
    order = sales.place_order(
        lines,
        payment=payment,
        payments=payments,
        order_id=optional_text(args, "order_id"),
        idempotency_key=optional_text(args, "idempotency_key"),
        shipping=shipping,
        discounts=discounts,
        prices_include_tax=False if args.prices_exclude_tax else None,
    )
    console.result({"order": render.order(order)}, ["placed", *render.order_text(order)])


def _show(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = sales.get_order(str(args.order_id))
    refunds = sales.refund_orders(order_id=order.id)
    text = render.order_text(order)
    if refunds:
        text.append("  refund orders:")
        for refund in refunds:
            text += [
                f"    {render.refund_text(refund)}",
                *render.refund_detail_text(refund, "      "),
            ]
    console.result({"order": render.order(order), "refund_orders": render.refunds(refunds)}, text)


def _fulfill(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = _routable(args, sales)
    shipped = sales.fulfill(
        order.id,
        values.quantities(args.quantities) if args.quantities else None,
        idempotency_key=optional_text(args, "idempotency_key"),
        expected_version=optional_number(args, "expected_version", "--expected-version"),
    )
    console.result({"order": render.order(shipped)}, ["fulfilled", *render.order_text(shipped)])


def _cancel(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = _routable(args, sales)
    refund = sales.cancel_order(
        order.id,
        status=str(args.status),
        reason=optional_text(args, "reason"),
        reason_code=optional_text(args, "reason_code"),
        restock=bool(args.restock),
        actor=optional_text(args, "actor"),
        idempotency_key=optional_text(args, "idempotency_key"),
        expected_version=optional_number(args, "expected_version", "--expected-version"),
    )
    canceled = sales.get_order(order.id)
    _show_refund(
        console, canceled, refund, f"canceled order {canceled.id}: status {canceled.status!r}"
    )


def _return(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = _routable(args, sales)
    refund_shipping = _shipping_to_refund(args, order)
    refund = sales.create_return(
        order.id,
        values.quantities(args.quantities),
        restock=bool(args.restock),
        reason=optional_text(args, "reason"),
        idempotency_key=optional_text(args, "idempotency_key"),
        expected_version=optional_number(args, "expected_version", "--expected-version"),
        refund_shipping=refund_shipping,
        fees=[values.return_fee(str(text), order.currency) for text in args.fee],
    )
    returned = sales.get_order(order.id)
    _show_refund(
        console,
        returned,
        refund,
        f"return recorded for order {returned.id}: status {returned.status!r}",
    )


def _cancel_rest(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = _routable(args, sales)
    refund = sales.cancel_unfulfilled(
        order.id,
        values.quantities(args.quantities) if args.quantities else None,
        reason=optional_text(args, "reason"),
        restock=bool(args.restock),
        refund_shipping=_shipping_to_refund(args, order),
        idempotency_key=optional_text(args, "idempotency_key"),
        expected_version=optional_number(args, "expected_version", "--expected-version"),
    )
    after = sales.get_order(order.id)
    _show_refund(
        console,
        after,
        refund,
        f"canceled the unshipped units of order {after.id}: status {after.status!r}",
    )


def _refund(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = _routable(args, sales)
    refund = sales.refund(
        order.id,
        Money.of(str(args.amount), order.currency),
        reason=optional_text(args, "reason"),
        idempotency_key=optional_text(args, "idempotency_key"),
        expected_version=optional_number(args, "expected_version", "--expected-version"),
        tender=optional_text(args, "tender"),
    )
    after = sales.get_order(order.id)
    _show_refund(console, after, refund, f"refunded {refund.amount} of order {after.id}")


def _show_refund(console: Console, order: Order, refund: RefundOrder, headline: str) -> None:
    """What a command that created a refund order prints: the order and its refund order."""
    console.result(
        {"order": render.order(order), "refund_order": render.refund(refund)},
        [
            headline,
            f"refund order {render.refund_text(refund)}",
            *render.refund_detail_text(refund, "  "),
        ],
    )


def _routable(args: argparse.Namespace, sales: Sales) -> Order:
    """The order, once we know its payment effect can run from this process."""
    order = sales.get_order(str(args.order_id))
    require_route(order, klarna=bool(args.klarna), deferred=bool(args.defer_effects))
    return order
