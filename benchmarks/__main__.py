"""``python -m benchmarks [--quick|--full] [--only NAME ...]``: one table, figures beside
baselines measured in the same run."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from benchmarks.harness import Row, Sizes, render
from benchmarks.machine import describe

# Benchmark name -> module; each module has ``rows(sizes) -> list[Row]``. Modules are
# imported only when chosen, so ``--only memory`` needs neither psycopg nor eventsourcing.
BENCHMARKS = {
    "memory": "benchmarks.memory",
    "sqlite": "benchmarks.sqlite_cancels",
    "postgres": "benchmarks.postgres_workers",
    "scaling": "benchmarks.scaling",
    "rss": "benchmarks.rss",
    "relay": "benchmarks.relay",
    "paging": "benchmarks.paging",
    "counts": "benchmarks.counts",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes, under a minute (default)")
    mode.add_argument("--full", action="store_true", help="the sizes docs/benchmarks.md reports")
    mode.add_argument(
        "--smoke", action="store_true", help="tiny sizes: proves each benchmark runs, no figures"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=sorted(BENCHMARKS),
        metavar="NAME",
        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}",
    )
    arguments = parser.parse_args(argv)
    sizes = Sizes("full" if arguments.full else "smoke" if arguments.smoke else "quick")
    chosen = arguments.only or list(BENCHMARKS)
    print(describe(mode=sizes.mode), flush=True)
    rows: list[Row] = []
    started = time.perf_counter()
    for name, module_name in BENCHMARKS.items():
        if name not in chosen:
            continue
        module = importlib.import_module(module_name)
        began = time.perf_counter()
        rows += module.rows(sizes)
        print(f"# {name}: {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    print(render(rows))
    print(f"# total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
