"""The machine line printed above the table: date, cores, Python, SQLite, PostgreSQL."""

from __future__ import annotations

import platform
import sqlite3
from datetime import UTC, datetime

from benchmarks.harness import cpu_count
from benchmarks.settings import postgres_dsn


def postgres_version(dsn: str) -> str:
    try:
        import psycopg  # noqa: PLC0415 - optional: the postgres extra

        with psycopg.connect(dsn, connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    except Exception as error:
        return f"unavailable ({type(error).__name__})"
    return str(row[0]) if row else "unknown"


def describe(*, mode: str) -> str:
    return (
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {cpu_count()} cores, "
        f"{platform.machine()}, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; "
        f"PostgreSQL {postgres_version(postgres_dsn())}; mode {mode}"
    )
