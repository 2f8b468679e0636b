"""``effects list | retry``: every failed effect (restock, settlement, capture, publication)."""

from __future__ import annotations

import argparse
import contextlib

from order_cancellation.application.failures import FailedEffect
from order_cancellation.cli.base import Commands, command, group, with_shop
from order_cancellation.cli.console import Console, JSONObject
from order_cancellation.cli.payments import require_route
from order_cancellation.cli.render import moment
from order_cancellation.domain.errors import OrderNotFound
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    effects = group(commands, "effects", "effects that failed: why, and trying them again")
    command(
        effects,
        "list",
        "failed effects of every kind (retrying, dead-lettered, quarantined), oldest first",
        with_shop(_list),
    )
    retry = command(effects, "retry", "try one failed effect again, now", with_shop(_retry))
    retry.add_argument("effect_id", metavar="EFFECT_ID", help="an id from `effects list`")


def _list(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    found = sales.failed_effects()
    console.result(
        {"effects": [effect_json(effect) for effect in found]},
        [effect_text(effect) for effect in found] or ["no failed effects"],
    )


def _retry(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    effect_id = str(args.effect_id)
    failed = next((e for e in sales.failed_effects() if e.id == effect_id), None)
    if failed is not None and failed.order_id is not None:
        # As `refunds retry`: a Klarna payment is not settled by hand for want of --klarna.
        # An order that cannot be read is left for the effect's own retry to report.
        with contextlib.suppress(OrderNotFound):
            order = sales.get_order(failed.order_id)
            require_route(order, klarna=bool(args.klarna), deferred=bool(args.defer_effects))
    after = sales.retry_effect(effect_id)
    console.result(
        {
            "id": effect_id,
            "delivered": after is None,
            "effect": None if after is None else effect_json(after),
        },
        [f"effect {effect_id} delivered" if after is None else effect_text(after)],
    )


def effect_json(effect: FailedEffect) -> JSONObject:
    return {
        "id": effect.id,
        "shop": effect.shop,
        "effect": effect.effect,
        "order_id": effect.order_id,
        "refund_order_id": effect.refund_order_id,
        "state": effect.state.value,
        "attempts": effect.attempts,
        "last_error": effect.last_error,
        "next_attempt_at": moment(effect.next_attempt_at),
        "first_attempt_at": moment(effect.first_attempt_at),
        "created_at": moment(effect.created_at),
    }


def effect_text(effect: FailedEffect) -> str:
    refund = f" refund order {effect.refund_order_id}" if effect.refund_order_id else ""
    when = f" (next attempt {moment(effect.next_attempt_at)})" if effect.next_attempt_at else ""
    return (
        f"{effect.id}  {effect.effect:<15} {effect.state.value}{when}  "
        f"order {effect.order_id or '?'}{refund}  attempts {effect.attempts}: "
        f"{effect.last_error or 'no error recorded'}"
    )
