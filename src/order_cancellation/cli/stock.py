"""``stock show | set``: the shop's units on hand."""

from __future__ import annotations

import argparse

from order_cancellation.cli import render, values
from order_cancellation.cli.base import Commands, command, group, with_shop
from order_cancellation.cli.console import Console
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    stock = group(commands, "stock", "units on hand per SKU")
    show = command(stock, "show", "every SKU's level, or one SKU's", with_shop(_show))
    show.add_argument("sku", nargs="?", metavar="SKU")
    count = command(
        stock, "set", "set a SKU's units on hand (the merchant's count)", with_shop(_set)
    )
    count.set_defaults(creates=True)
    count.add_argument("sku", metavar="SKU")
    count.add_argument("quantity", metavar="QTY")


def _show(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    if args.sku is None:
        levels = sales.stock_levels()
    else:
        levels = {str(args.sku): sales.stock_level(str(args.sku))}
    _print(levels, console)


def _set(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    sku = str(args.sku)
    sales.set_stock(sku, values.whole_number(str(args.quantity), f"the stock of {sku!r}"))
    _print({sku: sales.stock_level(sku)}, console)


def _print(levels: dict[str, int], console: Console) -> None:
    console.result({"stock": dict(sorted(levels.items()))}, render.stock_text(levels))
