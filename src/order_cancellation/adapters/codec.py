"""JSON encoding of domain records, shared by the durable backends.

Encoding is driven by the attrs fields and type hints of the classes, so a new event type
needs no codec code: it is found by name among the domain's events. Each record type gets a
table, worked out once from its fields (names to encode; name, whether required and
decoder to decode), that plain functions walk: no code is generated. Anything that does not
decode (an unknown state, a missing field, a wrong type) raises
:class:`RepositoryCorrupted` instead of being guessed at.
"""

from __future__ import annotations

import enum
import json
import operator
import types
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any, Final, TypeVar
from uuid import UUID, uuid5

import attrs

from order_cancellation.domain import events as _events
from order_cancellation.domain.errors import RepositoryCorrupted
from order_cancellation.domain.money import Money, stored_money
from order_cancellation.domain.refunds import RefundOrder

T = TypeVar("T")

EVENT_TYPES: Final[dict[str, type[_events.DomainEvent]]] = {
    name: value
    for name, value in vars(_events).items()
    if isinstance(value, type) and issubclass(value, _events.DomainEvent)
}


def encode(value: object) -> Any:
    """A JSON-ready form of ``value`` (attrs records, Money, enums, datetimes, tuples)."""
    kind = type(value)
    encoder = _ENCODERS.get(kind)
    if encoder is None:
        encoder = _ENCODERS[kind] = _encoder_for(kind)
    return encoder(value)


# Each record is written on every command and effect: the choice of how to encode a type is
# made once per type (in the order the checks below give) instead of once per value.
_ENCODERS: dict[type, Callable[[Any], Any]] = {}


def _same(value: Any) -> Any:
    return value


def _encode_money(value: Money) -> Any:
    return {"minor": value.minor, "currency": value.currency}


def _encode_items(value: tuple[Any, ...] | list[Any]) -> Any:
    return [encode(item) for item in value]


def _encode_dict(value: dict[Any, Any]) -> Any:
    return {str(key): encode(item) for key, item in value.items()}


def _encoder_for(kind: type) -> Callable[[Any], Any]:  # noqa: PLR0911 - one return per kind
    # Before str: the status enums are StrEnums, and are stored as their plain values.
    if issubclass(kind, enum.Enum):
        return operator.attrgetter("value")
    if kind is type(None) or issubclass(kind, bool | int | str):
        return _same
    if issubclass(kind, Money):
        return _encode_money
    if issubclass(kind, datetime):
        return datetime.isoformat
    if issubclass(kind, tuple | list):
        return _encode_items
    if issubclass(kind, dict):
        return _encode_dict
    if attrs.has(kind):
        return _record_encoder(kind)

    def refuse(value: Any) -> Any:
        raise TypeError(f"cannot encode {type(value).__name__}")

    return refuse


_PLAIN: Final = frozenset({str, int, bool, type(None)})


def _record_encoder(kind: type) -> Callable[[Any], Any]:
    """The encoder of one record type, from its table of field names: plain values (text,
    numbers, None) are taken as they are, the rest encoded."""
    names = tuple(field.name for field in _fields(kind))
    if len(names) == 1:
        (name,) = names

        def encode_one_field(value: Any) -> Any:
            item = getattr(value, name)
            return {name: item if type(item) in _PLAIN else encode(item)}

        return encode_one_field
    # One C call reads every field, in the table's order.
    read_fields, plain = operator.attrgetter(*names), _PLAIN

    def encode_record(value: Any) -> Any:
        encoded = {}
        for name, item in zip(names, read_fields(value)):  # noqa: B905 - one table
            encoded[name] = item if type(item) in plain else encode(item)
        return encoded

    return encode_record


def decode(cls: type[T], data: Any) -> T:
    """Rebuild a ``cls`` from :func:`encode`'s output, or raise RepositoryCorrupted."""
    try:
        upgrade = _UPGRADES.get(cls)
        if upgrade is not None:
            data = upgrade(data)
        return typing.cast(T, _decode(cls, data))
    except (TypeError, ValueError, KeyError, AttributeError) as error:
        raise RepositoryCorrupted(
            f"a stored {getattr(cls, '__name__', cls)} does not decode ({error}); the record "
            "was changed outside the library. Restore it from a backup; it is not repaired "
            "automatically."
        ) from error


def _refund_order_of_old(data: Any) -> Any:
    """A refund order stored before each effect kept its own error: its one ``last_error``
    goes to the effect that is failing (payment first: it was written last), else to one
    still open after a retry was asked for; with both settled nothing is left to explain."""
    if not isinstance(data, dict) or "last_error" not in data:
        return data
    upgraded = {key: value for key, value in data.items() if key != "last_error"}
    payment, stock = data.get("payment_status"), data.get("stock_status")
    for statuses in (_FAILING, ("pending",)):
        if payment in statuses:
            upgraded["payment_error"] = data["last_error"]
            break
        if stock in statuses:
            upgraded["stock_error"] = data["last_error"]
            break
    return upgraded


_FAILING: Final = ("failed_retrying", "dead_lettered")
# Records whose stored form an older release wrote differently, rewritten before decoding.
_UPGRADES: Final[dict[type, Callable[[Any], Any]]] = {RefundOrder: _refund_order_of_old}


