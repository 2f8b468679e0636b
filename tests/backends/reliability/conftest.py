"""Fixtures of the reliability tests that need a store other processes can open too."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.backends.reliability.support import StoreSpec


@pytest.fixture
def store_spec(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[StoreSpec]:
    """A fresh durable store of ``backend_name`` (sqlite or postgres), described so that a
    child process can open it; PostgreSQL skips without a server, as in the contract suite."""
    if backend_name == "sqlite":
        yield StoreSpec("sqlite", str(tmp_path / "shop.db"))
        return
    if backend_name != "postgres":
        raise ValueError(f"{backend_name} is not a durable backend")
    dsn: str = request.getfixturevalue("postgres_dsn")
    spec = StoreSpec("postgres", dsn, schema=f"test_{uuid.uuid4().hex[:12]}")
    yield spec
    _drop_schema(dsn, spec.schema or "")


def _drop_schema(dsn: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
        )
