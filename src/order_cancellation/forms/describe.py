"""The JSON Schema documents of the forms, built from the same attrs fields the forms are.

The shipped files under ``forms/schemas/`` are this module's output (``python -m
order_cancellation.forms.describe DIRECTORY`` writes them); a test checks they agree.
"""

from __future__ import annotations

import enum
import json
import sys
import typing
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import attrs

from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.forms import DOCUMENTS, EVENT_TYPES, SCHEMA_VERSION, event_type_name
from order_cancellation.forms.convert import DERIVED, fields_of, key_of, optional_of

BASE_URI: Final = "https://order-cancellation.invalid/schemas/"

_MONEY: Final = {
    "type": "object",
    "description": "An exact amount: integer minor units of an ISO 4217 currency.",
    "properties": {
        "minor": {"type": "integer"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "display": {"type": "string", "description": "For people: '12.50 EUR'."},
    },
    "required": ["minor", "currency", "display"],
    "additionalProperties": False,
}
_TAX_RATE: Final = {
    "type": "object",
    "description": "A tax rate: basis points (2550 = 25.5 %) and the percentage as text.",
    "properties": {
        "basis_points": {"type": "integer", "minimum": 0},
        "percent": {"type": "string"},
    },
    "required": ["basis_points", "percent"],
    "additionalProperties": False,
}
_MOMENT: Final = {"type": "string", "format": "date-time", "description": "RFC 3339, UTC."}


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {"Money": _MONEY, "TaxRate": _TAX_RATE}

    def hint(self, hint: Any) -> dict[str, Any]:  # noqa: PLR0911 - one return per kind
        inner = optional_of(hint)
        if inner is not None:
            return {"anyOf": [self.hint(inner), {"type": "null"}]}
        if typing.get_origin(hint) is tuple:
            return {"type": "array", "items": self.hint(typing.get_args(hint)[0])}
        if hint is Money:
            return {"$ref": "#/$defs/Money"}
        if hint is TaxRate:
            return {"$ref": "#/$defs/TaxRate"}
        if hint is datetime:
            return dict(_MOMENT)
        if isinstance(hint, type) and issubclass(hint, enum.Enum):
            return {"type": "string", "enum": [member.value for member in hint]}
        if attrs.has(hint):
            name = hint.__name__
            if name not in self.defs:
                self.defs[name] = {}  # taken before recursing
                self.defs[name] = self.record(hint)
            return {"$ref": f"#/$defs/{name}"}
        return {"type": {str: "string", int: "integer", bool: "boolean"}[hint]}

    def record(self, cls: type, head: dict[str, Any] | None = None) -> dict[str, Any]:
        properties = dict(head or {})
        for field in fields_of(cls):
            properties[key_of(cls, field.name)] = self.hint(field.type)
        for key, _, hint in DERIVED.get(cls, ()):
            properties[key] = {**self.hint(hint), "readOnly": True}
        document: dict[str, Any] = {"type": "object"}
        if cls.__doc__:
            document["description"] = " ".join(cls.__doc__.split("\n\n")[0].split())
        return {
            **document,
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        }


def _version() -> dict[str, Any]:
    return {"type": "integer", "const": SCHEMA_VERSION}


def build(kind: type) -> dict[str, Any]:
    """The JSON Schema of ``kind``'s documents (a key of :data:`DOCUMENTS`)."""
    builder = _Builder()
    name = DOCUMENTS[kind]
    if kind is DomainEvent:
        choices = []
        for _, event in sorted(EVENT_TYPES.items()):
            head = {
                "schema_version": _version(),
                "type": {"type": "string", "const": event_type_name(event)},
            }
            builder.defs[event.__name__] = builder.record(event, head)
            choices.append({"$ref": f"#/$defs/{event.__name__}"})
        body: dict[str, Any] = {"oneOf": choices}
    else:
        body = builder.record(kind, {"schema_version": _version()})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{BASE_URI}{name}.schema.json",
        "title": name,
        **body,
        "$defs": dict(sorted(builder.defs.items())),
    }


def text(kind: type) -> str:
    return json.dumps(build(kind), indent=2, sort_keys=False) + "\n"


def write(directory: Path) -> list[Path]:
    written = []
    for kind, name in DOCUMENTS.items():
        path = directory / f"{name}.schema.json"
        path.write_text(text(kind), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "schemas"
    for path in write(target):
        print(path)
