"""``order place``, ``order show``, ``order fulfill`` and ``order return``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from order_cancellation import Money, OrderState, Sales
from tests.cli.conftest import Operator

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_FAR = datetime(2100, 1, 1, tzinfo=UTC)


def test_place_records_the_lines_the_payment_and_takes_stock(
    operator: Operator, shop: Sales
) -> None:
    operator.json("stock", "set", "MUG", "5")
    operator.json("stock", "set", "SKU:WITH:COLON", "1")

    placed = operator.json(
        "order", "place", "MUG:2:9.50", "SKU:WITH:COLON:1:0.99", "--currency", "eur",
        "--order-id", "o-42", "--payment-provider", "paypal", "--payment-ref", "PP-9",
    )["order"]  # fmt: skip

    assert placed["id"] == "o-42"
    assert placed["state"] == "open"
    assert placed["total"] == {"minor": 1999, "currency": "EUR", "display": "19.99 EUR"}
    assert [(line["id"], line["sku"], line["quantity"]) for line in placed["lines"]] == [
        ("L1", "MUG", 2),
        ("L2", "SKU:WITH:COLON", 1),
    ]
    assert placed["payment"]["provider"] == "paypal"
    assert shop.stock_level("MUG") == 3


def test_show_prints_the_order_and_its_refund_orders(operator: Operator) -> None:
    order = operator.place("MUG:1:9.50")
    refund = operator.json("order", "cancel", order)["refund_order"]

    shown = operator.json("order", "show", order)

    assert shown["order"]["id"] == order
    assert [listed["id"] for listed in shown["refund_orders"]] == [refund["id"]]


def test_show_in_text_names_the_status_and_the_lines(operator: Operator) -> None:
    order = operator.place("MUG:2:9.50")

    shown = operator("order", "show", order)

    assert shown.code == 0
    assert "'Open'" in shown.out
    assert "MUG" in shown.out
    assert "19.00 EUR" in shown.out


@pytest.mark.parametrize(
    ("line", "complaint"),
    [
        ("MUG:2", "SKU:QUANTITY:UNIT_PRICE"),
        ("MUG:two:9.50", "whole number"),
        ("MUG:0:9.50", "above zero"),
        ("MUG:1:9.505", "more decimals"),
        ("MUG:1:free", "not a decimal amount"),
    ],
)
def test_a_malformed_order_line_is_refused(
    operator: Operator, shop: Sales, line: str, complaint: str
) -> None:
    refused = operator("order", "place", line, "--currency", "EUR")

    assert refused.code == 1
    assert complaint in refused.one_error_line
    assert shop.report(start=_EPOCH, end=_FAR).totals == ()


def test_placing_more_than_the_stock_is_refused(operator: Operator, shop: Sales) -> None:
    operator.json("stock", "set", "MUG", "1")

    refused = operator("order", "place", "MUG:2:9.50", "--currency", "EUR")

    assert refused.code == 1
    refused.one_error_line  # noqa: B018 - asserts exactly one line
    assert shop.stock_level("MUG") == 1


def test_a_payment_provider_without_a_reference_is_a_usage_error(operator: Operator) -> None:
    refused = operator("order", "place", "MUG:1:1", "--currency", "EUR", "--payment-ref", "X")

    assert refused.code == 2
    assert "--payment-provider" in refused.err


def test_a_partial_return_refunds_the_returned_units_and_restocks_them(
    operator: Operator, shop: Sales
) -> None:
    operator.json("stock", "set", "MUG", "5")
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order)

    result = operator.json("order", "return", order, "MUG=1", "--reason", "Arrived chipped")

    assert result["order"]["state"] == "fulfilled"
    assert result["refund_order"]["kind"] == "return"
    assert result["refund_order"]["amount"]["minor"] == 950
    assert result["refund_order"]["reason"] == "Arrived chipped"
    assert shop.stock_level("MUG") == 4


def test_returning_every_unit_makes_the_order_returned(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:2:9.50", "POSTER:1:15.00")
    operator.json("order", "fulfill", order)

    operator.json("order", "return", order, "L1=2", "POSTER=1", "--no-restock")

    assert shop.get_order(order).state is OrderState.RETURNED


@pytest.mark.parametrize(
    ("quantities", "complaint"),
    [
        (["MUG=x"], "whole number"),
        (["MUG=0"], "above zero"),
        (["MUG=-1"], "above zero"),
        (["MUG=3"], "cannot be returned"),
        (["MUG"], "LINE_OR_SKU=QUANTITY"),
        (["MUG=1", "MUG=1"], "given twice"),
        (["TEAPOT=1"], "TEAPOT"),
    ],
)
def test_bad_return_quantities_are_refused_and_change_nothing(
    operator: Operator, shop: Sales, quantities: list[str], complaint: str
) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order)

    refused = operator("order", "return", order, *quantities)

    assert refused.code == 1
    assert complaint in refused.one_error_line
    assert shop.refund_orders() == []
    assert shop.get_order(order).lines[0].returned == 0


def test_returning_from_an_open_order_is_refused(operator: Operator) -> None:
    order = operator.place("MUG:1:9.50")

    refused = operator("order", "return", order, "MUG=1")

    assert refused.code == 1
    assert "cancel it instead" in refused.one_error_line


def test_fulfilling_some_units_leaves_the_rest_to_ship(operator: Operator) -> None:
    order = operator.place("MUG:3:9.50")

    shipped = operator.json("order", "fulfill", order, "L1=1")["order"]

    assert shipped["state"] == "fulfilled"
    assert shipped["lines"][0]["fulfilled"] == 1


def test_a_return_may_keep_a_restocking_fee(operator: Operator) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order)

    result = operator.json("order", "return", order, "MUG=2", "--fee", "Restocking fee:2.00")

    assert result["refund_order"]["amount"]["minor"] == 1700


def test_a_malformed_fee_is_refused(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order)

    refused = operator("order", "return", order, "MUG=2", "--fee", "2.00")

    assert refused.code == 1
    assert "NAME:AMOUNT" in refused.one_error_line
    assert shop.refund_orders() == []


def test_the_report_shows_the_fees_kept(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order)
    operator.json("order", "return", order, "MUG=2", "--fee", "Restocking fee:2.00")
    placed_on = shop.get_order(order).placed_at.date().isoformat()

    day = operator.json("report", "--day", placed_on)["totals"][0]

    assert day["fees_kept"]["minor"] == 200
    assert day["net"]["minor"] == 200


def test_order_refund_gives_back_an_amount(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:2:9.50")

    result = operator.json("order", "refund", order, "2.00", "--reason", "late delivery")

    assert result["refund_order"]["kind"] == "adjustment"
    assert result["refund_order"]["amount"]["minor"] == 200
    assert shop.get_order(order).refundable == Money.of("17.00", "EUR")


def test_order_refund_beyond_what_is_left_is_refused(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:1:9.50")

    refused = operator("order", "refund", order, "9.51")

    assert refused.code == 1
    assert "left to refund" in refused.one_error_line
    assert shop.refund_orders() == []
