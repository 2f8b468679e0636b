"""``labels list | add``: the merchant's status labels and what each one means."""

from __future__ import annotations

import argparse

from order_cancellation.cli import render
from order_cancellation.cli.base import Commands, command, group, with_shop
from order_cancellation.cli.console import Console
from order_cancellation.domain.states import OrderState
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    labels = group(commands, "labels", "status labels, e.g. 'Canceled - out of stock'")
    command(labels, "list", "every label of the shop and the state it means", with_shop(_list))
    add = command(labels, "add", "define a label (it keeps its meaning forever)", with_shop(_add))
    add.set_defaults(creates=True)
    add.add_argument("label", metavar="LABEL")
    add.add_argument(
        "--means",
        choices=[state.value for state in OrderState],
        default=OrderState.CANCELED.value,
        help="the state the label stands for (default: canceled)",
    )


def _list(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    catalog = sales.status_labels()
    console.result({"labels": render.labels(catalog)}, render.labels_text(catalog))


def _add(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    sales.define_status_label(str(args.label), means=OrderState(args.means))
    _list(args, sales, console)
