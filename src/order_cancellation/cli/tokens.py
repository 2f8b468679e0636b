"""``token create | list | revoke``: the credentials HTTP clients and the admin sign in with."""

from __future__ import annotations

import argparse

from order_cancellation.cli.base import Commands, command, group, optional_text, with_shop
from order_cancellation.cli.console import Console, JSONObject
from order_cancellation.domain.tokens import ApiToken
from order_cancellation.forms import moment_text
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    tokens = group(commands, "token", "API tokens of a shop (for the HTTP API and the admin)")
    create = command(
        tokens, "create", "make a token for --shop (prints it once)", with_shop(_create)
    )
    create.add_argument("--name", help="who or what holds it, e.g. 'storefront'")
    listing = command(tokens, "list", "the shop's tokens (never their secrets)", with_shop(_list))
    revoke = command(tokens, "revoke", "stop accepting a token", with_shop(_revoke))
    revoke.add_argument("token_id", metavar="ID")
    # A shop's first token may come before its first order: these never refuse a new shop.
    for parser in (create, listing, revoke):
        parser.set_defaults(creates=True)


def _document(token: ApiToken) -> JSONObject:
    return {
        "id": token.id,
        "name": token.name,
        "created_at": moment_text(token.created_at),
        "revoked_at": None if token.revoked_at is None else moment_text(token.revoked_at),
    }


def _text(token: ApiToken) -> str:
    revoked = token.revoked_at
    state = "active" if revoked is None else f"revoked {moment_text(revoked)}"
    return f"{token.id}  {token.name or '-'}  created {moment_text(token.created_at)}  {state}"


def _create(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    text, token = sales.create_api_token(name=optional_text(args, "name"))
    console.result(
        {"token": text, **_document(token)},
        [f"created {token.id} for shop {sales.shop!r}", f"  token {text}", "  (shown only now)"],
    )


def _list(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    tokens = sales.api_tokens()
    console.result(
        {"tokens": [_document(token) for token in tokens]},
        [_text(token) for token in tokens] or ["no API tokens"],
    )


def _revoke(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    token = sales.revoke_api_token(str(args.token_id))
    console.result({"revoked": _document(token)}, [f"revoked {token.id}"])
