"""How values live in columns: datetimes as fixed-width UTC text, enums by value.

A datetime column holds ISO 8601 in UTC with microseconds and a ``+00:00`` suffix, always
32 characters, so comparing the text compares the instants and the range queries of the
reports and the outbox can use plain ``<`` on an index. Reading gives back a UTC-aware
datetime equal (as an instant) to the one written.
"""

from __future__ import annotations

from datetime import UTC, datetime

from order_cancellation.adapters.sql.rows import corrupted, enum_member
from order_cancellation.domain.errors import InvalidInput


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


__all__ = [
    "corrupted",
    "enum_member",
    "optional_utc_datetime",
    "optional_utc_text",
    "utc_datetime",
    "utc_text",
]
