"""``init``: create the database (the one command that may create a SQLite file)."""

from __future__ import annotations

import argparse

from order_cancellation.cli.base import Commands, command
from order_cancellation.cli.console import Console
from order_cancellation.cli.store import Target, open_shop


def register(commands: Commands) -> None:
    command(
        commands,
        "init",
        "create the SQLite file (or the PostgreSQL tables) if missing; safe to run again",
        _init,
    )


def _init(args: argparse.Namespace, console: Console) -> None:
    target = Target.from_options(args)
    existed = target.db.is_file() if target.db is not None else None
    with open_shop(args, create=True):
        pass  # opening creates the schema; the probe proves it can be read
    created = None if existed is None else not existed
    console.result(
        {
            "backend": "sqlite" if target.db is not None else "postgresql",
            "database": str(target.db) if target.db is not None else None,
            "shop": target.shop,
            "created": created,
        },
        [f"{'created' if created else 'ready'}: {target.where}, shop {target.shop!r}"],
    )
