"""A documented SQL bulk path that seeds a SQLite store as the adapter would have written it.

Placing a million orders through the library takes an hour on a small machine; this writes
the same rows in a few large transactions instead. The schema comes from the adapter itself
(``SQLiteBackend`` applies its migrations), and each order's JSON is the library's own
encoding of an order placed by ``Order.place``, with its id, payment reference and time
substituted. For each order it writes what placing it writes:

- ``orders``: the open order (state, status, version 1, placed_at, currency, data);
- ``stock_movements``: one ``sale`` movement per line, keyed (shop, order, line, kind, '');
- ``order_skus``: one row per SKU of the order (the listing's SKU filter);
- ``stock_levels``: each SKU's level after all the sales.

The smoke test reads seeded orders back through the library to prove the rows decode.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from benchmarks.orders import START, STOCK, items, payment
from benchmarks.seeding import order_id
from benchmarks.sqlite_files import SHOP
from order_cancellation.adapters import codec
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.domain.order import Order

_BATCH = 20_000
_PLACEHOLDER = 99_999_999  # stands for the order's number in the template


def _utc_text(n: int) -> str:
    # The adapter's column format: fixed-width UTC with microseconds.
    return (START + timedelta(seconds=n)).isoformat(timespec="microseconds")


def _template(lines: int) -> tuple[str, list[tuple[str, str, int]]]:
    decision = Order.place(
        order_id=order_id(_PLACEHOLDER),
        shop=SHOP,
        items=items(lines),
        payment=payment(_PLACEHOLDER),
        at=START,
    )
    order_lines = [(line.id, line.sku, line.quantity) for line in decision.order.lines]
    return codec.dumps(decision.order), order_lines


def bulk_seed(path: Path, count: int, lines: int) -> None:
    """Seed ``count`` open orders of ``lines`` lines into a new store at ``path``."""
    SQLiteBackend(path, synchronous="NORMAL").close()  # the adapter's schema, migrated
    data, order_lines = _template(lines)
    placed_at = START.isoformat()
    placeholder_id, placeholder_payment = order_id(_PLACEHOLDER), payment(_PLACEHOLDER).reference
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous = OFF")  # seeding only: a crash means re-seed
        for start in range(0, count, _BATCH):
            numbers = range(start, min(start + _BATCH, count))
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(
                "INSERT INTO orders (shop, id, state, status, version, placed_at, currency, data)"
                " VALUES (?, ?, 'open', 'Open', 1, ?, 'EUR', ?)",
                (
                    (
                        SHOP,
                        order_id(n),
                        _utc_text(n),
                        data.replace(placeholder_id, order_id(n))
                        .replace(placeholder_payment, payment(n).reference)
                        .replace(placed_at, (START + timedelta(seconds=n)).isoformat()),
                    )
                    for n in numbers
                ),
            )
            connection.executemany(
                "INSERT INTO stock_movements (shop, order_id, line_id, kind, reference, sku,"
                " delta) VALUES (?, ?, ?, 'sale', '', ?, ?)",
                (
                    (SHOP, order_id(n), line_id, line_sku, -quantity)
                    for n in numbers
                    for line_id, line_sku, quantity in order_lines
                ),
            )
            connection.executemany(
                "INSERT OR IGNORE INTO order_skus (shop, sku, placed_at, order_id)"
                " VALUES (?, ?, ?, ?)",
                (
                    (SHOP, line_sku, _utc_text(n), order_id(n))
                    for n in numbers
                    for _, line_sku, _ in order_lines
                ),
            )
            connection.execute("COMMIT")
        connection.executemany(
            "INSERT INTO stock_levels (shop, sku, level) VALUES (?, ?, ?)",
            ((SHOP, line_sku, STOCK - count * quantity) for _, line_sku, quantity in order_lines),
        )
    finally:
        connection.close()
