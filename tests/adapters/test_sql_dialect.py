"""A statement of the shared SQL core is written once, in the SQLite form, and rendered for
each dialect."""

from __future__ import annotations

import pytest

from order_cancellation.adapters.sqlite.dialect import SQLITE

STATEMENT = "UPDATE {t}orders SET data = ?{json} WHERE shop = ? RETURNING data{json}"


def test_sqlite_renders_a_statement_without_its_markers() -> None:
    assert SQLITE.sql(STATEMENT) == "UPDATE orders SET data = ? WHERE shop = ? RETURNING data"


def test_postgres_renders_schema_placeholders_and_json_casts() -> None:
    pytest.importorskip("psycopg")
    from order_cancellation.adapters.postgres.dialect import POSTGRES

    assert POSTGRES.sql(STATEMENT) == (
        "UPDATE {schema}.orders SET data = %s::jsonb WHERE shop = %s RETURNING data::text"
    )
