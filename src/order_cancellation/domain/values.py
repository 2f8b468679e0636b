"""Small value objects shared by orders, refund orders and events."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Final

import attrs

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import NO_TAX, TaxRate

MAX_ID_LENGTH: Final = 128
MAX_REASON_LENGTH: Final = 1000
MAX_QUANTITY: Final = 10**9
"""The most units one order line, fulfillment or return may name. Small enough that the
units of every order a SKU could ever have outstanding still fit a 64-bit stock level."""
KLARNA: Final = "klarna"
DEFAULT_AUTHORIZATION_TTL: Final = timedelta(days=28)
"""How long a Klarna authorization lives unless the merchant's account says otherwise."""


def check_identifier(value: object, what: str) -> str:
    """Ids are short printable text: no control characters, no surrounding blanks."""
    if not isinstance(value, str) or not value or value != value.strip():
        raise InvalidInput(
            f"{what} must be non-empty text without leading or trailing blanks, "
            f"got {shown(value, None)}."
        )
    if len(value) > MAX_ID_LENGTH or not value.isprintable():
        raise InvalidInput(
            f"{what} must be printable text of at most {MAX_ID_LENGTH} characters, "
            f"got {shown(value, 60)}."
        )
    return value


def check_reason(reason: object) -> str | None:
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise InvalidInput(f"a reason is text or None, not {type(reason).__name__}.")
    printable = reason.replace("\n", " ").replace("\t", " ")
    if len(reason) > MAX_REASON_LENGTH or not printable.isprintable():
        raise InvalidInput(
            f"a reason is printable text of at most {MAX_REASON_LENGTH} characters; "
            "shorten it or remove control characters."
        )
    return reason


def check_aware(moment: datetime, what: str) -> datetime:
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise InvalidInput(f"{what} must be a timezone-aware datetime.")
    return moment


class ReasonCode(enum.StrEnum):
    """Why an order was canceled, for reports; the free-text reason says the rest."""

    CUSTOMER = "customer"
    DECLINED = "declined"
    FRAUD = "fraud"
    INVENTORY = "inventory"
    STAFF = "staff"
    OTHER = "other"


def check_quantity(quantity: object, what: str = "a quantity") -> int:
    if type(quantity) is not int or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(
            f"{what} must be a whole number above zero and at most {MAX_QUANTITY:,}, "
            f"got {shown(quantity)}."
        )
    return quantity


def to_tax_rate(rate: TaxRate | str | Decimal) -> TaxRate:
    """A tax rate given as a :class:`TaxRate`, or as a percentage in text or Decimal."""
    if isinstance(rate, TaxRate):
        return rate
    if isinstance(rate, str | Decimal):
        return TaxRate.percent(rate)
    raise InvalidInput(
        f"a tax rate is a TaxRate or a percentage such as '25.5', not {rate!r}; "
        "an int is ambiguous: write TaxRate(2550) for basis points or '25.5' for percent."
    )


def shown(value: object, limit: int | None = 40) -> str:
    """``repr(value)`` for an error message, cut to ``limit`` characters; never the digits
    of a huge int, whose repr() raises ValueError itself (over 4,300 digits)."""
    if type(value) is int and abs(value) > 10**18:
        return "a number far too large"
    text = repr(value)
    return text if limit is None else text[:limit]


@attrs.frozen
class LineItem:
    """One line of an order to be placed: ``quantity`` units of ``sku`` at ``unit_price``.

    ``unit_price`` is entered as the shop enters prices: with tax included (the EU default)
    or without. ``tax_rate`` is the line's VAT or sales-tax rate (0 % unless given).
    """

    sku: str
    quantity: int
    unit_price: Money
    tax_rate: TaxRate = attrs.field(default=NO_TAX, kw_only=True, converter=to_tax_rate)

    def __attrs_post_init__(self) -> None:
        check_identifier(self.sku, "a SKU")
        check_quantity(self.quantity, f"the quantity of {self.sku!r}")
        if not isinstance(self.unit_price, Money) or self.unit_price.minor < 0:
            raise InvalidInput(
                f"the unit price of {self.sku!r} must be a Money of zero or more, "
                f"got {shown(self.unit_price, None)}."
            )


class TenderKind(enum.StrEnum):
    """What kind of money a payment is: refunds go back to external payment methods first
    and to gift cards and store credit last."""

    PAYMENT = "payment"  # a card, Klarna, PayPal: a payment method outside the shop
    GIFT_CARD = "gift_card"
    STORE_CREDIT = "store_credit"


