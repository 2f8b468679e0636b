"""The public JSON forms of orders, refund orders, sales reports and events.

``to_json(value)`` gives a JSON-ready dict; ``from_json(kind, data)`` rebuilds the value and
``from_json(kind, to_json(value)) == value``. Every document carries ``schema_version``; an
event's also carries its ``type`` (``"order.canceled"``) and ``event_id``. The JSON Schema of
each document ships with the package (:func:`schema`, files under ``forms/schemas/``).

This package imports only the domain, so the CLI, the webhook publisher and a web layer all
use the same forms.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources
from typing import Any, Final, TypeVar, cast

from order_cancellation.domain import events as _events
from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport
from order_cancellation.forms.convert import (
    InvalidDocument,
    decode_record,
    encode_record,
    moment_text,
)

SCHEMA_VERSION: Final = 1
"""The version of the JSON forms: raised when a form changes in a way old readers would
misread (a field removed or its meaning changed); new fields do not raise it."""

T = TypeVar("T")


def event_type_name(kind: type[DomainEvent]) -> str:
    """The dotted type of an event in its JSON form: ``OrderCanceled`` -> ``order.canceled``,
    ``ManualRefundRequired`` -> ``manual_refund.required``."""
    words: list[str] = re.findall(r"[A-Z][a-z]*", kind.__name__)
    return "_".join(words[:-1]).lower() + "." + words[-1].lower()


EVENT_TYPES: Final[dict[str, type[DomainEvent]]] = {
    event_type_name(value): value
    for value in vars(_events).values()
    if isinstance(value, type)
    and issubclass(value, DomainEvent)
    and value.__module__ == _events.__name__
    and value not in (DomainEvent, _events.RefundEvent, _events.PaymentSettled)
}
"""Every event a shop records, by its dotted type."""

DOCUMENTS: Final[dict[type, str]] = {
    Order: "order",
    RefundOrder: "refund_order",
    SalesReport: "sales_report",
    DomainEvent: "event",
}
"""The kinds of document, by the name of their schema file (``<name>.schema.json``)."""


def to_json(value: Order | RefundOrder | SalesReport | DomainEvent) -> dict[str, Any]:
    """The JSON form of ``value``: a dict of JSON-ready values, ``schema_version`` first."""
    if isinstance(value, DomainEvent):
        kind = type(value)
        if kind not in EVENT_TYPES.values():
            raise TypeError(f"{kind.__name__} is not an event a shop records")
        return {
            "schema_version": SCHEMA_VERSION,
            "type": event_type_name(kind),
            **encode_record(kind, value),
        }
    if isinstance(value, Order | RefundOrder | SalesReport):
        return {"schema_version": SCHEMA_VERSION, **encode_record(type(value), value)}
    raise TypeError(
        f"{type(value).__name__} has no JSON form; forms exist for Order, RefundOrder, "
        "SalesReport and domain events"
    )


def from_json(kind: type[T], data: object) -> T:
    """Rebuild a ``kind`` (Order, RefundOrder, SalesReport, DomainEvent or one event type)
    from its JSON form, or raise :class:`InvalidDocument` saying which field is wrong.

    Keys a form derives (an order's ``total``) and keys it does not know are ignored."""
    if not isinstance(data, dict):
        raise InvalidDocument(f"a document is a JSON object, not {type(data).__name__}.")
    version = data.get("schema_version", SCHEMA_VERSION)
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        raise InvalidDocument(
            f"schema_version {version!r} is not one this release reads (1 to {SCHEMA_VERSION}); "
            "upgrade the library to read documents of newer releases."
        )
    if isinstance(kind, type) and issubclass(kind, DomainEvent):
        name = data.get("type")
        event_kind = EVENT_TYPES.get(name) if isinstance(name, str) else None
        if event_kind is None or not issubclass(event_kind, kind):
            expected = [name for name, value in EVENT_TYPES.items() if issubclass(value, kind)]
            raise InvalidDocument(f"type must be one of {', '.join(expected)}, not {name!r}.")
        return cast(T, decode_record(event_kind, data, ""))
    if kind in (Order, RefundOrder, SalesReport):
        return cast(T, decode_record(kind, data, ""))
    raise TypeError(f"{getattr(kind, '__name__', kind)!s} has no JSON form")


@cache
def _schema_text(name: str) -> str:
    return (resources.files(__name__) / "schemas" / f"{name}.schema.json").read_text("utf-8")


def schema(kind: type) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``kind``'s documents, as shipped in the package."""
    try:
        name = DOCUMENTS[kind]
    except KeyError:
        raise TypeError(f"{getattr(kind, '__name__', kind)!s} has no JSON form") from None
    document: dict[str, Any] = json.loads(_schema_text(name))
    return document


__all__ = [
    "DOCUMENTS",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "InvalidDocument",
    "event_type_name",
    "from_json",
    "moment_text",
    "schema",
    "to_json",
]