def event_order_id(text: str) -> str | None:
    """The order a stored event names, read without decoding the event (which may be of a
    type this release does not know, or damaged)."""
    try:
        order_id = json.loads(text)["data"]["order_id"]
    except (ValueError, KeyError, TypeError):
        return None
    return order_id if isinstance(order_id, str) else None


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
    data = payload["data"]
    if isinstance(data, dict) and "event_id" not in data:
        # Stored by a release before events had ids: an id derived from the stored text is
        # the same on every read, so redeliveries of the message still share it.
        data = {**data, "event_id": f"evt_{uuid5(_OLD_EVENTS, text).hex}"}
    return decode(event_type, data)


_OLD_EVENTS: Final = UUID("0f6c1b8e-3a52-4d4e-9a57-2f1d7c0f15a0")


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


def _decode(hint: Any, data: Any) -> Any:
    return _decoder(hint)(data)


_Decoder = Callable[[Any], Any]


@cache
def _decoder(hint: Any) -> _Decoder:  # noqa: PLR0911 - one decoder per kind of type
    """How to rebuild a value of ``hint``, worked out once per type.

    Reading the type hints costs far more than applying them, and every order, refund order
    and event read from a store goes through here.
    """
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return _union_decoder(typing.get_args(hint))
    if origin is tuple:
        item = _decoder(typing.get_args(hint)[0])

        def decode_tuple(data: Any) -> Any:
            if not isinstance(data, list):
                raise TypeError(f"expected a list, got {type(data).__name__}")
            return tuple([item(value) for value in data])

        return decode_tuple
    if hint is Money:
        return _decode_money
    if hint is datetime:
        return _decode_datetime
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if hint in (str, int, bool):
        return _exact(hint)
    if isinstance(hint, type) and attrs.has(hint):
        return _record_decoder(hint)
    raise TypeError(f"cannot decode into {hint!r}")


def _union_decoder(options: tuple[Any, ...]) -> _Decoder:
    nullable = type(None) in options
    choices = [_decoder(option) for option in options if option is not type(None)]
    if nullable and len(choices) == 1:
        (choice,) = choices

        def decode_optional(data: Any) -> Any:
            if data is None:
                return None
            try:
                return choice(data)
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                raise ValueError(f"{data!r} matches none of {options}") from error

        return decode_optional

    def decode_union(data: Any) -> Any:
        if data is None and nullable:
            return None
        last_error: Exception | None = None
        for choice in choices:
            try:
                return choice(data)
            except (TypeError, ValueError, KeyError, AttributeError) as error:
                last_error = error
        raise ValueError(f"{data!r} matches none of {options}") from last_error

    return decode_union


def _decode_money(data: Any) -> Money:
    return stored_money(data["minor"], data["currency"])


def _decode_datetime(data: Any) -> datetime:
    moment = datetime.fromisoformat(data)
    if moment.utcoffset() is None:
        raise ValueError(f"{data!r} has no timezone")
    return moment


def _exact(kind: type) -> _Decoder:
    def decode_exact(data: Any) -> Any:
        if type(data) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {type(data).__name__}")
        return data

    return decode_exact


@attrs.frozen
class _RecordTable:
    """How to rebuild one record type, field by field, worked out once from its fields.

    ``exact``: required text, numbers and flags, checked for their exact type and taken as
    they are; ``required``: every other required field and its decoder; ``optional``: fields
    with a default, which records written before they existed lack.
    """

    exact: tuple[tuple[str, type], ...]
    required: tuple[tuple[str, _Decoder], ...]
    optional: tuple[tuple[str, _Decoder], ...]


def _record_table(cls: type) -> _RecordTable:
    exact: list[tuple[str, type]] = []
    required: list[tuple[str, _Decoder]] = []
    optional: list[tuple[str, _Decoder]] = []
    for field in _fields(cls):
        hint = typing.cast(Any, field.type)
        decode_field: _Decoder = _decode_money if hint is Money else _decoder(hint)
        if field.default is not attrs.NOTHING:
            optional.append((field.name, decode_field))
        elif hint in (str, int, bool):
            exact.append((field.name, hint))
        else:
            required.append((field.name, decode_field))
    return _RecordTable(tuple(exact), tuple(required), tuple(optional))


def _record_decoder(cls: type) -> _Decoder:
    """The decoder of ``cls``: its table (:func:`_record_table`) walked by a plain loop. A
    missing required field raises KeyError, a value of another type TypeError."""
    table = _record_table(cls)
    expected = f"expected an object for {cls.__name__}"

    def decode_record(data: Any) -> Any:
        if not isinstance(data, dict):
            raise TypeError(expected)
        arguments = {}
        for name, kind in table.exact:
            value = data[name]
            if type(value) is not kind:
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
            arguments[name] = value
        for name, decode_field in table.required:
            arguments[name] = decode_field(data[name])
        for name, decode_field in table.optional:
            if name in data:
                arguments[name] = decode_field(data[name])
        return cls(**arguments)

    return decode_record
