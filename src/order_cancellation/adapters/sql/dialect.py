"""What differs between two SQL engines in the statements the core shares.

A shared statement is written in the SQLite form with two markers: ``{t}`` before a table
name (where PostgreSQL puts its schema) and ``{json}`` after a JSON parameter or column
(where PostgreSQL casts to and from ``jsonb``). :meth:`Dialect.sql` renders it once per
dialect and keeps the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeAlias

import attrs

Row: TypeAlias = Sequence[Any]


class Runner(Protocol):
    """Runs one unit of work's statements; every driver error comes out as the library's
    own (``doing`` says what was being done, for the message)."""

    def rows(self, template: str, params: Sequence[Any], doing: str) -> Sequence[Row]: ...

    def one(self, template: str, params: Sequence[Any], doing: str) -> Row | None: ...

    def run(self, template: str, params: Sequence[Any], doing: str) -> int:
        """Execute a write; returns how many rows it touched."""
        ...


@attrs.frozen(eq=False)
class Dialect:
    mark: str  # a parameter: "?" or "%s"
    tables: str  # put before a table name: "" or "{schema}."
    json_in: str  # after a JSON parameter: "" or "::jsonb"
    json_out: str  # after a JSON column read as text: "" or "::text"
    write_time: Callable[[datetime], object]  # an instant as the engine stores it
    read_time: Callable[[object, str], datetime]  # (stored value, what) -> UTC datetime
    _rendered: dict[str, str] = attrs.field(factory=dict, init=False, repr=False)

    def sql(self, template: str) -> str:
        """``template`` (SQLite form, with ``{t}`` and ``{json}`` markers) in this dialect."""
        text = self._rendered.get(template)
        if text is None:
            text = self._rendered[template] = _render(self, template)
        return text


def _render(dialect: Dialect, template: str) -> str:
    if dialect.mark != "?":
        template = template.replace("?", dialect.mark)
    # A JSON marker after a parameter casts the parameter; after a column, the column.
    template = template.replace(f"{dialect.mark}{{json}}", f"{dialect.mark}{dialect.json_in}")
    return template.replace("{json}", dialect.json_out).replace("{t}", dialect.tables)
