"""What every command module uses to declare its commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeAlias

from order_cancellation.cli.console import Console
from order_cancellation.cli.options import store_options
from order_cancellation.cli.store import open_shop
from order_cancellation.cli.values import whole_number
from order_cancellation.sales import Sales

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler: TypeAlias = Callable[[argparse.Namespace, Console], None]
ShopHandler: TypeAlias = Callable[[argparse.Namespace, Sales, Console], None]


def command(
    commands: Commands, name: str, summary: str, handler: Handler, *, store: bool = True
) -> argparse.ArgumentParser:
    """Add one command; ``store`` gives it the shared --db/--dsn/--shop/--json options."""
    parser = commands.add_parser(
        name,
        help=summary,
        description=summary,
        parents=[store_options(top_level=False)] if store else [],
    )
    parser.set_defaults(run=handler, parser=parser)
    return parser


def group(commands: Commands, name: str, summary: str) -> Commands:
    """A command that only groups others: ``order show``, ``order cancel``..."""
    parser = commands.add_parser(name, help=summary, description=summary)
    return parser.add_subparsers(title="commands", metavar="COMMAND", required=True)


def with_shop(handler: ShopHandler) -> Handler:
    """Open the shop the options name, run ``handler`` on it, close the store."""

    def run(args: argparse.Namespace, console: Console) -> None:
        with open_shop(args) as sales:
            handler(args, sales, console)

    return run


def optional_text(args: argparse.Namespace, name: str) -> str | None:
    value = getattr(args, name)
    return None if value is None else str(value)


def optional_number(args: argparse.Namespace, name: str, what: str) -> int | None:
    value = getattr(args, name)
    return None if value is None else whole_number(str(value), what)
