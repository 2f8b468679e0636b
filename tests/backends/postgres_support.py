"""Helpers shared by the PostgreSQL adapter tests (their fixtures live in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import psycopg
from psycopg import sql

from order_cancellation import Money, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.postgres import PostgresBackend

SHOP = "acme"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
Figure = Callable[[str], None]
OpenBackend = Callable[..., PostgresBackend]


def sales_on(backend: PostgresBackend, shop: str = SHOP, **options: object) -> Sales:
    # The backend given is used as it is; the DSN is not needed again.
    return Sales.postgres(shop=shop, backend=backend, clock=ManualClock(T0), **options)  # type: ignore[arg-type]


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def execute(
    connection: psycopg.Connection[tuple[object, ...]], schema: str, template: str, *params: object
) -> None:
    connection.execute(sql.SQL(template).format(schema=sql.Identifier(schema)), params)
