"""``python -m benchmarks.cpu_split [N]``: client and server CPU per PostgreSQL cancel, the
library against the raw psycopg baseline, one worker.

One process cancels N orders through the library and N through
:class:`benchmarks.raw_postgres.RawPostgresCancels`, in five turns each, reading its own
``process_time`` and the ``utime + stime`` of every ``postgres`` process in ``/proc`` (Linux,
the server on this machine) around each turn; medians of the turns. On a machine of C cores
shared by workers and server, C / (client + server CPU) bounds the cancels per second of any
number of workers: what flattens the worker rows once the cores are busy.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from benchmarks.orders import CURRENCY, START, total_minor
from benchmarks.postgres_workers import SHOP, fresh_schema
from benchmarks.raw_postgres import RawPostgresCancels
from benchmarks.seeding import seed_orders
from benchmarks.settings import postgres_dsn
from order_cancellation import Money, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider

TURNS = 5


def server_cpu_seconds() -> float:
    ticks = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm", encoding="ascii") as comm:
                if not comm.read().startswith("postgres"):
                    continue
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(cancels: int) -> dict[str, tuple[float, float, float]]:
    """Per side: wall, client CPU and server CPU per cancel, in ms (medians of the turns)."""
    dsn = postgres_dsn()
    turns: dict[str, list[tuple[float, float, float]]] = {"library": [], "raw": []}
    with fresh_schema(dsn) as schema:
        with Sales.postgres(dsn, SHOP, schema=schema) as sales:
            ids = seed_orders(sales._backend, SHOP, 2 * cancels, 10, batch=500)
        card = InMemoryPaymentProvider()
        for n in range(2 * cancels):
            card.authorize(f"pay-{n}", Money(total_minor(10), CURRENCY), at=START)
        with Sales.postgres(
            dsn, SHOP, gateways={"card": card}, clock=ManualClock(START), schema=schema,
            pool_size=2,
        ) as sales:  # fmt: skip
            raw = RawPostgresCancels(dsn, schema, SHOP)
            try:
                size = cancels // TURNS
                for turn in range(TURNS):
                    sides: dict[str, tuple[Callable[[str], object], list[str]]] = {
                        "library": (sales.cancel_order, ids[turn * size : (turn + 1) * size]),
                        "raw": (
                            raw.cancel,
                            ids[cancels + turn * size : cancels + (turn + 1) * size],
                        ),
                    }
                    for name, (cancel, batch) in sides.items():
                        server, client, wall = (
                            server_cpu_seconds(), time.process_time(), time.perf_counter()
                        )  # fmt: skip
                        for order_id in batch:
                            cancel(order_id)
                        turns[name].append(
                            (
                                (time.perf_counter() - wall) / len(batch) * 1e3,
                                (time.process_time() - client) / len(batch) * 1e3,
                                (server_cpu_seconds() - server) / len(batch) * 1e3,
                            )
                        )
            finally:
                raw.close()
    return {
        name: (
            statistics.median(t[0] for t in values),
            statistics.median(t[1] for t in values),
            statistics.median(t[2] for t in values),
        )
        for name, values in turns.items()
    }


def main(argv: list[str]) -> int:
    cancels = int(argv[0]) if argv else 200
    cores = os.cpu_count() or 1
    for name, (wall, client, server) in measure(cancels).items():
        print(
            f"{name:8} wall {wall:6.2f} ms, client CPU {client:5.2f} ms, server CPU "
            f"{server:5.2f} ms per cancel; {cores} cores / CPU = "
            f"{cores * 1000 / (client + server):5.0f} cancels/s at most"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
