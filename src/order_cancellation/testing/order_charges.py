"""Hypothesis strategies for real orders: shipping fees, discounts and both price modes.

Needs Hypothesis (the ``testing`` extra)::

    from hypothesis import given
    from order_cancellation.testing import order_charges as occ

    @given(occ.real_orders(currency="EUR"))
    def test_my_refund_screen(order):
        placed = order.place(sales)

Every value drawn is one the library accepts: a discount is kept only when it fits what
the earlier ones left of its lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from order_cancellation.domain.charges import Discount, ShippingFee, apply_discounts
from order_cancellation.domain.errors import InvalidDiscount
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.values import LineItem
from order_cancellation.testing import strategies as ocst

__all__ = ["OrderToPlace", "discounts_for", "real_orders", "shipping_fees"]


@attrs.frozen(kw_only=True)
class OrderToPlace:
    """Everything ``Sales.place_order`` takes for one real order."""

    lines: tuple[LineItem, ...]
    shipping: tuple[ShippingFee, ...] = ()
    discounts: tuple[Discount, ...] = ()
    prices_include_tax: bool = True

    def place(self, sales: Any, **options: Any) -> Order:
        """``sales.place_order`` with these lines and charges (and ``options``: payment,
        order_id, idempotency_key)."""
        order: Order = sales.place_order(
            list(self.lines),
            shipping=list(self.shipping),
            discounts=list(self.discounts),
            prices_include_tax=self.prices_include_tax,
            **options,
        )
        return order


def shipping_fees(
    currency: str, *, max_fees: int = 3, max_minor: int = 5_000
) -> st.SearchStrategy[list[ShippingFee]]:
    """0 to ``max_fees`` shipping fees in ``currency``, each with a tax rate."""
    fee = st.builds(
        ShippingFee,
        st.sampled_from(["Standard", "Express", "Pick-up point", "Bulky item"]),
        ocst.money(currency, min_minor=0, max_minor=max_minor),
        tax_rate=ocst.tax_rates(),
    )
    return st.lists(fee, max_size=max_fees)


@st.composite
def discounts_for(
    draw: st.DrawFn, lines: Sequence[LineItem], *, max_discounts: int = 3
) -> list[Discount]:
    """0 to ``max_discounts`` discounts that ``lines`` can take: percentages and fixed
    amounts, on the whole order or on some lines (named by SKU when it is on one line)."""
    currency = lines[0].unit_price.currency
    ids = [f"L{n}" for n in range(1, len(lines) + 1)]
    skus = [line.sku for line in lines]
    subtotals = [(line.unit_price * line.quantity).minor for line in lines]
    kept: list[Discount] = []
    for n in range(draw(st.integers(min_value=0, max_value=max_discounts))):
        targets = draw(st.lists(st.sampled_from(range(len(lines))), unique=True, max_size=2))
        names = [_name(ids, skus, i) for i in targets]
        if draw(st.booleans()):
            percent = draw(st.integers(min_value=1, max_value=10_000))
            candidate = Discount(code=f"PCT{n}", basis_points=percent, lines=names)
        else:
            base = sum(subtotals[i] for i in targets) if targets else sum(subtotals)
            if base == 0:
                continue
            amount = draw(st.integers(min_value=1, max_value=base))
            candidate = Discount.fixed(f"FIX{n}", Money(amount, currency), lines=names)
        try:
            apply_discounts(
                [*kept, candidate],
                line_ids=ids,
                skus=skus,
                subtotals=subtotals,
                currency=currency,
            )
        except InvalidDiscount:
            continue  # more than the earlier discounts left of its lines
        kept.append(candidate)
    return kept


def _name(ids: list[str], skus: list[str], index: int) -> str:
    sku = skus[index]
    if skus.count(sku) == 1 and sku not in ids:
        return sku
    return ids[index]


@st.composite
def real_orders(
    draw: st.DrawFn,
    currency: str | st.SearchStrategy[str] | None = "EUR",
    *,
    sku: st.SearchStrategy[str] | None = None,
    max_lines: int = 10,
    max_quantity: int = 5,
    max_unit_minor: int = 100_000,
    max_fees: int = 3,
    max_discounts: int = 3,
) -> OrderToPlace:
    """One order a shop might take: 1 to ``max_lines`` lines with mixed tax rates, up to
    ``max_fees`` shipping fees and ``max_discounts`` discounts, prices with or without tax."""
    lines = draw(
        ocst.orders_to_place(
            currency,
            sku=sku,
            max_lines=max_lines,
            max_quantity=max_quantity,
            max_unit_minor=max_unit_minor,
        )
    )
    code = lines[0].unit_price.currency
    return OrderToPlace(
        lines=tuple(lines),
        shipping=tuple(draw(shipping_fees(code, max_fees=max_fees))),
        discounts=tuple(draw(discounts_for(lines, max_discounts=max_discounts))),
        prices_include_tax=draw(st.booleans()),
    )
