"""Turning domain records into JSON-ready dicts and back, driven by their attrs fields.

Each record is written with every field it has, plus a few figures derived from them (an
order's ``total``, a line's ``subtotal``) that readers want and that are ignored when read
back. Amounts are ``{"minor", "currency", "display"}``, tax rates ``{"basis_points",
"percent"}``, times RFC 3339 in UTC, enums their string value, tuples lists.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any, Final

import attrs

from order_cancellation.domain.charges import AppliedDiscount
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.lines import OrderLine
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import CurrencyTotals, TaxTotals
from order_cancellation.domain.values import LineQuantity


class InvalidDocument(InvalidInput):
    """A JSON document does not describe the value asked for; the message names the field
    and what it should hold. Nothing was changed."""


@attrs.frozen(kw_only=True)
class TaxShare:
    """The tax at one rate, as listed in ``tax_by_rate``."""

    rate: TaxRate
    tax: Money


def _tax_shares(by_rate: Mapping[TaxRate, Money]) -> tuple[TaxShare, ...]:
    return tuple(TaxShare(rate=rate, tax=tax) for rate, tax in by_rate.items())


def _tax(value: Order | RefundOrder) -> Money:
    currency = value.currency if isinstance(value, Order) else value.amount.currency
    return sum(value.tax_by_rate.values(), Money.zero(currency))


def _percent(applied: AppliedDiscount) -> str | None:
    if applied.basis_points is None:
        return None
    return percent_text(TaxRate(applied.basis_points))


Derived = tuple[str, Callable[[Any], Any], Any]
"""A figure written beside the fields: its key, how to compute it, its type."""

DERIVED: Final[dict[type, tuple[Derived, ...]]] = {
    Order: (
        ("total", lambda order: order.total, Money),
        ("refundable", lambda order: order.refundable, Money),
        ("tax", _tax, Money),
        ("tax_by_rate", lambda order: _tax_shares(order.tax_by_rate), tuple[TaxShare, ...]),
    ),
    OrderLine: (
        ("list_price", lambda line: line.list_price, Money),
        ("subtotal", lambda line: line.subtotal, Money),
    ),
    AppliedDiscount: (("percent", _percent, str | None),),
    LineQuantity: (("amount", lambda line: line.amount, Money),),
    RefundOrder: (
        ("goods", lambda refund: refund.goods, Money),
        ("discount_reversed", lambda refund: refund.discount_reversed, Money),
        ("shipping_refunded", lambda refund: refund.shipping_refunded, Money),
        ("tax", _tax, Money),
        ("tax_by_rate", lambda refund: _tax_shares(refund.tax_by_rate), tuple[TaxShare, ...]),
        ("last_error", lambda refund: refund.last_error, str | None),
        ("fees_kept", lambda refund: refund.fees_kept, Money),
        ("adjustments", lambda refund: refund.adjustments, Money),
    ),
    CurrencyTotals: (
        ("net", lambda row: row.net, Money),
        ("tax", lambda row: row.tax, Money),
    ),
    TaxTotals: (("net", lambda row: row.net, Money),),
}


KEYS: Final[dict[type, dict[str, str]]] = {AppliedDiscount: {"per_line": "lines"}}
"""Fields written under another key (the key the CLI has always used)."""


def key_of(cls: type, field: str) -> str:
    return KEYS.get(cls, {}).get(field, field)


def percent_text(rate: TaxRate) -> str:
    return f"{rate.as_percent.normalize():f}"


def moment_text(moment: datetime) -> str:
    """RFC 3339 in UTC: ``2026-11-02T09:30:00Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@cache
