"""Where the benchmarks find PostgreSQL and put their SQLite files."""

from __future__ import annotations

import os

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:54329/postgres"  # what .ci/postgres.sh starts


def postgres_dsn() -> str:
    return os.environ.get("ORDER_CANCELLATION_BENCH_DSN", DEFAULT_DSN)