def _tender_kind(value: object) -> TenderKind:
    """A payment's kind, from a TenderKind or its value (``"gift_card"``)."""
    try:
        return TenderKind(value if isinstance(value, str) else "")
    except ValueError:
        raise InvalidInput(
            f"the kind of a payment is one of {[kind.value for kind in TenderKind]}, "
            f"not {shown(value, 40)}."
        ) from None


@attrs.frozen(kw_only=True)
class PaymentRef:
    """How the order was paid: the provider's name and its reference for the payment.

    ``authorization_expires_at`` is when the provider stops honouring the authorization;
    for Klarna it defaults to 28 days after the order was placed. ``amount`` is what this
    payment covers when an order is paid with several (a gift card and a card); one
    payment without an amount covers the whole order. ``kind`` says whether the money is a
    gift card or store credit, which are given back last.
    """

    provider: str
    reference: str
    auto_capture: bool = False
    authorization_expires_at: datetime | None = None
    amount: Money | None = None
    kind: TenderKind = attrs.field(default=TenderKind.PAYMENT, converter=_tender_kind)

    def __attrs_post_init__(self) -> None:
        check_identifier(self.provider, "the payment provider")
        check_identifier(self.reference, "the payment reference")
        if not isinstance(self.auto_capture, bool):
            raise InvalidInput("auto_capture is True or False.")
        if self.authorization_expires_at is not None:
            check_aware(self.authorization_expires_at, "authorization_expires_at")
        if self.amount is not None and (
            not isinstance(self.amount, Money) or self.amount.minor <= 0
        ):
            raise InvalidInput(
                f"the amount of payment {self.reference!r} is a Money above zero, "
                f"not {self.amount!r}."
            )

    def with_default_expiry(self, placed_at: datetime) -> PaymentRef:
        if self.authorization_expires_at is not None or self.provider != KLARNA:
            return self
        return attrs.evolve(self, authorization_expires_at=placed_at + DEFAULT_AUTHORIZATION_TTL)


@attrs.frozen(kw_only=True)
class TenderShare:
    """An amount of money charged to, or given back through, one payment of an order."""

    payment: PaymentRef
    amount: Money


def _zero_like_price(portion: LineQuantity) -> Money:
    return Money.zero(portion.unit_price.currency)


def _list_price(portion: LineQuantity) -> Money:
    return portion.unit_price * portion.quantity


@attrs.frozen(kw_only=True)
class LineQuantity:
    """Units of one order line, priced, as carried by events, captures and refund orders.

    ``total`` is the money for them, tax included, after discounts; ``tax`` the tax in it;
    ``discount`` what the order's discounts took off them, tax included, so that
    ``total + discount`` is their list price with tax. ``unit_price`` is as the shop enters
    prices (with or without tax: see ``prices_include_tax`` on the order). Records from
    before taxes and discounts read as 0 % tax, no discount.
    """

    line_id: str
    sku: str
    quantity: int
    unit_price: Money
    tax_rate: TaxRate = NO_TAX
    discount: Money = attrs.field(default=attrs.Factory(_zero_like_price, takes_self=True))
    tax: Money = attrs.field(default=attrs.Factory(_zero_like_price, takes_self=True))
    total: Money = attrs.field(default=attrs.Factory(_list_price, takes_self=True))

    @property
    def amount(self) -> Money:
        """The money for these units, tax included, after discounts."""
        return self.total

    @property
    def net(self) -> Money:
        """The money for these units without tax."""
        return self.total - self.tax

    @property
    def gross(self) -> Money:
        """These units at list price (before discounts), tax included."""
        return self.total + self.discount


def check_placed_at(placed_at: object, now: datetime) -> datetime:
    """When an imported order was placed: timezone-aware, and not after ``now``."""
    if not isinstance(placed_at, datetime) or placed_at.utcoffset() is None:
        raise InvalidInput(
            f"placed_at is a timezone-aware datetime, not {shown(placed_at)}; "
            "give the offset (2026-11-02T09:30:00+02:00)."
        )
    if placed_at > now:
        raise InvalidInput(
            f"placed_at {placed_at.isoformat()} is in the future (now is {now.isoformat()}); "
            "an imported order was placed in the past."
        )
    return placed_at
