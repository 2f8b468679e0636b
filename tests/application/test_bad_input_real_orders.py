"""Bad input on real orders (tax rates, shipping, discounts, shipping refunds): a typed error
that says what to do, and nothing changes (see test_bad_input for what "nothing" covers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import pytest

from order_cancellation import (
    CurrencyMismatch,
    Discount,
    InvalidDiscount,
    InvalidInput,
    LineItem,
    Money,
    OrderCancellationError,
    RefundExceedsCharge,
    ShippingFee,
    TaxRate,
    UnknownLine,
)
from tests.application.harness import World, eur

Command = Callable[[World], object]


def loose(value: object) -> Any:
    return value


def mugs(*, tax_rate: object = TaxRate(0)) -> list[LineItem]:
    return [LineItem("MUG", 1, eur("9.50"), tax_rate=loose(tax_rate))]


def place(**charges: object) -> Command:
    return lambda w: w.shop.sales.place_order(mugs(), **loose(charges))


CASES: Final[dict[str, tuple[type[OrderCancellationError], str, Command]]] = {
    "a negative tax rate": (
        InvalidInput,
        "from 0 to 100",
        lambda w: w.shop.sales.place_order(mugs(tax_rate="-5")),
    ),
    "a tax rate above 100 %": (
        InvalidInput,
        "from 0 to 100",
        lambda w: w.shop.sales.place_order(mugs(tax_rate="100.5")),
    ),
    "a tax rate as a float": (
        InvalidInput,
        "TaxRate or a percentage",
        lambda w: w.shop.sales.place_order(mugs(tax_rate=25.5)),
    ),
    "a discount larger than what it applies to": (
        InvalidDiscount,
        "lower it or apply it to more lines",
        place(discounts=[Discount.fixed("BIG", eur("9.51"))]),
    ),
    "a discount on a line that does not exist": (
        UnknownLine,
        "no line or SKU",
        place(discounts=[Discount.percentage("X", "10", lines=["HAT"])]),
    ),
    "a discount in another currency": (
        CurrencyMismatch,
        "one currency",
        place(discounts=[Discount.fixed("X", Money.of("1", "SEK"))]),
    ),
    "shipping in another currency": (
        CurrencyMismatch,
        "one currency",
        place(shipping=[ShippingFee("Post", Money.of("49", "SEK"))]),
    ),
    "shipping that is not a ShippingFee": (
        InvalidInput,
        "ShippingFee values",
        place(shipping=[eur("4.90")]),
    ),
    "a price mode that is not a flag": (
        InvalidInput,
        "True or False",
        place(prices_include_tax="no"),
    ),
    "refunding more shipping than was charged": (
        RefundExceedsCharge,
        "refund at most that",
        lambda w: w.shop.sales.create_return(w.shipped.id, {"MUG": 1}, refund_shipping=eur("0.01")),
    ),
    "a shipping refund that is not an amount": (
        InvalidInput,
        "refund_shipping is True",
        lambda w: w.shop.sales.create_return(w.shipped.id, {"MUG": 1}, refund_shipping=loose("1")),
    ),
}


@pytest.fixture(params=["inline", "deferred"])
def world(request: pytest.FixtureRequest) -> World:
    return World.build(request.param)


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_on_a_real_order_is_refused_with_a_typed_error_and_changes_nothing(
    world: World, name: str
) -> None:
    error, message, command = CASES[name]
    before = world.observe()

    with pytest.raises(error, match=message):
        command(world)

    assert world.observe() == before
