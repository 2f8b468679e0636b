"""``webhooks add | list | remove | retry``: where the shop's events are POSTed, signed."""

from __future__ import annotations

import argparse

from order_cancellation.cli.base import Commands, command, group, with_shop
from order_cancellation.cli.console import JSON, Console, JSONObject
from order_cancellation.domain.webhooks import WebhookEndpoint
from order_cancellation.forms import moment_text
from order_cancellation.ports.persistence import Effect
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    hooks = group(commands, "webhooks", "endpoints that receive the shop's events, signed")
    add = command(hooks, "add", "register an endpoint (prints its signing secret)", with_shop(_add))
    add.set_defaults(creates=True)
    add.add_argument("url", metavar="URL")
    add.add_argument(
        "--event",
        action="append",
        default=None,
        metavar="TYPE",
        help="an event type it wants, e.g. order.canceled; repeatable (default: every type)",
    )
    add.add_argument("--secret", help="its whsec_... secret (default: a new one)")
    command(hooks, "list", "the shop's endpoints", with_shop(_list))
    remove = command(hooks, "remove", "stop delivering to an endpoint", with_shop(_remove))
    remove.add_argument("endpoint_id", metavar="ID")
    command(hooks, "retry", "deliver failed webhook deliveries again now", with_shop(_retry))


def _document(endpoint: WebhookEndpoint, *, secret: bool = False) -> JSONObject:
    document: JSONObject = {
        "id": endpoint.id,
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "created_at": moment_text(endpoint.created_at),
    }
    if secret:
        document["secret"] = endpoint.secret
    return document


def _text(endpoint: WebhookEndpoint) -> str:
    types = ", ".join(endpoint.event_types) or "every event"
    return f"{endpoint.id}  {endpoint.url}  ({types})"


def _add(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    endpoint = sales.add_webhook(args.url, event_types=args.event, secret=args.secret)
    console.result(
        {"webhook": _document(endpoint, secret=True)},
        [f"added {_text(endpoint)}", f"  secret {endpoint.secret} (give it to the receiver)"],
    )


def _list(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    endpoints = sales.webhooks()
    console.result(
        {"webhooks": [_document(endpoint) for endpoint in endpoints]},
        [_text(endpoint) for endpoint in endpoints] or ["no webhook endpoints"],
    )


def _remove(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    sales.remove_webhook(args.endpoint_id)
    console.result({"removed": args.endpoint_id}, [f"removed {args.endpoint_id}"])


def _retry(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    failed = [effect for effect in sales.failed_effects() if effect.effect == Effect.PUBLISH]
    still: list[JSON] = [
        effect.id for effect in failed if sales.retry_effect(effect.id) is not None
    ]
    retried: list[JSON] = [effect.id for effect in failed]
    console.result(
        {"retried": retried, "still_failing": still},
        [f"retried {len(failed)} deliveries; {len(still)} still failing"],
    )
