"""Turning command-line text into the library's values.

Every mistake here raises :class:`InvalidInput`, like the library's own checks, so a bad
value is a user error (exit 1, one line) whether the CLI or the library spots it; argparse
only judges the shape of the command line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from order_cancellation.domain.charges import Discount, ShippingFee
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.fees import ReturnFee
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import NO_TAX, TaxRate, percent_to_basis_points
from order_cancellation.domain.values import LineItem, PaymentRef, TenderKind

_WHOLE = re.compile(r"[+-]?\d{1,18}")


def whole_number(text: str, what: str) -> int:
    """An integer; the library judges its range, with its own message."""
    if not _WHOLE.fullmatch(text.strip()):
        raise InvalidInput(f"{what} must be a whole number, got {text!r}.")
    return int(text)


_LINE_SYNTAX = (
    "an order line is SKU:QUANTITY:UNIT_PRICE[:TAX_RATE%], for example TSHIRT-M:2:19.90 or "
    "TSHIRT-M:2:19.90:25.5%"
)


def tax_rate(text: str, what: str) -> TaxRate:
    """A percentage such as ``25.5`` or ``25.5%``; the library judges it, with its message."""
    return TaxRate(percent_to_basis_points(text, what))


def line_item(text: str, currency: str, default_rate: TaxRate = NO_TAX) -> LineItem:
    """``SKU:QTY:PRICE[:RATE%]``, for example ``TSHIRT-M:2:19.90:25.5%``.

    The SKU may contain colons, so a line's own tax rate is told apart by its ``%`` sign;
    without one the line takes ``default_rate`` (``--tax-rate``).
    """
    rate = default_rate
    head, colon, last = text.rpartition(":")
    if colon and last.strip().endswith("%"):
        rate = tax_rate(last, f"the tax rate of line {text!r}")
        text = head
    parts = text.rsplit(":", 2)
    if len(parts) != 3:
        raise InvalidInput(f"{_LINE_SYNTAX}; got {text!r}.")
    sku, quantity, price = parts
    if not _WHOLE.fullmatch(quantity.strip()):
        raise InvalidInput(
            f"the quantity of {sku!r} must be a whole number, got {quantity!r}; {_LINE_SYNTAX} "
            "(a line's own tax rate ends with %)."
        )
    return LineItem(sku, int(quantity), Money.of(price, currency), tax_rate=rate)


def payment(text: str, currency: str) -> PaymentRef:
    """``PROVIDER:REF:AMOUNT[:KIND]``, for example ``giftcard:GC-1:20.00:gift_card`` or
    ``klarna:kl-1:25.00``; KIND is ``gift_card`` or ``store_credit`` (default: a payment
    method such as a card)."""
    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise InvalidInput(
            "a payment is PROVIDER:REF:AMOUNT[:gift_card|store_credit], for example "
            f"klarna:kl-1:25.00 (provider and reference without colons); got {text!r}."
        )
    kind = TenderKind.PAYMENT
    if len(parts) == 4:
        kinds = {k.value: k for k in TenderKind}
        if parts[3] not in kinds:
            raise InvalidInput(
                f"a payment's kind is one of {sorted(kinds)}, not {parts[3]!r} (in {text!r})."
            )
        kind = kinds[parts[3]]
    return PaymentRef(
        provider=parts[0], reference=parts[1], amount=Money.of(parts[2], currency), kind=kind
    )


def shipping_fee(text: str, currency: str, default_rate: TaxRate = NO_TAX) -> ShippingFee:
    """``NAME:AMOUNT[:RATE]``, for example ``Posti:5.90`` or ``Posti:5.90:25.5%``; the
    name has no colons, the rate defaults to ``default_rate`` (``--tax-rate``)."""
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise InvalidInput(
            "a shipping fee is NAME:AMOUNT[:TAX_RATE%], for example Posti:5.90 or "
            f"Posti:5.90:25.5% (the name without colons); got {text!r}."
        )
    name, amount = parts[0], parts[1]
    rate = tax_rate(parts[2], f"the tax rate of shipping {name!r}") if len(parts) == 3 else None
    return ShippingFee(
        name, Money.of(amount, currency), tax_rate=default_rate if rate is None else rate
    )


def discount(text: str, currency: str) -> Discount:
    """``CODE:10%`` (a percentage) or ``CODE:5.00`` (an amount), then optionally
    ``@SKU,L2`` for the lines it applies to (default: all the goods)."""
    code, colon, rest = text.partition(":")
    value, at, targets = rest.partition("@")
    lines = targets.split(",") if at else []
    if not colon or not value.strip() or any(not line for line in lines) or not code:
        raise InvalidInput(
            "a discount is CODE:PERCENT% or CODE:AMOUNT, optionally followed by @SKU_OR_LINE,..."
            f", for example WINTER10:10% or GIFT5:5.00@MUG,L2; got {text!r}."
        )
    if value.strip().endswith("%"):
        return Discount.percentage(code, value, lines=lines)
    return Discount.fixed(code, Money.of(value, currency), lines=lines)


def return_fee(text: str, currency: str) -> ReturnFee:
    """``NAME:AMOUNT``, for example ``Restocking fee:5.00``: a fee kept back, tax included."""
    name, colon, amount = text.rpartition(":")
    if not colon or not name:
        raise InvalidInput(
            f"a fee is NAME:AMOUNT, for example 'Restocking fee:5.00'; got {text!r}."
        )
    return ReturnFee(name, Money.of(amount, currency))


def quantities(pairs: Sequence[str]) -> dict[str, int]:
    """``LINE_OR_SKU=QTY`` pairs, for example ``L1=2 MUG=1``; each line or SKU once."""
    wanted: dict[str, int] = {}
    for pair in pairs:
        key, sign, units = pair.rpartition("=")
        if not sign or not key:
            raise InvalidInput(
                f"give quantities as LINE_OR_SKU=QUANTITY, for example L1=2 or MUG=1; got {pair!r}."
            )
        if key in wanted:
            raise InvalidInput(f"{key!r} is given twice; give each line or SKU once.")
        wanted[key] = whole_number(units, f"the quantity of {key!r}")
    return wanted


def seconds(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InvalidInput(f"{what} is a number of seconds, got {text!r}.") from None
    if not 0 < value <= 3600:
        raise InvalidInput(f"{what} must be above 0 and at most 3600 seconds, got {text!r}.")
    return value


def zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"{name!r} is not a time zone; use a name such as UTC or Europe/Helsinki."
        ) from None


def day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"a day is written YYYY-MM-DD, got {text!r}.") from None


def moment(text: str, tz: tzinfo) -> datetime:
    """An ISO 8601 date or time; one without an offset is read in ``tz``."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            f"a moment is ISO 8601, for example 2026-11-02 or 2026-11-02T09:00+02:00; got {text!r}."
        ) from None
    return value if value.utcoffset() is not None else value.replace(tzinfo=tz)
