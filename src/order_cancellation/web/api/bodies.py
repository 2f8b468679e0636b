"""Request bodies: reading them into the library's values, and their JSON Schemas.

Amounts are written as in the JSON forms, ``{"minor": 1250, "currency": "EUR"}`` (a
``display`` key is ignored); quantities map a line id or a SKU to units. Anything the
library would refuse is refused with its own message (422); a key a body does not know is
refused too, so that a misspelt option never passes silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from order_cancellation.domain.charges import Discount, ShippingFee
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.fees import ReturnFee
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.values import (
    MAX_QUANTITY,
    LineItem,
    PaymentRef,
    ReasonCode,
    TenderKind,
)

Body = Mapping[str, Any]

TEXT: Final = {"type": "string", "minLength": 1, "maxLength": 200}
OPTIONAL_TEXT: Final = {"type": ["string", "null"], "maxLength": 1000}
MONEY: Final = {
    "type": "object",
    "properties": {
        "minor": {"type": "integer", "description": "minor units (cents)"},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
        "display": {"type": "string", "description": "ignored"},
    },
    "required": ["minor", "currency"],
}
QUANTITIES: Final = {
    "type": "object",
    "description": "units per line id (L1, ...) or SKU",
    "additionalProperties": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
}


def closed(properties: dict[str, Any], *required: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


PLACE: Final = closed(
    {
        "order_id": TEXT,
        "lines": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": closed(
                {
                    "sku": TEXT,
                    "quantity": {"type": "integer", "minimum": 1, "maximum": MAX_QUANTITY},
                    "unit_price": MONEY,
                    "tax_rate_basis_points": {"type": "integer", "minimum": 0, "maximum": 10000},
                },
                "sku",
                "quantity",
                "unit_price",
            ),
        },
        "payment": {
            "anyOf": [
                closed(
                    {"provider": TEXT, "reference": TEXT, "auto_capture": {"type": "boolean"}},
                    "provider",
                    "reference",
                ),
                {"type": "null"},
            ]
        },
        "payments": {
            "type": "array",
            "maxItems": 10,
            "description": "several payments (a gift card and a card), adding up to the total",
            "items": closed(
                {
                    "provider": TEXT,
                    "reference": TEXT,
                    "amount": MONEY,
                    "kind": {"enum": [kind.value for kind in TenderKind]},
                    "auto_capture": {"type": "boolean"},
                },
                "provider",
                "reference",
                "amount",
            ),
        },
        "shipping": {
            "type": "array",
            "maxItems": 100,
            "items": closed(
                {
                    "name": TEXT,
                    "amount": MONEY,
                    "tax_rate_basis_points": {"type": "integer", "minimum": 0, "maximum": 10000},
                },
                "name",
                "amount",
            ),
        },
        "discounts": {
            "type": "array",
            "maxItems": 100,
            "description": "each with an amount or a percent_basis_points (1000 = 10 %)",
            "items": closed(
                {
                    "code": TEXT,
                    "amount": MONEY,
                    "percent_basis_points": {"type": "integer", "minimum": 1, "maximum": 10000},
                    "lines": {"type": "array", "items": TEXT, "maxItems": 1000},
                },
                "code",
            ),
        },
        "prices_include_tax": {"type": "boolean"},
    },
    "lines",
)
REFUND_SHIPPING: Final = {
    "anyOf": [{"type": "boolean"}, MONEY],
    "description": "true: all the shipping left; an amount: that much of it (tax included)",
}
FULFILL: Final = closed({"quantities": {"anyOf": [QUANTITIES, {"type": "null"}]}})
CANCEL: Final = closed(
    {
        "status": TEXT,
        "reason": OPTIONAL_TEXT,
        "reason_code": {"anyOf": [{"enum": [code.value for code in ReasonCode]}, {"type": "null"}]},
        "restock": {"type": "boolean"},
    }
)
CANCEL_UNFULFILLED: Final = closed(
    {
        "quantities": {"anyOf": [QUANTITIES, {"type": "null"}]},
        "reason": OPTIONAL_TEXT,
        "restock": {"type": "boolean"},
        "refund_shipping": REFUND_SHIPPING,
    }
)
RETURN: Final = closed(
    {
        "quantities": QUANTITIES,
        "reason": OPTIONAL_TEXT,
        "restock": {"type": "boolean"},
        "refund_shipping": REFUND_SHIPPING,
        "fees": {
            "type": "array",
            "maxItems": 100,
            "description": "fees kept back (a restocking fee), tax included",
            "items": closed({"name": TEXT, "amount": MONEY}, "name", "amount"),
        },
    },
    "quantities",
)
REFUND: Final = closed(
    {
        "amount": MONEY,
        "reason": OPTIONAL_TEXT,
        "tender": {**TEXT, "description": "the reference of the payment to refund through"},
    },
    "amount",
)
MANUAL_DONE: Final = closed({"note": OPTIONAL_TEXT, "amount": {"anyOf": [MONEY, {"type": "null"}]}})
STOCK: Final = closed({"quantity": {"type": "integer", "minimum": 0}}, "quantity")
LABEL: Final = closed(
    {"label": TEXT, "means": {"enum": ["open", "fulfilled", "canceled", "returned"]}}, "label"
)


def only(body: Body, *known: str) -> Body:
    unknown = sorted(set(body) - set(known))
    if unknown:
        raise InvalidInput(
            f"unknown field {', '.join(map(repr, unknown))}; the fields are: {', '.join(known)}."
        )
    return body


def text(body: Body, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{name} is text, not {type(value).__name__}.")
    return value


def flag(body: Body, name: str, default: bool) -> bool:
    value = body.get(name, default)
    if type(value) is not bool:
        raise InvalidInput(f"{name} is true or false.")
    return value


def whole(value: object, what: str) -> int:
    if type(value) is not int:
        raise InvalidInput(f"{what} is a whole number, not {type(value).__name__}.")
    return value


def money(value: object, what: str) -> Money:
    if not isinstance(value, Mapping) or not {"minor", "currency"} <= set(value):
        raise InvalidInput(f'{what} is an amount such as {{"minor": 1250, "currency": "EUR"}}.')
    currency = value["currency"]
    if not isinstance(currency, str):
        raise InvalidInput(f"the currency of {what} is a code such as EUR.")
    return Money(whole(value["minor"], f"the minor units of {what}"), currency)


def quantities(value: object, what: str = "quantities") -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput(f'{what} maps line ids or SKUs to units, such as {{"L1": 2}}.')
    return {str(key): whole(units, f"the units of {key!r}") for key, units in value.items()}


def line_items(value: object) -> list[LineItem]:
    if not isinstance(value, list) or not value:
        raise InvalidInput("lines is a list of at least one line.")
    items = []
    for number, line in enumerate(value, 1):
        what = f"line {number}"
        if not isinstance(line, Mapping):
            raise InvalidInput(f"{what} is an object with sku, quantity and unit_price.")
        only(line, "sku", "quantity", "unit_price", "tax_rate_basis_points")
        sku = line.get("sku")
        if not isinstance(sku, str):
            raise InvalidInput(f"the sku of {what} is text.")
        items.append(
            LineItem(
                sku,
                whole(line.get("quantity"), f"the quantity of {what}"),
                money(line.get("unit_price"), f"the unit_price of {what}"),
                tax_rate=TaxRate(
                    whole(line.get("tax_rate_basis_points", 0), "tax_rate_basis_points")
                ),
            )
        )
    return items


def payment(value: object, *, several: bool = False) -> PaymentRef | None:
    """One payment; ``several``: one of the order's payments, with its amount and kind."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidInput("payment is an object with provider and reference.")
    known = ("provider", "reference", "auto_capture")
    only(value, *known, *(("amount", "kind") if several else ()))
    provider, reference = value.get("provider"), value.get("reference")
    if not isinstance(provider, str) or not isinstance(reference, str):
        raise InvalidInput("payment has a provider and a reference, both text.")
    kinds = {kind.value: kind for kind in TenderKind}
    kind = value.get("kind", TenderKind.PAYMENT.value)
    if kind not in kinds:
        raise InvalidInput(f"a payment's kind is one of {', '.join(sorted(kinds))}.")
    return PaymentRef(
        provider=provider,
        reference=reference,
        auto_capture=flag(value, "auto_capture", False),
        amount=money(value.get("amount"), "a payment's amount") if several else None,
        kind=kinds[kind],
    )


