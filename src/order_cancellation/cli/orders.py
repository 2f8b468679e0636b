"""``order place | show | fulfill | cancel | return``: one order at a time."""

from __future__ import annotations

import argparse

from order_cancellation.cli import render, values
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
from order_cancellation.domain.order import Order
from order_cancellation.domain.status import DEFAULT_CANCEL_LABEL
from order_cancellation.domain.values import PaymentRef
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    orders = group(commands, "order", "place, show, fulfill, cancel and return orders")

    place = command(
        orders, "place", "record a new order and take its units from stock", with_shop(_place)
    )
    place.add_argument("lines", nargs="+", metavar="SKU:QTY:PRICE", help="e.g. MUG:2:9.50")
    place.add_argument("--currency", required=True, help="ISO 4217 code, e.g. EUR")
    place.add_argument("--order-id", metavar="ID", help="the order's id (default: generated)")
    place.add_argument("--payment-provider", metavar="NAME", help="e.g. klarna, paypal")
    place.add_argument("--payment-ref", metavar="REF", help="the provider's payment reference")
    _idempotency(place)

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
    _idempotency(take_back)
    _expected_version(take_back)


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
    lines = [values.line_item(text, currency) for text in args.lines]
    provider, reference = (
        optional_text(args, "payment_provider"),
        optional_text(args, "payment_ref"),
    )
    if (provider is None) != (reference is None):
        raise UsageError("give both --payment-provider and --payment-ref, or neither")
    payment = None
    if provider is not None and reference is not None:
        payment = PaymentRef(provider=provider, reference=reference)
    order = sales.place_order(
        lines,
        payment=payment,
        order_id=optional_text(args, "order_id"),
        idempotency_key=optional_text(args, "idempotency_key"),
    )
    console.result({"order": render.order(order)}, ["placed", *render.order_text(order)])


def _show(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = sales.get_order(str(args.order_id))
    refunds = sales.refund_orders(order_id=order.id)
    text = render.order_text(order)
    text += (
        ["  refund orders:", *(f"    {render.refund_text(r)}" for r in refunds)] if refunds else []
    )
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
    console.result(
        {"order": render.order(canceled), "refund_order": render.refund(refund)},
        [
            f"canceled order {canceled.id}: status {canceled.status!r}",
            f"refund order {render.refund_text(refund)}",
        ],
    )


def _return(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    order = _routable(args, sales)
    refund = sales.create_return(
        order.id,
        values.quantities(args.quantities),
        restock=bool(args.restock),
        reason=optional_text(args, "reason"),
        idempotency_key=optional_text(args, "idempotency_key"),
        expected_version=optional_number(args, "expected_version", "--expected-version"),
    )
    returned = sales.get_order(order.id)
    console.result(
        {"order": render.order(returned), "refund_order": render.refund(refund)},
        [
            f"return recorded for order {returned.id}: status {returned.status!r}",
            f"refund order {render.refund_text(refund)}",
        ],
    )


def _routable(args: argparse.Namespace, sales: Sales) -> Order:
    """The order, once we know its payment effect can run from this process."""
    order = sales.get_order(str(args.order_id))
    require_route(order, klarna=bool(args.klarna), deferred=bool(args.defer_effects))
    return order
