"""Command line: ``python -m order_cancellation demo``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from order_cancellation import demo
from order_cancellation.domain.errors import OrderCancellationError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="order-cancellation",
        description="Cancel and return orders, keeping stock, payments and reports right.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run_demo = commands.add_parser("demo", help="run the whole story on a fresh SQLite file")
    run_demo.add_argument("--db", type=Path, help="SQLite file to use (default: a new temp file)")
    run_demo.add_argument("--in-memory", action="store_true", help="keep everything in memory")
    arguments = parser.parse_args(argv)
    try:
        demo.run(sys.stdout, database=arguments.db, in_memory=arguments.in_memory)
    except OrderCancellationError as error:
        print(f"order-cancellation: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
