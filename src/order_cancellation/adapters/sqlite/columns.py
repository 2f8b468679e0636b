"""How values live in columns: datetimes as fixed-width UTC text, enums by value.

A datetime column holds ISO 8601 in UTC with microseconds and a ``+00:00`` suffix, always
32 characters, so comparing the text compares the instants and the range queries of the
reports and the outbox can use plain ``<`` on an index. Reading gives back a UTC-aware
datetime equal (as an instant) to the one written.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import TypeVar

from order_cancellation.domain.errors import InvalidInput, RepositoryCorrupted

E = TypeVar("E", bound=enum.Enum)


def utc_text(moment: datetime) -> str:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InvalidInput(f"times are stored timezone-aware; got {moment!r}.")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def optional_utc_text(moment: datetime | None) -> str | None:
    return None if moment is None else utc_text(moment)


def utc_datetime(text: object, *, what: str) -> datetime:
    """The datetime of a column written by :func:`utc_text`, or RepositoryCorrupted."""
    try:
        if not isinstance(text, str):
            raise TypeError(f"expected text, got {type(text).__name__}")
        moment = datetime.fromisoformat(text)
        if moment.utcoffset() is None:
            raise ValueError("no timezone")
    except (TypeError, ValueError) as error:
        raise corrupted(what, f"the time {text!r} does not read back ({error})") from error
    return moment.astimezone(UTC)


def optional_utc_datetime(text: object, *, what: str) -> datetime | None:
    return None if text is None else utc_datetime(text, what=what)


def enum_member(cls: type[E], value: object, *, what: str) -> E:
    try:
        return cls(value)
    except ValueError as error:
        raise corrupted(what, f"{value!r} is not a known {cls.__name__}") from error


def corrupted(what: str, detail: str) -> RepositoryCorrupted:
    return RepositoryCorrupted(
        f"{what} is corrupted: {detail}. It was changed outside the library; restore it from "
        "a backup. It is not repaired automatically."
    )
