"""``demo``: the merchant's story end to end, narrated (see :mod:`order_cancellation.demo`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from order_cancellation import demo
from order_cancellation.cli.base import Commands, command
from order_cancellation.cli.console import Console
from order_cancellation.cli.exits import UsageError


def register(commands: Commands) -> None:
    run = command(
        commands, "demo", "run the whole story on a fresh SQLite file", _demo, store=False
    )
    # SUPPRESS: a --db given before "demo" is kept (see options.py).
    run.add_argument(
        "--db",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="SQLite file to use (default: a new temporary file)",
    )
    run.add_argument("--in-memory", action="store_true", help="keep everything in memory")


def _demo(args: argparse.Namespace, console: Console) -> None:
    if args.in_memory and args.db is not None:
        raise UsageError("give --db PATH or --in-memory, not both")
    if console.as_json:
        raise UsageError("the demo tells a story in text; it has no --json output")
    demo.run(sys.stdout, database=args.db, in_memory=bool(args.in_memory))