def payments(value: object) -> list[PaymentRef]:
    return [paid for item in listed(value, "payments") if (paid := payment(item, several=True))]


def shipping(value: object) -> list[ShippingFee]:
    fees = []
    for fee in listed(value, "shipping"):
        if not isinstance(fee, Mapping):
            raise InvalidInput("a shipping fee is an object with name and amount.")
        only(fee, "name", "amount", "tax_rate_basis_points")
        fees.append(
            ShippingFee(
                fee.get("name"),  # type: ignore[arg-type]
                money(fee.get("amount"), "a shipping fee's amount"),
                tax_rate=TaxRate(
                    whole(fee.get("tax_rate_basis_points", 0), "tax_rate_basis_points")
                ),
            )
        )
    return fees


def discounts(value: object) -> list[Discount]:
    found = []
    for item in listed(value, "discounts"):
        if not isinstance(item, Mapping):
            raise InvalidInput("a discount is an object with a code and an amount or a percent.")
        only(item, "code", "amount", "percent_basis_points", "lines")
        lines = item.get("lines", [])
        if not isinstance(lines, list) or not all(isinstance(key, str) for key in lines):
            raise InvalidInput("a discount's lines is a list of line ids or SKUs.")
        amount, share = item.get("amount"), item.get("percent_basis_points")
        found.append(
            Discount(
                code=item.get("code"),  # type: ignore[arg-type]
                amount=None if amount is None else money(amount, "a discount's amount"),
                basis_points=None if share is None else whole(share, "percent_basis_points"),
                lines=lines,
            )
        )
    return found


def refund_shipping(value: object) -> bool | Money:
    if value is None or type(value) is bool:
        return bool(value)
    return money(value, "refund_shipping")


def fees(value: object) -> list[ReturnFee]:
    kept = []
    for fee in listed(value, "fees"):
        if not isinstance(fee, Mapping):
            raise InvalidInput("a fee is an object with name and amount.")
        only(fee, "name", "amount")
        kept.append(ReturnFee(fee.get("name"), money(fee.get("amount"), "a fee's amount")))  # type: ignore[arg-type]
    return kept


def listed(value: object, what: str) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InvalidInput(f"{what} is a list.")
    return value
