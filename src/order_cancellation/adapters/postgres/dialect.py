"""PostgreSQL's side of the shared SQL core: ``%s`` parameters, tables in the backend's
schema (filled in by :class:`.connection.Statements`), JSON as ``jsonb``, times as
``timestamptz`` read back in UTC. The unit of work's :class:`.connection.Session` is the
runner."""

from __future__ import annotations

from datetime import datetime
from typing import Final

from order_cancellation.adapters.postgres.connection import utc
from order_cancellation.adapters.sql.dialect import Dialect
from order_cancellation.adapters.sql.rows import corrupted


def _read_time(value: object, what: str) -> datetime:
    if not isinstance(value, datetime):
        raise corrupted(what, f"the time {value!r} is not a timestamp")
    return utc(value)


POSTGRES: Final = Dialect(
    mark="%s",
    tables="{schema}.",
    json_in="::jsonb",
    json_out="::text",
    write_time=utc,
    read_time=_read_time,
)
