"""Row 5, memory: peak RSS of a process holding 10^5 orders in the in-memory store, against
one holding the same orders as the baseline's plain dicts.

Each side runs in a fresh interpreter (``python -m benchmarks.rss <side> <orders>``) that
imports the same modules, so neither figure carries the other's garbage or the parent's.
The figure is ``ru_maxrss`` after the orders are stored; the note gives the growth per
order over the interpreter's own RSS before storing them.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from pathlib import Path

from benchmarks.harness import Row, Sizes, peak_rss_mib
from benchmarks.memory import LINES, DictShop
from benchmarks.orders import CURRENCY, START, payment, total_minor
from benchmarks.seeding import seed_orders
from order_cancellation import Money
from order_cancellation.adapters.memory import InMemoryPaymentProvider, MemoryBackend


def hold(side: str, orders: int) -> dict[str, float]:
    """In the child: store ``orders`` orders and report the RSS before and after."""
    gc.collect()
    before = peak_rss_mib()
    if side == "library":
        # The provider holds the authorizations, as the baseline's payments dict does.
        card = InMemoryPaymentProvider()
        amount = Money(total_minor(LINES), CURRENCY)
        for n in range(orders):
            card.authorize(payment(n).reference, amount, at=START)
        backend = MemoryBackend()
        seed_orders(backend, "bench", orders, LINES, batch=5000)
        kept: object = (backend, card)
    else:
        kept = DictShop(orders, LINES, START)
    gc.collect()
    after = peak_rss_mib()
    del kept
    return {"before": before, "after": after}


def measure(side: str, orders: int) -> dict[str, float]:
    output = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "benchmarks.rss", side, str(orders)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
        cwd=Path(__file__).resolve().parents[1],  # where ``benchmarks`` imports from
    ).stdout
    figures: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return figures


def rows(sizes: Sizes) -> list[Row]:
    orders = sizes.pick(10_000, 100_000)
    library = measure("library", orders)
    baseline = measure("dicts", orders)

    def per_order(figures: dict[str, float]) -> float:
        return (figures["after"] - figures["before"]) * 1024 * 1024 / orders

    return [
        Row(
            name=f"memory: peak RSS holding {orders:,} {LINES}-line orders",
            figure=library["after"],
            baseline=baseline["after"],
            unit="MiB vs plain dicts",
            note=(
                f"{per_order(library):,.0f} B/order vs {per_order(baseline):,.0f} B/order "
                f"over a {library['before']:.0f} MiB interpreter"
                + (" (quick: 10^4 orders; --full holds 10^5)" if sizes.quick else "")
            ),
        )
    ]


if __name__ == "__main__":
    print(json.dumps(hold(sys.argv[1], int(sys.argv[2]))))
