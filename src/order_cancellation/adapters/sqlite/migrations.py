"""The schema, as numbered migrations applied when a backend opens a file.

Each migration is data (:class:`~order_cancellation.adapters.sql.migrations.Migration`,
shared with PostgreSQL): a number, a name and its statements. Opening a file applies the
missing ones in one ``BEGIN IMMEDIATE`` transaction and records each in
``schema_migrations``; the recorded version is read under that lock, so several processes
opening a new file at once apply every migration exactly once. Never edit a released
migration: add the next number.

Every table carries ``shop`` and every key starts with it: one shop's rows are never
reachable through another shop's unit of work. Datetimes are fixed-width UTC text (see
:mod:`.columns`); records are JSON in ``data``/``event`` with the columns that queries and
compare-and-set need beside them.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Final

from order_cancellation.adapters.sql.migrations import Migration, missing
from order_cancellation.adapters.sqlite.connection import begin_immediate

MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        1,
        "orders, refund orders, status labels, idempotency keys, outbox, stock",
        (
            """
            CREATE TABLE orders (
                seq INTEGER PRIMARY KEY,
                shop TEXT NOT NULL,
                id TEXT NOT NULL,
                state TEXT NOT NULL,
                status TEXT NOT NULL,
                version INTEGER NOT NULL,
                placed_at TEXT NOT NULL,
                currency TEXT NOT NULL,
                data TEXT NOT NULL,
                UNIQUE (shop, id)
            )
            """,
            "CREATE INDEX orders_by_placed_at ON orders (shop, placed_at)",
            """
            CREATE TABLE refund_orders (
                seq INTEGER PRIMARY KEY,
                shop TEXT NOT NULL,
                id TEXT NOT NULL,
                order_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                version INTEGER NOT NULL,
                payment_status TEXT NOT NULL,
                stock_status TEXT NOT NULL,
                data TEXT NOT NULL,
                UNIQUE (shop, id),
                FOREIGN KEY (shop, order_id) REFERENCES orders (shop, id)
                    DEFERRABLE INITIALLY DEFERRED
            )
            """,
            "CREATE INDEX refund_orders_by_order ON refund_orders (shop, order_id)",
            "CREATE INDEX refund_orders_by_created_at ON refund_orders (shop, created_at)",
            """
            CREATE TABLE status_labels (
                seq INTEGER PRIMARY KEY,
                shop TEXT NOT NULL,
                label TEXT NOT NULL,
                means TEXT NOT NULL,
                UNIQUE (shop, label)
            )
            """,
            """
            CREATE TABLE idempotency_keys (
                shop TEXT NOT NULL,
                key TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                result_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                PRIMARY KEY (shop, key)
            )
            """,
            """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY,
                shop TEXT NOT NULL,
                id TEXT NOT NULL,
                handler TEXT NOT NULL,
                refund_order_id TEXT,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                available_at TEXT NOT NULL,
                lease_until TEXT,
                leased_by TEXT,
                first_attempt_at TEXT,
                last_error TEXT,
                created_at TEXT NOT NULL,
                event TEXT NOT NULL,
                UNIQUE (shop, id)
            )
            """,
            "CREATE INDEX outbox_claim ON outbox (shop, status, available_at)",
            "CREATE INDEX outbox_by_refund_order ON outbox (shop, refund_order_id)",
            """
            CREATE TABLE stock_levels (
                seq INTEGER PRIMARY KEY,
                shop TEXT NOT NULL,
                sku TEXT NOT NULL,
                level INTEGER NOT NULL,
                UNIQUE (shop, sku)
            )
            """,
            """
            CREATE TABLE stock_movements (
                shop TEXT NOT NULL,
                order_id TEXT NOT NULL,
                line_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                reference TEXT NOT NULL,
                sku TEXT NOT NULL,
                delta INTEGER NOT NULL,
                PRIMARY KEY (shop, order_id, line_id, kind, reference)
            )
            """,
        ),
    ),
    Migration(
        2,
        "index of failed, dead-lettered and quarantined outbox messages",
        (
            # Sales.failed_effects() reads open messages (a failed one, or one in a status
            # other than pending); a long history of done messages stays out.
            "CREATE INDEX outbox_failures ON outbox (shop, seq) WHERE status <> 'done'",
        ),
    ),
    Migration(
        3,
        "listing and paging indexes, the SKUs of each order, webhook endpoints",
        (
            # Whether a refund order still owes an effect (RefundOrder.has_pending_effect),
            # computed from its status columns so that listing pending ones is an index range.
            """
            ALTER TABLE refund_orders ADD COLUMN pending INTEGER GENERATED ALWAYS AS (
                CASE WHEN payment_status IN
                        ('pending', 'failed_retrying', 'dead_lettered', 'manual_refund_required')
                    OR stock_status IN ('pending', 'failed_retrying', 'dead_lettered')
                THEN 1 ELSE 0 END
            ) VIRTUAL
            """,
            "CREATE INDEX refund_orders_newest ON refund_orders (shop, created_at, id)",
            "CREATE INDEX refund_orders_pending ON refund_orders (shop, pending, created_at, id)",
            """
            CREATE INDEX refund_orders_by_payment_status
                ON refund_orders (shop, payment_status, created_at, id)
            """,
            "CREATE INDEX orders_newest ON orders (shop, placed_at, id)",
            "CREATE INDEX orders_by_state ON orders (shop, state, placed_at, id)",
            """
            CREATE TABLE order_skus (
                shop TEXT NOT NULL,
                sku TEXT NOT NULL,
                placed_at TEXT NOT NULL,
                order_id TEXT NOT NULL,
                PRIMARY KEY (shop, sku, placed_at, order_id)
            ) WITHOUT ROWID
            """,
            """
            INSERT OR IGNORE INTO order_skus (shop, sku, placed_at, order_id)
            SELECT orders.shop, json_extract(line.value, '$.sku'), orders.placed_at, orders.id
            FROM orders, json_each(orders.data, '$.lines') AS line
            """,
            """
            CREATE TABLE webhook_endpoints (
                seq INTEGER PRIMARY KEY,
                shop TEXT NOT NULL,
                id TEXT NOT NULL,
                url TEXT NOT NULL,
                secret TEXT NOT NULL,
                event_types TEXT NOT NULL,
                created_at TEXT NOT NULL,
                UNIQUE (shop, id)
            )
            """,
        ),
    ),
    Migration(
        4,
        "API tokens of each shop (hashes of their secrets)",
        (
            """
            CREATE TABLE api_tokens (
                shop TEXT NOT NULL,
                id TEXT NOT NULL,
                name TEXT,
                secret_hash TEXT NOT NULL,
                created_at TEXT NOT NULL,
                revoked_at TEXT,
                PRIMARY KEY (shop, id)
            ) WITHOUT ROWID
            """,
        ),
    ),
)

LATEST_VERSION: Final = MIGRATIONS[-1].version


def migrate(connection: sqlite3.Connection, *, path: str, timeout: float) -> int:
    """Apply the missing migrations in one transaction; return the schema version.

    ``connection`` is in autocommit mode; the caller translates driver errors.
    """
    begin_immediate(connection, timeout=timeout)
    try:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {
            int(version)
            for (version,) in connection.execute("SELECT version FROM schema_migrations")
        }
        to_apply = missing(MIGRATIONS, applied, store=f"the SQLite database {path!r}")
        applied_at = datetime.now(UTC).isoformat(timespec="microseconds")
        for migration in to_apply:
            for statement in migration.statements:
                connection.execute(statement)
            connection.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (migration.version, migration.name, applied_at),
            )
        connection.execute("COMMIT")
        return LATEST_VERSION
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
