"""Every backend passes the shipped contract suites (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import sqlite3

import pytest

from order_cancellation.ports.backend import Backend
from order_cancellation.testing.contracts import BackendContract
from order_cancellation.testing.outbox_contracts import DamageEvent, OutboxFailuresContract
from tests.backends.conftest import BackendFactory


class TestBackendContract(BackendContract, OutboxFailuresContract):
    @pytest.fixture
    def backend(self, backend_factory: BackendFactory) -> Backend:
        return backend_factory()

    @pytest.fixture
    def damage_event(self, backend_name: str, request: pytest.FixtureRequest) -> DamageEvent:
        if backend_name == "memory":
            pytest.skip("the in-memory store keeps events as objects: none can be damaged")
        if backend_name == "sqlite":
            return _damage_sqlite
        dsn = str(request.getfixturevalue("postgres_dsn"))

        def damage_postgres(backend: Backend, shop: str, message_id: str, text: str) -> None:
            import psycopg
            from psycopg import sql

            schema = getattr(backend, "schema")  # noqa: B009 - PostgresBackend only
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(
                    sql.SQL(
                        "UPDATE {}.outbox SET event = %s::jsonb WHERE shop = %s AND id = %s"
                    ).format(sql.Identifier(schema)),
                    (text, shop, message_id),
                )

        return damage_postgres


def _damage_sqlite(backend: Backend, shop: str, message_id: str, text: str) -> None:
    connection = sqlite3.connect(getattr(backend, "path"), isolation_level=None)  # noqa: B009
    try:
        connection.execute(
            "UPDATE outbox SET event = ? WHERE shop = ? AND id = ?", (text, shop, message_id)
        )
    finally:
        connection.close()
