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

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.money import Money
from order_cancellation.domain.values import LineItem

_WHOLE = re.compile(r"[+-]?\d{1,18}")


def whole_number(text: str, what: str) -> int:
    """An integer; the library judges its range, with its own message."""
    if not _WHOLE.fullmatch(text.strip()):
        raise InvalidInput(f"{what} must be a whole number, got {text!r}.")
    return int(text)


def line_item(text: str, currency: str) -> LineItem:
    """``SKU:QTY:PRICE``, for example ``TSHIRT-M:2:19.90``. The SKU may contain colons."""
    parts = text.rsplit(":", 2)
    if len(parts) != 3:
        raise InvalidInput(
            f"an order line is SKU:QUANTITY:UNIT_PRICE, for example TSHIRT-M:2:19.90; got {text!r}."
        )
    sku, quantity, price = parts
    return LineItem(
        sku, whole_number(quantity, f"the quantity of {sku!r}"), Money.of(price, currency)
    )


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
