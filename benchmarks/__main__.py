"""``python -m benchmarks [--quick|--full] [--only NAME]``: one table, figures beside baselines."""

from __future__ import annotations

import argparse
import platform
import sqlite3
import sys
from datetime import UTC, datetime

from benchmarks import memory
from benchmarks.harness import Row, render


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="under a minute (default)")
    mode.add_argument("--full", action="store_true", help="the sizes docs/benchmarks.md reports")
    arguments = parser.parse_args()
    quick = not arguments.full
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.machine()}, mode {'quick' if quick else 'full'}"
    )
    rows: list[Row] = []
    rows += memory.rows(quick)
    print(render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
