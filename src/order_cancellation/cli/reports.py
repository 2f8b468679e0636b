"""``report``: gross sales, refunds and net per currency for a day or a period."""

from __future__ import annotations

import argparse

from order_cancellation.cli import render, values
from order_cancellation.cli.base import Commands, command, with_shop
from order_cancellation.cli.console import Console
from order_cancellation.cli.exits import UsageError
from order_cancellation.sales import Sales


def register(commands: Commands) -> None:
    report = command(
        commands,
        "report",
        "sales report: a sale counts on the order's day, a refund on the refund's day",
        with_shop(_report),
    )
    report.add_argument("--day", metavar="YYYY-MM-DD", help="midnight to midnight in --tz")
    report.add_argument("--from", dest="start", metavar="ISO", help="start (included)")
    report.add_argument("--to", dest="end", metavar="ISO", help="end (excluded)")
    report.add_argument(
        "--tz",
        metavar="ZONE",
        default="UTC",
        help="time zone of --day and of times without an offset (default: UTC)",
    )


def _report(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    tz = values.zone(str(args.tz))
    if args.day is not None and args.start is None and args.end is None:
        result = sales.report(values.day(str(args.day)), tz=tz)
    elif args.day is None and args.start is not None and args.end is not None:
        result = sales.report(
            start=values.moment(str(args.start), tz), end=values.moment(str(args.end), tz)
        )
    else:
        raise UsageError("give either --day YYYY-MM-DD, or both --from and --to")
    console.result(render.report(result), render.report_text(result))
