"""SQLite's side of the shared SQL core: its dialect, and its unit of work as a runner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from order_cancellation.adapters.sql.dialect import Dialect, Row
from order_cancellation.adapters.sqlite.columns import utc_datetime, utc_text

if TYPE_CHECKING:
    from order_cancellation.adapters.sqlite.unit_of_work import SQLiteUnitOfWork


def _read_time(value: object, what: str) -> datetime:
    return utc_datetime(value, what=what)


SQLITE: Final = Dialect(
    mark="?",
    tables="",
    json_in="",
    json_out="",
    write_time=utc_text,  # fixed-width UTC text: see columns.py
    read_time=_read_time,
)


class SQLiteRunner:
    """The shared core's statements, run in one unit of work's transaction."""

    def __init__(self, uow: SQLiteUnitOfWork) -> None:
        self._uow = uow

    def rows(self, template: str, params: Sequence[Any], doing: str) -> list[Row]:
        return self._uow.run(template, params, doing=doing).fetchall()

    def one(self, template: str, params: Sequence[Any], doing: str) -> Row | None:
        row: Row | None = self._uow.run(template, params, doing=doing).fetchone()
        return row

    def run(self, template: str, params: Sequence[Any], doing: str) -> int:
        return self._uow.run(template, params, doing=doing).rowcount
