"""The SQLite backend, the embedded default: every storage port in one local file.

Standard library ``sqlite3`` only. WAL, ``BEGIN IMMEDIATE`` for every unit of work, a
``busy_timeout`` of 5 s unless told otherwise, foreign keys on, and numbered migrations
applied when a file is opened. See ``docs/backends.md``.
"""

from order_cancellation.adapters.sql.migrations import Migration
from order_cancellation.adapters.sqlite.backend import DEFAULT_BUSY_TIMEOUT, SQLiteBackend
from order_cancellation.adapters.sqlite.connection import SQLitePragmas
from order_cancellation.adapters.sqlite.migrations import LATEST_VERSION, MIGRATIONS
from order_cancellation.adapters.sqlite.unit_of_work import SQLiteUnitOfWork

__all__ = [
    "DEFAULT_BUSY_TIMEOUT",
    "LATEST_VERSION",
    "MIGRATIONS",
    "Migration",
    "SQLiteBackend",
    "SQLitePragmas",
    "SQLiteUnitOfWork",
]
