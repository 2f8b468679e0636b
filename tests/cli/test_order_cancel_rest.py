"""``order cancel-rest``: the units of a partly shipped order that have not shipped."""

from __future__ import annotations

from order_cancellation import OrderState, Sales
from tests.cli.conftest import Operator


def test_cancel_rest_cancels_every_unshipped_unit_and_restocks_it(
    operator: Operator, shop: Sales
) -> None:
    operator.json("stock", "set", "TSHIRT", "5")
    operator.json("stock", "set", "POSTER", "5")
    order = operator.place("TSHIRT:3:19.90", "POSTER:2:15.00")
    operator.json("order", "fulfill", order, "TSHIRT=2", "POSTER=2")

    result = operator.json("order", "cancel-rest", order, "--reason", "never came in")

    assert result["refund_order"]["kind"] == "cancellation"
    assert result["refund_order"]["amount"]["minor"] == 1990
    assert result["order"]["state"] == "fulfilled"
    assert shop.stock_level("TSHIRT") == 3
    assert shop.get_order(order).lines[0].canceled == 1


def test_cancel_rest_takes_the_units_to_cancel(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:3:9.50")
    operator.json("order", "fulfill", order, "MUG=1")

    operator.json("order", "cancel-rest", order, "MUG=1")

    assert shop.get_order(order).lines[0].unfulfilled == 1


def test_cancel_rest_refunds_shipping_when_asked(operator: Operator) -> None:
    operator.json("stock", "set", "MUG", "5")
    placed = operator.json(
        "order", "place", "MUG:2:9.50", "--shipping", "Post:4.90", "--currency", "EUR"
    )
    order = str(placed["order"]["id"])
    operator.json("order", "fulfill", order, "MUG=1")

    result = operator.json("order", "cancel-rest", order, "--refund-shipping")

    assert result["refund_order"]["amount"]["minor"] == 950 + 490


def test_cancel_rest_in_text_says_what_it_did(operator: Operator) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order, "MUG=1")

    outcome = operator("order", "cancel-rest", order)

    assert outcome.code == 0
    assert f"canceled the unshipped units of order {order}" in outcome.out


def test_cancel_rest_of_an_order_that_shipped_nothing_points_to_cancel(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:2:9.50")

    refused = operator("order", "cancel-rest", order)

    assert refused.code == 1
    assert "cancel_order" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.OPEN


def test_cancel_rest_of_more_than_is_unshipped_is_refused(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order, "MUG=1")

    refused = operator("order", "cancel-rest", order, "MUG=2")

    assert refused.code == 1
    assert "not shipped" in refused.one_error_line
    assert shop.refund_orders() == []
