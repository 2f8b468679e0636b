"""The schema, as numbered migrations applied when a backend opens.

Each migration is data (:class:`~order_cancellation.adapters.sql.migrations.Migration`,
shared with SQLite): a number, a name and its statements. Opening a backend takes an
advisory lock on the schema's name, applies the migrations not yet recorded in
``schema_migrations`` in one transaction (PostgreSQL's DDL is transactional), and records
them. Many processes may open at once: the lock makes one of them do the work and the rest
find it done. A schema migrated by a newer library is refused rather than misread.

Every table carries ``shop`` first in its key, so one shop's queries never touch another's
rows. ``seq`` columns keep insertion order where the API promises an order and timestamps
tie (records made in the same command share one clock reading).
"""

from __future__ import annotations

import hashlib
from typing import Final

import psycopg
from psycopg import errors as pg_errors
from psycopg import sql

from order_cancellation.adapters.postgres.connection import (
    APPLICATION_NAME,
    RETRYABLE,
    Connection,
    connect_error,
    describe,
    translate,
)
from order_cancellation.adapters.sql.migrations import Migration, missing
from order_cancellation.domain.errors import ConfigurationError

MIGRATIONS: Final = (
    Migration(
        1,
        "orders, refund orders, labels, idempotency keys, outbox, stock",
        (
            """
            CREATE TABLE {schema}.orders (
                shop text NOT NULL,
                id text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                state text NOT NULL,
                status text NOT NULL,
                version integer NOT NULL,
                placed_at timestamptz NOT NULL,
                currency text NOT NULL,
                data jsonb NOT NULL,
                PRIMARY KEY (shop, id)
            )
            """,
            "CREATE INDEX orders_by_placed_at ON {schema}.orders (shop, placed_at, seq)",
            """
            CREATE TABLE {schema}.refund_orders (
                shop text NOT NULL,
                id text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                order_id text NOT NULL,
                created_at timestamptz NOT NULL,
                version integer NOT NULL,
                payment_status text NOT NULL,
                stock_status text NOT NULL,
                data jsonb NOT NULL,
                PRIMARY KEY (shop, id)
            )
            """,
            "CREATE INDEX refund_orders_by_order ON {schema}.refund_orders (shop, order_id)",
            """
            CREATE INDEX refund_orders_by_created_at
                ON {schema}.refund_orders (shop, created_at, seq)
            """,
            """
            CREATE TABLE {schema}.status_labels (
                shop text NOT NULL,
                label text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                means text NOT NULL,
                PRIMARY KEY (shop, label)
            )
            """,
            """
            CREATE TABLE {schema}.idempotency_keys (
                shop text NOT NULL,
                key text NOT NULL,
                fingerprint text NOT NULL,
                result_id text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (shop, key)
            )
            """,
            """
            CREATE TABLE {schema}.outbox (
                shop text NOT NULL,
                id text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                handler text NOT NULL,
                refund_order_id text,
                status text NOT NULL,
                attempts integer NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                available_at timestamptz NOT NULL,
                lease_until timestamptz,
                leased_by text,
                first_attempt_at timestamptz,
                last_error text,
                event jsonb NOT NULL,
                PRIMARY KEY (shop, id)
            )
            """,
            # The claim scans pending messages of one shop oldest first; done and dead ones
            # stay out of the index, so a long history does not slow the relay down.
            """
            CREATE INDEX outbox_claim ON {schema}.outbox (shop, seq)
                WHERE status = 'pending'
            """,
            """
            CREATE INDEX outbox_by_refund_order ON {schema}.outbox (shop, refund_order_id, seq)
                WHERE refund_order_id IS NOT NULL
            """,
            """
            CREATE TABLE {schema}.stock_levels (
                shop text NOT NULL,
                sku text NOT NULL,
                level bigint NOT NULL,
                PRIMARY KEY (shop, sku)
            )
            """,
            """
            CREATE TABLE {schema}.stock_movements (
                shop text NOT NULL,
                order_id text NOT NULL,
                line_id text NOT NULL,
                kind text NOT NULL,
                reference text NOT NULL,
                sku text NOT NULL,
                delta bigint NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
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
            """
            CREATE INDEX outbox_failures ON {schema}.outbox (shop, seq)
                WHERE status <> 'done'
            """,
        ),
    ),
    Migration(
        3,
        "listing and paging indexes, the SKUs of each order, webhook endpoints",
        (
            # Whether a refund order still owes an effect (RefundOrder.has_pending_effect),
            # computed from its status columns so that listing pending ones is an index range.
            """
            ALTER TABLE {schema}.refund_orders ADD COLUMN pending boolean
                GENERATED ALWAYS AS (
                    payment_status IN
                        ('pending', 'failed_retrying', 'dead_lettered', 'manual_refund_required')
                    OR stock_status IN ('pending', 'failed_retrying', 'dead_lettered')
                ) STORED
            """,
            "CREATE INDEX refund_orders_newest ON {schema}.refund_orders (shop, created_at, id)",
            """
            CREATE INDEX refund_orders_pending
                ON {schema}.refund_orders (shop, pending, created_at, id)
            """,
            """
            CREATE INDEX refund_orders_by_payment_status
                ON {schema}.refund_orders (shop, payment_status, created_at, id)
            """,
            "CREATE INDEX orders_newest ON {schema}.orders (shop, placed_at, id)",
            "CREATE INDEX orders_by_state ON {schema}.orders (shop, state, placed_at, id)",
            """
            CREATE TABLE {schema}.order_skus (
                shop text NOT NULL,
                sku text NOT NULL,
                placed_at timestamptz NOT NULL,
                order_id text NOT NULL,
                PRIMARY KEY (shop, sku, placed_at, order_id)
            )
            """,
            """
            INSERT INTO {schema}.order_skus (shop, sku, placed_at, order_id)
            SELECT DISTINCT orders.shop, line ->> 'sku', orders.placed_at, orders.id
            FROM {schema}.orders, jsonb_array_elements(orders.data -> 'lines') AS line
            """,
            """
            CREATE TABLE {schema}.webhook_endpoints (
                shop text NOT NULL,
                id text NOT NULL,
                seq bigint GENERATED ALWAYS AS IDENTITY,
                url text NOT NULL,
                secret text NOT NULL,
                event_types jsonb NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (shop, id)
            )
            """,
        ),
    ),
    Migration(
        4,
        "API tokens of each shop (hashes of their secrets)",
        (
            """
            CREATE TABLE {schema}.api_tokens (
                shop text NOT NULL,
                id text NOT NULL,
                name text,
                secret_hash text NOT NULL,
                created_at timestamptz NOT NULL,
                revoked_at timestamptz,
                PRIMARY KEY (shop, id)
            )
            """,
        ),
    ),
)

LATEST: Final = MIGRATIONS[-1].version
_ATTEMPTS: Final = 3
_RACES: Final = (*RETRYABLE, pg_errors.UniqueViolation)
_DDL_LOCK_TIMEOUT: Final = "30s"


def lock_key(schema: str) -> int:
    """A stable 64-bit advisory lock key for one schema (PostgreSQL wants a signed bigint)."""
    digest = hashlib.sha256(f"order_cancellation.migrations:{schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def migrate(dsn: str, schema: str, *, connect_timeout: float) -> int:
    """Bring ``schema`` up to date; returns how many migrations were applied now."""
    try:
        connection = psycopg.connect(
            dsn,
            connect_timeout=max(1, round(connect_timeout)),
            autocommit=False,
            application_name=APPLICATION_NAME,
        )
    except psycopg.Error as error:
        raise connect_error(dsn, error) from error
    with connection:
        for attempt in range(_ATTEMPTS):
            try:
                return _migrate(connection, schema)
            except psycopg.Error as error:
                connection.rollback()
                # DDL racing with someone else's (outside our advisory lock) may deadlock, or
                # find the schema created by them in the meantime; the whole migration
                # transaction is safe to run again, and then sees what they made.
                if isinstance(error, _RACES) and attempt < _ATTEMPTS - 1:
                    continue
                raise translate(error, f"migrating schema {schema!r} at {describe(dsn)}") from error
    raise AssertionError("unreachable")  # pragma: no cover


def _migrate(connection: Connection, schema: str) -> int:
    name = sql.Identifier(schema)
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(schema),))
    # A migration that must wait for a busy table gives up rather than queue every query of
    # the shop behind its lock.
    connection.execute("SELECT set_config('lock_timeout', %s, true)", (_DDL_LOCK_TIMEOUT,))
    exists = connection.execute(
        "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
    ).fetchone()
    if exists is None:
        # Only a missing schema needs the CREATE privilege on the database.
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(name))
    recorded = connection.execute(
        "SELECT 1 FROM pg_tables WHERE schemaname = %s AND tablename = 'schema_migrations'",
        (schema,),
    ).fetchone()
    if recorded is None:
        # Checked first, so that a role without CREATE rights can open a migrated schema.
        connection.execute(
            sql.SQL(
                """
                CREATE TABLE {}.schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """
            ).format(name)
        )
    applied = {
        int(row[0])
        for row in connection.execute(
            sql.SQL("SELECT version FROM {}.schema_migrations").format(name)
        ).fetchall()
    }
    try:
        to_apply = missing(MIGRATIONS, applied, store=f"the schema {schema!r}")
    except ConfigurationError:
        connection.rollback()
        raise
    count = 0
    for migration in to_apply:
        for statement in migration.statements:
            connection.execute(sql.SQL(statement).format(schema=name))
        connection.execute(
            sql.SQL("INSERT INTO {}.schema_migrations (version, name) VALUES (%s, %s)").format(
                name
            ),
            (migration.version, migration.name),
        )
        count += 1
    connection.commit()
    return count
