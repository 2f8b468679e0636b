"""``refunds list | retry`` and ``manual-refunds list | done``: the Returns list and money owed."""

from __future__ import annotations

import argparse

from order_cancellation.cli import render
from order_cancellation.cli.base import Commands, command, group, optional_text, with_shop
from order_cancellation.cli.console import Console
from order_cancellation.cli.payments import require_route
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    refunds = group(commands, "refunds", "the Returns list: refund orders and their effects")
    listed = command(refunds, "list", "refund orders, newest first", with_shop(_list))
    listed.add_argument("--order", metavar="ID", help="only this order's refund orders")
    listed.add_argument(
        "--pending", action="store_true", help="only those with a stock or payment effect unsettled"
    )
    retry = command(
        refunds, "retry", "try a refund order's failed effects again", with_shop(_retry)
    )
    retry.add_argument("refund_order_id", metavar="REFUND_ID")

    manual = group(commands, "manual-refunds", "refunds to pay back by hand (PayPal, bank...)")
    command(manual, "list", "manual refunds still owed, oldest first", with_shop(_owed))
    done = command(manual, "done", "record that a manual refund was paid", with_shop(_done))
    done.add_argument("refund_order_id", metavar="REFUND_ID")
    done.add_argument("--note", metavar="TEXT", help="e.g. 'Refunded in PayPal by Anna'")
    done.add_argument(
        "--amount", metavar="AMOUNT", help="only this much was paid back; the rest stays owed"
    )
    done.add_argument("--idempotency-key", metavar="KEY")


def _list(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    found = sales.refund_orders(
        order_id=optional_text(args, "order"), pending=True if args.pending else None
    )
    console.result(
        {"refund_orders": render.refunds(found)},
        [render.refund_text(refund) for refund in found] or ["no refund orders"],
    )


def _retry(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    refund = sales.get_refund_order(str(args.refund_order_id))
    require_route(
        sales.get_order(refund.order_id),
        klarna=bool(args.klarna),
        deferred=bool(args.defer_effects),
    )
    retried = sales.retry_effects(refund.id)
    console.result({"refund_order": render.refund(retried)}, [render.refund_text(retried)])


def _owed(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    owed = sales.manual_refunds_owed()
    totals = _totals(owed)
    text = [f"{refund.id}  order {refund.order_id}  owed {refund.manual_amount}" for refund in owed]
    text += [f"total owed: {', '.join(str(total) for total in totals)}"] if owed else []
    console.result(
        {
            "refund_orders": render.refunds(owed),
            "total_owed": [render.money(total) for total in totals],
        },
        text or ["no manual refunds owed"],
    )


def _done(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    amount = None
    if args.amount is not None:
        owed = sales.get_refund_order(str(args.refund_order_id))
        amount = Money.of(str(args.amount), owed.amount.currency)
    refund = sales.mark_manual_refund_done(
        str(args.refund_order_id),
        note=optional_text(args, "note"),
        idempotency_key=optional_text(args, "idempotency_key"),
        amount=amount,
    )
    still = f"; {refund.manual_amount} still owed" if refund.manual_amount.minor else ""
    console.result(
        {"refund_order": render.refund(refund)},
        [f"manual refund of refund order {refund.id} marked done ({refund.refunded}){still}"],
    )


def _totals(owed: list[RefundOrder]) -> list[Money]:
    sums: dict[str, Money] = {}
    for refund in owed:
        amount = refund.manual_amount
        sums[amount.currency] = sums.get(amount.currency, Money.zero(amount.currency)) + amount
    return [sums[currency] for currency in sorted(sums)]