def fields_of(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    attrs.resolve_types(cls)
    return tuple(attrs.fields(cls))


def optional_of(hint: Any) -> Any | None:
    """``X`` for ``X | None``; None for any other hint."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        options = [option for option in typing.get_args(hint) if option is not type(None)]
        if len(options) == 1 and len(typing.get_args(hint)) == 2:
            return options[0]
        raise TypeError(f"only X | None unions have a JSON form, not {hint!r}")
    return None


def encode(hint: Any, value: Any) -> Any:  # noqa: PLR0911 - one return per kind of type
    """The JSON-ready form of ``value``, read as a ``hint``."""
    inner = optional_of(hint)
    if inner is not None:
        return None if value is None else encode(inner, value)
    if typing.get_origin(hint) is tuple:
        (item,) = typing.get_args(hint)[:1]
        return [encode(item, each) for each in value]
    if hint is Money:
        return {"minor": value.minor, "currency": value.currency, "display": str(value)}
    if hint is TaxRate:
        return {"basis_points": value.basis_points, "percent": percent_text(value)}
    if hint is datetime:
        return moment_text(value)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return value.value
    if attrs.has(hint):
        return encode_record(hint, value)
    return value


def encode_record(cls: type, value: Any) -> dict[str, Any]:
    document = {
        key_of(cls, field.name): encode(field.type, getattr(value, field.name))
        for field in fields_of(cls)
    }
    for key, compute, hint in DERIVED.get(cls, ()):
        document[key] = encode(hint, compute(value))
    return document


def decode(hint: Any, data: Any, where: str) -> Any:  # noqa: PLR0911, PLR0912 - one branch per kind
    """Rebuild a value of ``hint`` from its JSON form, or raise :class:`InvalidDocument`
    naming ``where`` in the document it went wrong."""
    inner = optional_of(hint)
    if inner is not None:
        return None if data is None else decode(inner, data, where)
    if typing.get_origin(hint) is tuple:
        (item,) = typing.get_args(hint)[:1]
        if not isinstance(data, list):
            raise _wrong(where, "a list", data)
        return tuple(decode(item, each, f"{where}[{n}]") for n, each in enumerate(data))
    if hint is Money:
        if not isinstance(data, dict):
            raise _wrong(where, 'an amount {"minor": ..., "currency": ...}', data)
        minor, currency = data.get("minor"), data.get("currency")
        if type(minor) is not int or not isinstance(currency, str):
            raise _wrong(where, 'an amount {"minor": <int>, "currency": <code>}', data)
        return _built(where, lambda: Money(minor, currency))
    if hint is TaxRate:
        if not isinstance(data, dict) or type(data.get("basis_points")) is not int:
            raise _wrong(where, 'a tax rate {"basis_points": <int>}', data)
        return _built(where, lambda: TaxRate(data["basis_points"]))
    if hint is datetime:
        return _moment(data, where)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(data)
        except ValueError:
            choices = ", ".join(repr(member.value) for member in hint)
            raise _wrong(where, f"one of {choices}", data) from None
    if attrs.has(hint):
        return decode_record(hint, data, where)
    if type(data) is not hint:
        raise _wrong(where, _NAMES.get(hint, hint.__name__), data)
    return data


_NAMES: Final = {str: "text", int: "a whole number", bool: "true or false"}


def decode_record(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise _wrong(where, f"an object ({cls.__name__})", data)
    arguments = {}
    for field in fields_of(cls):
        key = key_of(cls, field.name)
        path = f"{where}.{key}" if where else key
        if key in data:
            arguments[field.name] = decode(field.type, data[key], path)
        elif field.default is attrs.NOTHING:
            raise InvalidDocument(f"{path} is missing; a {cls.__name__} needs it.")
    return _built(where or cls.__name__, lambda: cls(**arguments))


def _moment(data: Any, where: str) -> datetime:
    if isinstance(data, str):
        try:
            moment = datetime.fromisoformat(data)
        except ValueError:
            pass
        else:
            if moment.utcoffset() is not None:
                return moment
    raise _wrong(where, "an RFC 3339 time with its offset, such as '2026-11-02T09:30:00Z'", data)


def _built(where: str, build: Callable[[], Any]) -> Any:
    try:
        return build()
    except InvalidInput as error:
        raise InvalidDocument(f"{where}: {error}") from None
    except (TypeError, ValueError) as error:
        raise InvalidDocument(f"{where} does not hold a valid value: {error}") from None


def _wrong(where: str, expected: str, data: Any) -> InvalidDocument:
    shown = repr(data)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return InvalidDocument(f"{where or 'the document'} must be {expected}, not {shown}.")
