"""Importing orders placed elsewhere (another system, a back-fill): each record becomes one
``place_order`` on its real ``placed_at``, on its own, so a bad record is refused and
reported without stopping or half-writing the rest.

A record is a mapping (a JSON Lines object, or the rows of a CSV grouped by order)::

    {"order_id": "A-1001", "placed_at": "2026-11-02T09:30:00+02:00", "currency": "EUR",
     "lines": [{"sku": "MUG", "quantity": 2, "unit_price": "12.50", "tax_rate": "25.5"}],
     "payment": {"provider": "klarna", "reference": "..."}, "prices_include_tax": true}

An order paid with several payments gives ``payments`` instead of ``payment``: a list of
``{"provider", "reference", "amount", "kind"}`` (``kind`` is ``payment``, ``gift_card`` or
``store_credit``, default ``payment``).

``payment`` and ``prices_include_tax`` may be left out; each import of an order uses the
idempotency key ``import:<order_id>``, so importing the same file again changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from order_cancellation.application.errors import error_code
from order_cancellation.application.placing import OrderPlacing
from order_cancellation.domain.errors import InvalidInput, OrderCancellationError
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.values import LineItem, PaymentRef, TenderKind, shown


@attrs.frozen(kw_only=True)
class Refusal:
    """A record that was not imported: its number (from 1), its order id if it had one,
    and why."""

    record: int
    order_id: str | None
    code: str
    reason: str


@attrs.frozen(kw_only=True)
class ImportSummary:
    imported: tuple[str, ...]
    refused: tuple[Refusal, ...]


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{key} is missing; every record needs it.")
    return value.strip()


def _line(item: object, currency: str) -> LineItem:
    if not isinstance(item, Mapping):
        raise InvalidInput(
            f"a line is an object with sku, quantity and unit_price, not {shown(item)}."
        )
    quantity = item.get("quantity")
    if isinstance(quantity, str) and quantity.strip().isdigit():
        quantity = int(quantity)
    price = _money(item.get("unit_price"), currency, "unit_price")
    rate = item.get("tax_rate") or "0"
    return LineItem(item.get("sku"), quantity, price, tax_rate=str(rate))  # type: ignore[arg-type]


def _money(value: object, currency: str, what: str) -> Money:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise InvalidInput(
            f"{what} is a decimal amount in text such as '12.50', not {shown(value)}."
        )
    return Money.of(str(value), currency)


def _payment(value: object, currency: str | None = None) -> PaymentRef | None:
    """A payment: provider and reference; with ``currency`` (one of several payments) its
    ``amount`` in that currency and its ``kind`` too."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput("payment is an object with provider and reference.")
    if currency is None:
        return PaymentRef(provider=value.get("provider"), reference=value.get("reference"))  # type: ignore[arg-type]
    kinds = {kind.value: kind for kind in TenderKind}
    kind = value.get("kind", TenderKind.PAYMENT.value)
    if kind not in kinds:
        raise InvalidInput(f"a payment's kind is one of {sorted(kinds)}, not {shown(kind)}.")
    return PaymentRef(
        provider=value.get("provider"),  # type: ignore[arg-type]
        reference=value.get("reference"),  # type: ignore[arg-type]
        amount=_money(value.get("amount"), currency, "a payment's amount"),
        kind=kinds[kind],
    )


def _payments(value: object, currency: str) -> list[PaymentRef]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(
            "payments is a list of {provider, reference, amount, kind} objects, one per payment."
        )
    return [payment for item in value if (payment := _payment(item, currency)) is not None]


def _moment(value: object) -> datetime:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(
        f"placed_at is an ISO 8601 time with its offset, such as 2026-11-02T09:30:00+02:00, "
        f"not {shown(value)}."
    )


class OrderImports(OrderPlacing):
    def import_orders(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        progress: Callable[[int], None] | None = None,
    ) -> ImportSummary:
        """Place each record's order on its ``placed_at``; see :mod:`.importing`. Records
        that are refused are listed with the reason; the others are imported."""
        imported: list[str] = []
        refused: list[Refusal] = []
        for number, record in enumerate(records, start=1):
            order_id = record.get("order_id") if isinstance(record, Mapping) else None
            try:
                placed = self._import_one(record)
            except OrderCancellationError as error:
                refused.append(
                    Refusal(
                        record=number,
                        order_id=order_id if isinstance(order_id, str) else None,
                        code=error_code(error),
                        reason=str(error),
                    )
                )
            else:
                imported.append(placed.id)
            if progress is not None:
                progress(number)
        return ImportSummary(imported=tuple(imported), refused=tuple(refused))

    def _import_one(self, record: object) -> Order:
        if not isinstance(record, Mapping):
            raise InvalidInput(f"a record is an object, not {shown(record)}.")
        order_id = _text(record, "order_id")
        currency = _text(record, "currency").upper()
        lines = record.get("lines")
        if not isinstance(lines, list) or not lines:
            raise InvalidInput("lines is a non-empty list of {sku, quantity, unit_price}.")
        include_tax = record.get("prices_include_tax")
        if include_tax is not None and not isinstance(include_tax, bool):
            raise InvalidInput("prices_include_tax is true or false.")
        placed: Order = self.place_order(
            [_line(item, currency) for item in lines],
            order_id=order_id,
            payment=_payment(record.get("payment")),
            payments=_payments(record.get("payments"), currency),
            placed_at=_moment(record.get("placed_at")),
            prices_include_tax=include_tax,
            idempotency_key=f"import:{order_id}",
        )
        return placed
