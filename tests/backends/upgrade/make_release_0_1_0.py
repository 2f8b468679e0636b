"""How tests/backends/upgrade/release-0.1.0.* were made, kept for the record.

Run with order-cancellation 0.1.0 installed (the release before tax, shipping and
discounts): it writes a SQLite file and a PostgreSQL dump of one shop with an open order,
a canceled order, a partly returned order and a fulfilled order, on fixed days, so the
upgrade tests can check what a newer release reads back from them.

    python tests/backends/upgrade/make_release_0_1_0.py DSN
"""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from order_cancellation import LineItem, Money, PaymentRef, Sales

HERE = Path(__file__).parent
SCHEMA = "release_0_1_0"


class FixedClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.moment


def write(sales: Sales, clock: FixedClock) -> None:
    eur = "EUR"
    sales.set_stock("SHIRT", 10)
    sales.set_stock("MUG", 5)
    sales.define_status_label("Canceled - out of stock")
    sales.place_order(
        [LineItem("SHIRT", 1, Money.of("19.90", eur))],
        payment=PaymentRef(provider="paypal", reference="PAY-OPEN"),
        order_id="open-1",
    )
    sales.place_order(
        [LineItem("SHIRT", 2, Money.of("19.90", eur)), LineItem("MUG", 1, Money.of("9.50", eur))],
        payment=PaymentRef(provider="paypal", reference="PAY-CANCEL"),
        order_id="canceled-1",
    )
    sales.place_order([LineItem("MUG", 3, Money.of("9.50", eur))], order_id="returned-1")
    sales.fulfill("returned-1")
    sales.place_order([LineItem("SHIRT", 1, Money.of("19.90", eur))], order_id="shipped-1")
    sales.fulfill("shipped-1")
    clock.moment = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    sales.cancel_order("canceled-1", status="Canceled - out of stock", reason="no stock")
    sales.create_return("returned-1", {"MUG": 2}, reason="chipped")


def main(dsn: str) -> None:
    path = HERE / "release-0.1.0.sqlite"
    path.unlink(missing_ok=True)
    clock = FixedClock()
    with Sales.sqlite(path, shop="acme", clock=clock) as sales:
        write(sales, clock)
    clock = FixedClock()
    with Sales.postgres(dsn, shop="acme", clock=clock, schema=SCHEMA) as sales:
        write(sales, clock)
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "--no-privileges", "--inserts", "--schema", SCHEMA, dsn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # psql meta-commands (\restrict) are dropped so that any client can run the dump.
    lines = [line for line in dump.splitlines() if not line.startswith("\\")]
    (HERE / "release-0.1.0.postgres.sql").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
