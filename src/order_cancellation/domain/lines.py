"""Order lines: what each line charged, and the priced portions that refunds and captures
take of it.

A line's money is fixed when the order is placed (discount, tax, total); a portion of units
``r .. r + k`` is priced by cumulative shares of those figures, so the portion that reaches
the last unit takes exactly what is left (see :mod:`order_cancellation.domain.pricing`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from order_cancellation.domain.charges import (
    AppliedDiscount,
    Discount,
    ShippingLine,
    ShippingPortion,
    apply_discounts,
)
from order_cancellation.domain.errors import InvalidInput, UnknownLine
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import (
    NO_TAX,
    TaxRate,
    cumulative_share,
    tax_added,
    tax_of,
)
from order_cancellation.domain.records import replace
from order_cancellation.domain.values import LineItem, LineQuantity, check_quantity, shown


def _zero_like_price(line: OrderLine) -> Money:
    return Money.zero(line.unit_price.currency)


def _list_price(line: OrderLine) -> Money:
    return line.unit_price * line.quantity


@attrs.frozen(kw_only=True)
class OrderLine:
    """A line of an order: ``unit_price`` and ``discount`` as the shop enters prices, the
    ``tax`` at ``tax_rate`` in what the line costs, and ``total``, the money the customer
    pays for it (tax included). Lines stored before taxes and discounts read as 0 % tax,
    no discount."""

    id: str
    sku: str
    quantity: int
    unit_price: Money
    tax_rate: TaxRate = NO_TAX
    discount: Money = attrs.field(default=attrs.Factory(_zero_like_price, takes_self=True))
    tax: Money = attrs.field(default=attrs.Factory(_zero_like_price, takes_self=True))
    total: Money = attrs.field(default=attrs.Factory(_list_price, takes_self=True))
    fulfilled: int = 0
    returned: int = 0
    canceled: int = 0  # units that were never shipped and never will be

    @property
    def list_price(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def subtotal(self) -> Money:
        """The line after discounts, as entered (with or without tax, as the shop's prices)."""
        return self.list_price - self.discount

    @property
    def unfulfilled(self) -> int:
        """Units still to ship: neither shipped nor canceled."""
        return self.quantity - self.fulfilled - self.canceled

    @property
    def settled(self) -> bool:
        """Every unit either came back or was canceled: nothing of the line is kept."""
        return self.returned == self.fulfilled and self.unfulfilled == 0

    @property
    def returnable(self) -> int:
        return self.fulfilled - self.returned

    def portion(self, start: int, quantity: int, *, prices_include_tax: bool) -> LineQuantity:
        """Units ``start .. start + quantity`` of the line, priced by cumulative shares: the
        portion that reaches the last unit takes exactly what is left of the line's
        subtotal, discount and tax."""
        end = start + quantity
        base = self._share(end) - self._share(start)
        tax = self._tax_share(end, prices_include_tax) - self._tax_share(start, prices_include_tax)
        total = base if prices_include_tax else base + tax
        listed = self.unit_price.minor * quantity
        if not prices_include_tax:
            listed += self._list_tax_share(end) - self._list_tax_share(start)
        currency = self.unit_price.currency
        return LineQuantity(
            line_id=self.id,
            sku=self.sku,
            quantity=quantity,
            unit_price=self.unit_price,
            tax_rate=self.tax_rate,
            discount=Money(listed - total, currency),
            tax=Money(tax, currency),
            total=Money(total, currency),
        )

    def _share(self, units: int) -> int:
        return cumulative_share(self.subtotal.minor, units, self.quantity)

    def _tax_share(self, units: int, prices_include_tax: bool) -> int:
        if units == self.quantity:
            return self.tax.minor
        tax = tax_of(self._share(units), self.tax_rate, prices_include_tax=prices_include_tax)
        return min(tax, self.tax.minor)

    def _list_tax_share(self, units: int) -> int:
        # The tax that ``units`` would carry at list price, before discounts (prices without
        # tax only): what a discount is worth with its tax, so that report and Klarna
        # figures are all tax-included.
        whole = tax_added(self.list_price.minor, self.tax_rate)
        if units == self.quantity:
            return whole
        return min(tax_added(self.unit_price.minor * units, self.tax_rate), whole)

    def list_price_with_tax(self, prices_include_tax: bool) -> Money:
        """The line at list price (before discounts), tax included."""
        if prices_include_tax:
            return self.list_price
        return self.list_price + Money(
            tax_added(self.list_price.minor, self.tax_rate), self.unit_price.currency
        )


def listed(values: object, what: str) -> Sequence[Any]:
    if isinstance(values, str) or not isinstance(values, Sequence):
        raise InvalidInput(f"{what} is a list, not {type(values).__name__}.")
    return values


def priced_lines(
    items: Sequence[LineItem],
    discounts: Sequence[Discount],
    currency: str,
    prices_include_tax: bool,
) -> tuple[tuple[OrderLine, ...], tuple[AppliedDiscount, ...]]:
    ids = [f"L{n}" for n in range(1, len(items) + 1)]
    applied = apply_discounts(
        listed(discounts, "discounts"),
        line_ids=ids,
        skus=[item.sku for item in items],
        subtotals=[(item.unit_price * item.quantity).minor for item in items],
        currency=currency,
    )
    taken: dict[str, int] = {}
    for discount in applied:
        for share in discount.per_line:
            taken[share.line_id] = taken.get(share.line_id, 0) + share.amount.minor
    lines = []
    for line_id, item in zip(ids, items, strict=True):
        subtotal = (item.unit_price * item.quantity).minor - taken.get(line_id, 0)
        tax = tax_of(subtotal, item.tax_rate, prices_include_tax=prices_include_tax)
        lines.append(
            OrderLine(
                id=line_id,
                sku=item.sku,
                quantity=item.quantity,
                unit_price=item.unit_price,
                tax_rate=item.tax_rate,
                discount=Money(taken.get(line_id, 0), currency),
                tax=Money(tax, currency),
                total=Money(subtotal if prices_include_tax else subtotal + tax, currency),
            )
        )
    return tuple(lines), applied


def refunded_shipping(
    fees: tuple[ShippingLine, ...], refunded: tuple[ShippingPortion, ...]
) -> tuple[ShippingLine, ...]:
    if not refunded:
        return fees
    back = {portion.shipping_id: portion.amount for portion in refunded}
    return tuple(
        replace(fee, refunded=fee.refunded + back[fee.id]) if fee.id in back else fee
        for fee in fees
    )


def resolve_quantities(
    order_id: str, lines: Sequence[OrderLine], quantities: Mapping[str, int], verb: str
) -> dict[str, int]:
    """Units per line id, from a mapping of line id or SKU to units, checked."""
    if not isinstance(quantities, Mapping) or not quantities:
        raise InvalidInput(
            f"say what to {verb} as a non-empty mapping of line id (or SKU) to quantity."
        )
    wanted: dict[str, int] = {}
    for key, quantity in quantities.items():
        line_id = resolve_line(order_id, lines, key)
        check_quantity(quantity, f"the quantity to {verb} of {key!r}")
        if line_id in wanted:
            raise InvalidInput(f"line {line_id!r} is named twice; name each line once.")
        wanted[line_id] = quantity
    return wanted


def resolve_line(order_id: str, lines: Sequence[OrderLine], key: object) -> str:
    """The id of the line ``key`` names: its id, or a SKU on exactly one line."""
    if not isinstance(key, str):
        raise UnknownLine(f"lines are named by their id or SKU (text), not {shown(key, None)}.")
    by_sku = [line.id for line in lines if line.sku == key]
    ids = ", ".join(f"{line.id} ({line.sku})" for line in lines)
    if any(line.id == key for line in lines):
        if any(line_id != key for line_id in by_sku):
            # Picking either could refund the wrong line's money.
            raise UnknownLine(
                f"{key!r} is both a line id and the SKU of another line of order "
                f"{order_id!r}; name the line by a line id that is not also a SKU, or by "
                f"its own SKU: {ids}."
            )
        return key
    if len(by_sku) == 1:
        return by_sku[0]
    if by_sku:
        raise UnknownLine(
            f"SKU {key!r} is on several lines of order {order_id!r}; name the line id: {ids}."
        )
    raise UnknownLine(f"order {order_id!r} has no line or SKU {key!r}; its lines are: {ids}.")
