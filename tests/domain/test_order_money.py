"""The money of a real order: VAT, shipping and discounts through place, ship, return, cancel.

The first tests follow the worked example of docs/concepts.md (and DESIGN.md section 9):
2 x 24.90 at 25.5 % VAT included, shipping 5.90, a 10 % voucher on the goods.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from order_cancellation import (
    CurrencyMismatch,
    Discount,
    InvalidInput,
    LineItem,
    Money,
    Order,
    RefundExceedsCharge,
    ShippingFee,
    TaxRate,
)
from order_cancellation.domain.events import OrderFulfilled, OrderPlaced
from order_cancellation.domain.refunds import RefundOrder

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)
VAT = TaxRate.percent("25.5")


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def worked_example(**changes: object) -> Order:
    options: dict[str, object] = {
        "order_id": "o-1",
        "shop": "acme",
        "items": [LineItem("TSHIRT", 2, eur("24.90"), tax_rate=VAT)],
        "payment": None,
        "at": AT,
        "shipping": [ShippingFee("Standard", eur("5.90"), tax_rate=VAT)],
        "discounts": [Discount.percentage("WINTER10", "10")],
    }
    options.update(changes)
    return Order.place(**options).order  # type: ignore[arg-type]


def shipped(order: Order) -> Order:
    return order.fulfill(None, at=AT).order


def returned(
    order: Order, quantities: dict[str, int], refund_shipping: bool | Money = False
) -> tuple[Order, RefundOrder]:
    decision = order.create_return(
        quantities,
        refund_order_id=f"r-{order.version}",
        restock=True,
        reason=None,
        at=AT,
        refund_shipping=refund_shipping,
    )
    assert decision.refund_order is not None
    return decision.order, decision.refund_order


def canceled(order: Order) -> tuple[Order, RefundOrder]:
    decision = order.cancel(
        refund_order_id="r-cancel",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=True,
        at=AT,
    )
    assert decision.refund_order is not None
    return decision.order, decision.refund_order


def test_the_worked_example_totals_goods_discount_shipping_and_vat() -> None:
    order = worked_example()
    (line,) = order.lines

    assert (line.list_price, line.discount, line.total) == (
        eur("49.80"),
        eur("4.98"),
        eur("44.82"),
    )
    assert (line.tax, order.shipping[0].tax) == (eur("9.11"), eur("1.20"))
    assert order.total == eur("50.72")
    assert order.tax_by_rate == {VAT: eur("10.31")}
    assert order.discounts[0].amount == eur("4.98")


def test_returning_one_unit_refunds_its_discounted_price_and_its_vat() -> None:
    _, refund = returned(shipped(worked_example()), {"TSHIRT": 1})

    (line,) = refund.lines
    assert (refund.amount, line.tax, line.discount) == (eur("22.41"), eur("4.55"), eur("2.49"))
    assert refund.shipping == ()


def test_returning_the_last_unit_with_shipping_takes_exactly_what_is_left() -> None:
    order, _ = returned(shipped(worked_example()), {"TSHIRT": 1})
    _, refund = returned(order, {"TSHIRT": 1}, refund_shipping=True)

    assert refund.amount == eur("28.31")
    assert (refund.lines[0].tax, refund.shipping[0].tax) == (eur("4.56"), eur("1.20"))
    assert refund.tax_by_rate == {VAT: eur("5.76")}


def test_canceling_refunds_the_goods_after_discount_and_all_shipping() -> None:
    order, refund = canceled(worked_example())

    assert refund.amount == eur("50.72")
    assert (refund.goods, refund.shipping_refunded) == (eur("44.82"), eur("5.90"))
    assert refund.discount_reversed == eur("4.98")
    assert refund.tax_by_rate == {VAT: eur("10.31")}
    assert order.shipping[0].refunded == eur("5.90")


def test_the_first_shipment_charges_the_shipping_and_later_ones_do_not() -> None:
    order = worked_example()
    first = order.fulfill({"TSHIRT": 1}, at=AT)
    second = first.order.fulfill({"TSHIRT": 1}, at=AT)

    (one,), (two,) = first.events, second.events
    assert isinstance(one, OrderFulfilled)
    assert isinstance(two, OrderFulfilled)
    assert (one.amount, two.amount) == (eur("28.31"), eur("22.41"))
    assert one.amount + two.amount == order.total
    assert (len(one.shipping), len(two.shipping)) == (1, 0)


def test_the_placed_event_carries_priced_lines_and_shipping() -> None:
    decision = Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("TSHIRT", 2, eur("24.90"), tax_rate=VAT)],
        payment=None,
        at=AT,
        shipping=[ShippingFee("Standard", eur("5.90"), tax_rate=VAT)],
    )
    (event,) = decision.events

    assert isinstance(event, OrderPlaced)
    assert event.total == eur("55.70")
    assert (event.lines[0].tax, event.shipping[0].amount) == (eur("10.12"), eur("5.90"))


def test_prices_without_tax_get_the_tax_added_per_line() -> None:
    order = Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("LAMP", 3, Money.of("19.99", "USD"), tax_rate="7.25")],
        payment=None,
        at=AT,
        shipping=[ShippingFee("Ground", Money.of("8.00", "USD"), tax_rate="7.25")],
        discounts=[Discount.fixed("SAVE5", Money.of("5.00", "USD"))],
        prices_include_tax=False,
    ).order
    (line,) = order.lines

    # (59.97 - 5.00) = 54.97 net, 7.25 % is 3.985... -> 3.99; shipping 8.00 + 0.58.
    assert (line.subtotal, line.tax, line.total) == (
        Money.of("54.97", "USD"),
        Money.of("3.99", "USD"),
        Money.of("58.96", "USD"),
    )
    assert order.total == Money.of("67.54", "USD")


def test_prices_without_tax_refund_their_tax_with_the_units() -> None:
    order = Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("LAMP", 3, Money.of("19.99", "USD"), tax_rate="7.25")],
        payment=None,
        at=AT,
        prices_include_tax=False,
    ).order
    order, first = returned(shipped(order), {"LAMP": 1})
    _, rest = returned(order, {"LAMP": 2})

    assert (first.amount, first.lines[0].tax) == (Money.of("21.44", "USD"), Money.of("1.45", "USD"))
    assert first.amount + rest.amount == Money.of("64.32", "USD")
    assert first.tax + rest.tax == Money.of("4.35", "USD")


def test_a_shipping_refund_of_an_amount_fills_the_fees_in_order() -> None:
    order = worked_example(
        shipping=[ShippingFee("Standard", eur("5.90")), ShippingFee("Express", eur("3.00"))]
    )
    order, first = returned(shipped(order), {"TSHIRT": 1}, refund_shipping=eur("7.00"))
    _, second = returned(order, {"TSHIRT": 1}, refund_shipping=True)

    assert [(p.shipping_id, p.amount) for p in first.shipping] == [
        ("S1", eur("5.90")),
        ("S2", eur("1.10")),
    ]
    assert [(p.shipping_id, p.amount) for p in second.shipping] == [("S2", eur("1.90"))]


def test_refunding_more_shipping_than_is_left_is_refused() -> None:
    order, _ = returned(shipped(worked_example()), {"TSHIRT": 1}, refund_shipping=True)

    with pytest.raises(RefundExceedsCharge, match=re.escape("0.00 EUR of shipping left")):
        returned(order, {"TSHIRT": 1}, refund_shipping=eur("0.01"))


@pytest.mark.parametrize("value", [eur("0"), eur("-1"), "5.90", 1])
def test_a_shipping_refund_is_true_false_or_an_amount_above_zero(value: object) -> None:
    with pytest.raises(InvalidInput, match="refund_shipping"):
        returned(shipped(worked_example()), {"TSHIRT": 1}, refund_shipping=value)  # type: ignore[arg-type]


def test_a_shipping_refund_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch, match="SEK"):
        returned(shipped(worked_example()), {"TSHIRT": 1}, refund_shipping=Money.of("1", "SEK"))


def test_an_order_with_shipping_in_another_currency_is_refused() -> None:
    with pytest.raises(CurrencyMismatch, match="SEK"):
        worked_example(shipping=[ShippingFee("Post", Money.of("49", "SEK"))])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shipping": "Standard"}, "shipping is a list"),
        ({"discounts": Discount.percentage("X", "1")}, "discounts is a list"),
        ({"shipping": ["Standard"]}, "ShippingFee values"),
        ({"discounts": ["WINTER10"]}, "Discount values"),
        ({"prices_include_tax": "yes"}, "prices_include_tax"),
    ],
)
def test_malformed_charges_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        worked_example(**changes)


def test_an_order_without_taxes_or_charges_costs_its_list_price() -> None:
    order = Order.place(
        order_id="o-1", shop="acme", items=[LineItem("MUG", 3, eur("9.50"))], payment=None, at=AT
    ).order

    assert order.total == eur("28.50")
    assert order.tax_by_rate == {TaxRate(0): eur("0")}
    assert (order.shipping, order.discounts, order.prices_include_tax) == ((), (), True)
