"""Backends for the contract and reliability tests: memory, SQLite and PostgreSQL.

PostgreSQL tests need a server. Point ``ORDER_CANCELLATION_TEST_DSN`` at one (default
``postgresql://postgres@127.0.0.1:54329/postgres``, what ``.ci/postgres.sh`` starts).
Without a reachable server they skip with the reason; with ``CI=true`` they fail instead,
because CI must prove the PostgreSQL adapter for real.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.ports.backend import Backend

if TYPE_CHECKING:
    import psycopg

    from order_cancellation.adapters.postgres import PostgresBackend

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:54329/postgres"
BACKEND_NAMES = ("memory", "sqlite", "postgres")
DURABLE_BACKEND_NAMES = ("sqlite", "postgres")

BackendFactory = Callable[[], Backend]


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    dsn = os.environ.get("ORDER_CANCELLATION_TEST_DSN", DEFAULT_DSN)
    try:
        import psycopg

        with psycopg.connect(dsn, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except Exception as error:
        reason = (
            f"no PostgreSQL server reachable at {dsn} ({type(error).__name__}: {error}); "
            "start one with `bash .ci/postgres.sh` or set ORDER_CANCELLATION_TEST_DSN"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must run the PostgreSQL tests, but {reason}")
        pytest.skip(reason)
    return dsn


def _closing(backend: Backend, opened: list[Backend]) -> Backend:
    opened.append(backend)
    return backend


@pytest.fixture(params=BACKEND_NAMES)
def backend_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def backend_factory(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[BackendFactory]:
    """Opens backends on one shared store: every call is a new connection to the same data
    (a new process would do the same), so tests can prove what survives a restart."""
    opened: list[Backend] = []
    if backend_name == "memory":
        shared = MemoryBackend()

        def factory() -> Backend:
            return shared

    elif backend_name == "sqlite":
        from order_cancellation.adapters.sqlite import SQLiteBackend

        path = tmp_path / "shop.db"

        def factory() -> Backend:
            return _closing(SQLiteBackend(path), opened)

    else:
        from order_cancellation.adapters.postgres import PostgresBackend

        dsn = request.getfixturevalue("postgres_dsn")
        schema = f"test_{uuid.uuid4().hex[:12]}"

        def factory() -> Backend:
            return _closing(PostgresBackend(dsn, schema=schema), opened)

    yield factory
    for backend in reversed(opened):
        close = getattr(backend, "close", None)
        if close is not None:
            close()
    if backend_name == "postgres":
        _drop_schema(request.getfixturevalue("postgres_dsn"), schema)


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )


@pytest.fixture
def backend(backend_factory: BackendFactory) -> Backend:
    return backend_factory()


DamageEvent = Callable[[Backend, str, str, str], None]


@pytest.fixture
def damage_event(backend_name: str, request: pytest.FixtureRequest) -> DamageEvent:
    """Overwrite one outbox message's stored event behind the library's back, as a newer
    release or a bad hand edit would: ``damage(backend, shop, message_id, text)``."""
    if backend_name == "memory":
        pytest.skip("the in-memory store keeps events as objects: none can be damaged")
    if backend_name == "sqlite":
        return _damage_sqlite
    dsn = str(request.getfixturevalue("postgres_dsn"))

    def damage_postgres(backend: Backend, shop: str, message_id: str, text: str) -> None:
        import psycopg
        from psycopg import sql

        schema = getattr(backend, "schema")  # noqa: B009 - a PostgresBackend's schema
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(
                sql.SQL(
                    "UPDATE {}.outbox SET event = %s::jsonb WHERE shop = %s AND id = %s"
                ).format(sql.Identifier(schema)),
                (text, shop, message_id),
            )

    return damage_postgres


def _damage_sqlite(backend: Backend, shop: str, message_id: str, text: str) -> None:
    import sqlite3

    connection = sqlite3.connect(getattr(backend, "path"), isolation_level=None)  # noqa: B009
    try:
        connection.execute(
            "UPDATE outbox SET event = ? WHERE shop = ? AND id = ?", (text, shop, message_id)
        )
    finally:
        connection.close()


FUTURE_SCHEMA_VERSION = 10_000


@pytest.fixture
def open_after_newer_release(
    backend_name: str, backend_factory: BackendFactory, request: pytest.FixtureRequest
) -> Callable[[], object]:
    """Open the store, record behind the library's back that a newer release migrated it
    (a row of a far higher version in ``schema_migrations``), and open it again."""
    if backend_name == "memory":
        pytest.skip("the in-memory store has no schema for a newer release to migrate")

    def open_() -> object:
        backend = backend_factory()
        if backend_name == "sqlite":
            import sqlite3

            file = sqlite3.connect(getattr(backend, "path"), isolation_level=None)  # noqa: B009
            try:
                file.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (?, 'from a newer release', '2030-01-01T00:00:00+00:00')",
                    (FUTURE_SCHEMA_VERSION,),
                )
            finally:
                file.close()
        else:
            import psycopg
            from psycopg import sql

            schema = getattr(backend, "schema")  # noqa: B009 - a PostgresBackend's schema
            dsn = str(request.getfixturevalue("postgres_dsn"))
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(
                    sql.SQL(
                        "INSERT INTO {}.schema_migrations (version, name)"
                        " VALUES (%s, 'from a newer release')"
                    ).format(sql.Identifier(schema)),
                    (FUTURE_SCHEMA_VERSION,),
                )
        return backend_factory()

    return open_


# -- PostgreSQL adapter tests ----------------------------------------------------------------


@pytest.fixture
def schema(postgres_dsn: str) -> Iterator[str]:
    """A fresh schema for one test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield name
    _drop_schema(postgres_dsn, name)


@pytest.fixture
def open_backend(postgres_dsn: str, schema: str) -> Iterator[Callable[..., PostgresBackend]]:
    """Opens backends on the test's schema (each call a new one, as a new process would)."""
    from order_cancellation.adapters.postgres import PostgresBackend

    opened: list[PostgresBackend] = []

    def open_(**options: object) -> PostgresBackend:
        backend = PostgresBackend(postgres_dsn, schema=schema, **options)  # type: ignore[arg-type]
        opened.append(backend)
        return backend

    yield open_
    for backend in opened:
        backend.close()


@pytest.fixture
def raw(postgres_dsn: str, schema: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain connection beside the backend, for holding locks and changing rows by hand."""
    import psycopg

    with psycopg.connect(postgres_dsn) as connection:
        yield connection
