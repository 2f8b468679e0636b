"""JSON encoding of domain records, shared by the durable backends.

Encoding is driven by the attrs fields and type hints of the classes, so a new event type
needs no codec code: it is found by name among the domain's events. Anything that does not
decode (an unknown state, a missing field, a wrong type) raises
:class:`RepositoryCorrupted` instead of being guessed at.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any, Final, TypeVar

import attrs

from order_cancellation.domain import events as _events
from order_cancellation.domain.errors import RepositoryCorrupted
from order_cancellation.domain.money import Money

T = TypeVar("T")

EVENT_TYPES: Final[dict[str, type[_events.DomainEvent]]] = {
    name: value
    for name, value in vars(_events).items()
    if isinstance(value, type) and issubclass(value, _events.DomainEvent)
}


def encode(value: object) -> Any:  # noqa: PLR0911 - one return per kind of value
    """A JSON-ready form of ``value`` (attrs records, Money, enums, datetimes, tuples)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Money):
        return {"minor": value.minor, "currency": value.currency}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if attrs.has(type(value)):
        return {field.name: encode(getattr(value, field.name)) for field in _fields(type(value))}
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(cls: type[T], data: Any) -> T:
    """Rebuild a ``cls`` from :func:`encode`'s output, or raise RepositoryCorrupted."""
    try:
        return typing.cast(T, _decode(cls, data))
    except RepositoryCorrupted:
        raise
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise RepositoryCorrupted(
            f"a stored {getattr(cls, '__name__', cls)} does not decode ({error}); the record "
            "was changed outside the library. Restore it from a backup; it is not repaired "
            "automatically."
        ) from error


def dumps_event(event: _events.DomainEvent) -> str:
    return json.dumps({"type": type(event).__name__, "data": encode(event)}, sort_keys=True)


def loads_event(text: str) -> _events.DomainEvent:
    try:
        payload = json.loads(text)
        event_type = EVENT_TYPES[payload["type"]]
    except (ValueError, KeyError, TypeError) as error:
        raise RepositoryCorrupted(
            f"a stored event does not decode ({error}); it was written by a newer version "
            "of the library or changed by hand."
        ) from error
    return decode(event_type, payload["data"])


def dumps(value: object) -> str:
    return json.dumps(encode(value), sort_keys=True)


def loads(cls: type[T], text: str) -> T:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise RepositoryCorrupted(f"a stored {cls.__name__} is not JSON: {error}") from error
    return decode(cls, data)


@cache
def _fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    attrs.resolve_types(cls)
    return tuple(attrs.fields(cls))


def _decode(hint: Any, data: Any) -> Any:  # noqa: PLR0911, PLR0912 - one branch per kind of type
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if data is None and type(None) in options:
            return None
        last_error: Exception | None = None
        for option in options:
            if option is type(None):
                continue
            try:
                return _decode(option, data)
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                last_error = error
        raise ValueError(f"{data!r} matches none of {options}") from last_error
    if origin is tuple:
        item_type = typing.get_args(hint)[0]
        if not isinstance(data, list):
            raise TypeError(f"expected a list, got {type(data).__name__}")
        return tuple(_decode(item_type, item) for item in data)
    if hint is Money:
        return Money(data["minor"], data["currency"])
    if hint is datetime:
        moment = datetime.fromisoformat(data)
        if moment.utcoffset() is None:
            raise ValueError(f"{data!r} has no timezone")
        return moment
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint(data)
    if hint in (str, int, bool):
        if type(data) is not hint:
            raise TypeError(f"expected {hint.__name__}, got {type(data).__name__}")
        return data
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(data, dict):
            raise TypeError(f"expected an object for {hint.__name__}")
        values = {
            field.name: _decode(field.type, data[field.name])
            for field in _fields(hint)
            if field.name in data or field.default is attrs.NOTHING
        }
        return hint(**values)
    raise TypeError(f"cannot decode into {hint!r}")
