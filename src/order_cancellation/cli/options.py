"""Options shared by many commands, accepted before or after the command's name.

``order-cancellation --db shop.db order show ID`` and ``order-cancellation order show ID
--db shop.db`` mean the same. The top-level parser holds the defaults; each command's copy
uses ``SUPPRESS`` so that leaving it out does not overwrite a value given earlier.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_SHOP = "default"


def store_options(*, top_level: bool) -> argparse.ArgumentParser:
    """--db / --dsn / --shop, --klarna, --defer-effects, --webhooks and --json."""
    parser = argparse.ArgumentParser(add_help=False)

    def default(value: Any) -> Any:
        return value if top_level else argparse.SUPPRESS

    store = parser.add_argument_group("store (one of --db or --dsn)")
    store.add_argument(
        "--db", type=Path, metavar="PATH", default=default(None), help="SQLite database file"
    )
    store.add_argument(
        "--dsn",
        metavar="DSN",
        default=default(None),
        help="PostgreSQL connection string, e.g. postgresql://app@db.internal/shop",
    )
    store.add_argument(
        "--shop",
        metavar="NAME",
        default=default(DEFAULT_SHOP),
        help=f"the shop to act on (default: {DEFAULT_SHOP})",
    )
    effects = parser.add_argument_group("payments and effects")
    effects.add_argument(
        "--klarna",
        action="store_true",
        default=default(False),
        help="connect Klarna (credentials from KLARNA_USERNAME/KLARNA_PASSWORD, see docs)",
    )
    effects.add_argument(
        "--defer-effects",
        action="store_true",
        default=default(False),
        help="record the command only; a worker restocks and settles the payment",
    )
    effects.add_argument(
        "--webhooks",
        action="store_true",
        default=default(False),
        help="deliver events to the shop's webhook endpoints, signed (needs the webhooks extra)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--json",
        action="store_true",
        default=default(False),
        help="print one JSON document (stable keys) instead of text",
    )
    return parser
