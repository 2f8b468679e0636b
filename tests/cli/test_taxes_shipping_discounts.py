"""``order place`` with tax rates, shipping fees and discounts; ``order return`` refunding
shipping; what ``order show``, refund orders and ``report`` say about them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from order_cancellation import Discount, LineItem, Money, Sales, ShippingFee
from order_cancellation.cli import render
from tests.cli.conftest import Operator

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_FAR = datetime(2100, 1, 1, tzinfo=UTC)
_VAT = {"basis_points": 2550, "percent": "25.5"}


def _eur(minor: int) -> dict[str, Any]:
    return {"minor": minor, "currency": "EUR", "display": f"{minor / 100:.2f} EUR"}


def _place(operator: Operator, *argv: str) -> Any:
    """``order place ... --currency EUR`` on a shop stocked with ten of everything."""
    for sku in ("MUG", "POSTER", "SKU:WITH:COLON"):
        operator.json("stock", "set", sku, "10")
    return operator.json("order", "place", *argv, "--currency", "EUR")["order"]


def _returned(operator: Operator, *argv: str) -> Any:
    """Place ``argv``, ship everything and return it with the options given after ``--``."""
    split = argv.index("--")
    order = _place(operator, *argv[:split], "--order-id", "o-1")
    operator.json("order", "fulfill", order["id"])
    return operator.json("order", "return", order["id"], *argv[split + 1 :])


# -- order place -----------------------------------------------------------------------------


def test_a_tax_rate_applies_to_every_line_and_shipping_fee(operator: Operator) -> None:
    order = _place(operator, "MUG:2:9.50", "--tax-rate", "25.5", "--shipping", "Posti:5.90")

    (line,) = order["lines"]
    assert (line["tax_rate"], line["tax"], line["total"]) == (_VAT, _eur(386), _eur(1900))
    (fee,) = order["shipping"]
    assert (fee["id"], fee["name"], fee["tax_rate"], fee["tax"]) == ("S1", "Posti", _VAT, _eur(120))
    assert order["total"] == _eur(2490)
    assert order["tax"] == _eur(506)
    assert order["tax_by_rate"] == [{"rate": _VAT, "tax": _eur(506)}]


def test_without_a_tax_rate_lines_carry_no_tax(operator: Operator) -> None:
    order = _place(operator, "MUG:2:9.50")

    assert order["lines"][0]["tax_rate"] == {"basis_points": 0, "percent": "0"}
    assert order["tax"] == _eur(0)
    assert order["shipping"] == []
    assert order["discounts"] == []


def test_a_line_s_own_rate_overrides_the_tax_rate(operator: Operator) -> None:
    order = _place(operator, "MUG:1:9.50", "POSTER:1:15.00:14%", "--tax-rate", "25.5")

    rates = [line["tax_rate"]["percent"] for line in order["lines"]]
    assert rates == ["25.5", "14"]
    assert order["lines"][1]["tax"] == _eur(184)
    assert [row["rate"]["percent"] for row in order["tax_by_rate"]] == ["14", "25.5"]


def test_a_sku_with_colons_may_carry_its_own_rate(operator: Operator) -> None:
    order = _place(operator, "SKU:WITH:COLON:1:0.99:10%")

    (line,) = order["lines"]
    assert (line["sku"], line["quantity"], line["unit_price"]) == ("SKU:WITH:COLON", 1, _eur(99))
    assert line["tax_rate"]["basis_points"] == 1000


def test_a_shipping_fee_s_own_rate_overrides_the_tax_rate(operator: Operator) -> None:
    order = _place(
        operator, "MUG:1:9.50", "--tax-rate", "25.5", "--shipping", "Pickup:0.00:0%",
        "--shipping", "Posti:5.90:25.5",
    )  # fmt: skip

    fees = [(fee["id"], fee["name"], fee["tax_rate"]["percent"]) for fee in order["shipping"]]
    assert fees == [("S1", "Pickup", "0"), ("S2", "Posti", "25.5")]
    assert order["total"] == _eur(1540)


def test_prices_exclude_tax_adds_the_tax_on_top(operator: Operator) -> None:
    order = _place(
        operator, "MUG:3:10.00", "--tax-rate", "7.25", "--prices-exclude-tax",
        "--shipping", "Ground:4.00:0%",
    )  # fmt: skip

    assert order["prices_include_tax"] is False
    assert order["lines"][0]["tax"] == _eur(218)
    assert order["lines"][0]["total"] == _eur(3218)
    assert order["total"] == _eur(3618)


def test_prices_include_tax_unless_told_otherwise(operator: Operator) -> None:
    order = _place(operator, "MUG:1:9.50", "--tax-rate", "25.5")

    assert order["prices_include_tax"] is True
    assert order["total"] == _eur(950)


def test_place_in_text_names_the_rates_shipping_and_tax(operator: Operator) -> None:
    operator.json("stock", "set", "MUG", "5")

    placed = operator(
        "order", "place", "MUG:2:9.50", "--currency", "EUR", "--tax-rate", "25.5",
        "--shipping", "Posti:5.90",
    )  # fmt: skip

    assert placed.code == 0
    assert "total    24.90 EUR (prices include tax)" in placed.out
    assert "tax 3.86 EUR at 25.5 %  total 19.00 EUR" in placed.out
    assert "S1   shipping Posti: 5.90 EUR  tax 1.20 EUR at 25.5 %" in placed.out
    assert "tax      5.06 EUR at 25.5 %" in placed.out


def test_a_percentage_discount_applies_to_all_the_goods(operator: Operator) -> None:
    order = _place(
        operator, "MUG:2:9.50", "POSTER:1:15.00", "--tax-rate", "25.5",
        "--discount", "WINTER10:10%",
    )  # fmt: skip

    assert [line["discount"] for line in order["lines"]] == [_eur(190), _eur(150)]
    keys = ("code", "percent", "amount", "lines")
    assert [{key: applied[key] for key in keys} for applied in order["discounts"]] == [
        {
            "code": "WINTER10",
            "percent": "10",
            "amount": _eur(340),
            "lines": [
                {"line_id": "L1", "amount": _eur(190)},
                {"line_id": "L2", "amount": _eur(150)},
            ],
        }
    ]


def test_a_fixed_discount_applies_to_the_lines_named(operator: Operator) -> None:
    order = _place(operator, "MUG:2:9.50", "POSTER:1:15.00", "--discount", "GIFT5:5.00@MUG")

    assert [line["discount"] for line in order["lines"]] == [_eur(500), _eur(0)]
    assert order["discounts"][0]["percent"] is None
    assert order["total"] == _eur(2900)


@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (["MUG:1:9.50", "--tax-rate", "abc"], "--tax-rate 'abc' is not a percentage"),
        (["MUG:1:9.50", "--tax-rate", "101"], "from 0 to 100"),
        (["MUG:1:9.50", "--tax-rate", "25.555"], "more than two decimals"),
        (["MUG:1:9.50:x%"], "is not a percentage"),
        (["MUG:9.50:25.5%"], "SKU:QUANTITY:UNIT_PRICE[:TAX_RATE%]"),
        (["MUG:2:9.50:25.5"], "a line's own tax rate ends with %"),
        (["MUG:1:9.50", "--shipping", "Posti"], "NAME:AMOUNT[:TAX_RATE%]"),
        (["MUG:1:9.50", "--shipping", "Posti:5.90:25.5:x"], "the name without colons"),
        (["MUG:1:9.50", "--shipping", "Posti:free"], "not a decimal amount"),
        (["MUG:1:9.50", "--shipping", "Posti:-1.00"], "zero or more"),
        (["MUG:1:9.50", "--shipping", "Posti:5.90:abc"], "shipping 'Posti'"),
        (["MUG:1:9.50", "--discount", "WINTER10"], "CODE:PERCENT% or CODE:AMOUNT"),
        (["MUG:1:9.50", "--discount", ":10%"], "CODE:PERCENT% or CODE:AMOUNT"),
        (["MUG:1:9.50", "--discount", "WINTER10:10%@"], "@SKU_OR_LINE"),
        (["MUG:1:9.50", "--discount", "WINTER10:10%@MUG,"], "@SKU_OR_LINE"),
        (["MUG:1:9.50", "--discount", "WINTER10:0%"], "above 0"),
        (["MUG:1:9.50", "--discount", "WINTER10:ten%"], "is not a percentage"),
        (["MUG:1:9.50", "--discount", "GIFT:50.00"], "more than the 9.50 EUR left"),
        (["MUG:1:9.50", "--discount", "GIFT:5.00@TEAPOT"], "'TEAPOT'"),
    ],
)
def test_a_malformed_rate_fee_or_discount_is_refused_and_changes_nothing(
    operator: Operator, shop: Sales, argv: list[str], complaint: str
) -> None:
    operator.json("stock", "set", "MUG", "5")

    refused = operator("order", "place", *argv, "--currency", "EUR")

    assert refused.code == 1
    assert complaint in refused.one_error_line
    assert refused.out == ""
    assert shop.report(start=_EPOCH, end=_FAR).totals == ()
    assert shop.stock_level("MUG") == 5


# -- order return ----------------------------------------------------------------------------


def test_a_return_keeps_the_shipping_unless_asked(operator: Operator) -> None:
    result = _returned(operator, "MUG:2:9.50", "--shipping", "Posti:5.90", "--", "MUG=2")

    assert result["refund_order"]["shipping"] == []
    assert result["refund_order"]["amount"] == _eur(1900)
    assert result["order"]["shipping"][0]["refunded"] == _eur(0)


def test_refund_shipping_gives_back_all_the_shipping_left(operator: Operator) -> None:
    result = _returned(
        operator, "MUG:2:9.50", "--tax-rate", "25.5", "--shipping", "Posti:5.90", "--",
        "MUG=2", "--refund-shipping",
    )  # fmt: skip

    refund = result["refund_order"]
    assert refund["shipping"] == [
        {
            "shipping_id": "S1",
            "name": "Posti",
            "tax_rate": _VAT,
            "tax": _eur(120),
            "amount": _eur(590),
        }
    ]
    assert (refund["goods"], refund["shipping_refunded"], refund["amount"]) == (
        _eur(1900),
        _eur(590),
        _eur(2490),
    )
    assert refund["tax_by_rate"] == [{"rate": _VAT, "tax": _eur(506)}]
    assert result["order"]["state"] == "returned"
    assert result["order"]["shipping"][0]["refunded"] == _eur(590)


def test_refund_shipping_amount_gives_back_that_much_and_the_rest_later(
    operator: Operator,
) -> None:
    first = _returned(
        operator, "MUG:2:9.50", "--shipping", "Posti:5.90", "--", "MUG=1",
        "--refund-shipping-amount", "2.00",
    )  # fmt: skip

    rest = operator.json("order", "return", "o-1", "MUG=1", "--refund-shipping")

    assert first["refund_order"]["shipping_refunded"] == _eur(200)
    assert rest["refund_order"]["shipping_refunded"] == _eur(390)
    assert rest["order"]["shipping"][0]["refunded"] == _eur(590)


def test_both_refund_shipping_options_are_a_usage_error(operator: Operator) -> None:
    refused = operator(
        "order", "return", "o-1", "MUG=1", "--refund-shipping", "--refund-shipping-amount", "1"
    )

    assert refused.code == 2
    assert "not allowed with" in refused.err


@pytest.mark.parametrize(
    ("amount", "complaint"),
    [
        ("free", "not a decimal amount"),
        ("0", "above zero"),
        ("5.905", "more decimals"),
        ("6.00", "has 5.90 EUR of shipping left to refund"),
    ],
)
def test_a_bad_shipping_refund_is_refused_and_changes_nothing(
    operator: Operator, shop: Sales, amount: str, complaint: str
) -> None:
    order = _place(operator, "MUG:2:9.50", "--shipping", "Posti:5.90")["id"]
    operator.json("order", "fulfill", order)

    refused = operator("order", "return", order, "MUG=1", "--refund-shipping-amount", amount)

    assert refused.code == 1
    assert complaint in refused.one_error_line
    assert shop.refund_orders() == []
    assert shop.get_order(order).lines[0].returned == 0


def test_a_refund_order_in_text_gives_its_lines_shipping_and_tax(operator: Operator) -> None:
    order = _place(operator, "MUG:2:9.50", "--tax-rate", "25.5", "--shipping", "Posti:5.90")
    operator.json("order", "fulfill", order["id"])

    returned = operator("order", "return", order["id"], "MUG=1", "--refund-shipping")

    assert returned.code == 0
    assert "L1   MUG              1 x 9.50 EUR  tax 1.93 EUR at 25.5 %  total 9.50 EUR" in (
        returned.out
    )
    assert "S1   shipping Posti: tax 1.20 EUR at 25.5 %  total 5.90 EUR" in returned.out
    assert "tax  3.13 EUR at 25.5 % (prices include tax)" in returned.out


def test_a_cancel_gives_back_the_shipping_and_shows_it(operator: Operator) -> None:
    order = _place(operator, "MUG:1:9.50", "--tax-rate", "25.5", "--shipping", "Posti:5.90")

    canceled = operator("order", "cancel", order["id"])

    assert canceled.code == 0
    assert "15.40 EUR" in canceled.out
    assert "S1   shipping Posti: tax 1.20 EUR at 25.5 %  total 5.90 EUR" in canceled.out


def test_show_lists_each_refund_order_s_lines_under_it(operator: Operator) -> None:
    order = _place(operator, "MUG:2:9.50", "--tax-rate", "25.5")["id"]
    operator.json("order", "fulfill", order)
    operator.json("order", "return", order, "MUG=1")

    shown = operator("order", "show", order)

    assert shown.code == 0
    assert "      L1   MUG              1 x 9.50 EUR  tax 1.93 EUR at 25.5 %" in shown.out
    assert "(fulfilled 2, returned 1)" in shown.out


# -- what the renderers say about discounts (on an order read from memory) ---------------------


def _discounted_order() -> tuple[Sales, str]:
    sales = Sales.in_memory("shop")
    sales.set_stock("MUG", 5)
    order = sales.place_order(
        [LineItem("MUG", 2, Money.of("9.50", "EUR"), tax_rate="25.5")],
        shipping=[ShippingFee("Posti", Money.of("5.90", "EUR"), tax_rate="25.5")],
        discounts=[Discount.percentage("WINTER10", "10"), Discount.fixed("GIFT1", _money("1"))],
    )
    return sales, order.id


def _money(text: str) -> Money:
    return Money.of(text, "EUR")


def test_the_order_document_lists_each_discount_and_its_lines() -> None:
    sales, order_id = _discounted_order()

    document: Any = render.order(sales.get_order(order_id))

    keys = ("code", "percent", "amount", "lines")
    assert [{key: applied[key] for key in keys} for applied in document["discounts"]] == [
        {
            "code": "WINTER10",
            "percent": "10",
            "amount": _eur(190),
            "lines": [{"line_id": "L1", "amount": _eur(190)}],
        },
        {
            "code": "GIFT1",
            "percent": None,
            "amount": _eur(100),
            "lines": [{"line_id": "L1", "amount": _eur(100)}],
        },
    ]
    (line,) = json.loads(json.dumps(document["lines"]))
    assert (line["discount"], line["subtotal"]) == (_eur(290), _eur(1610))


def test_the_order_text_shows_each_line_s_discount_and_the_discounts_applied() -> None:
    sales, order_id = _discounted_order()

    text = render.order_text(sales.get_order(order_id))

    assert (
        "  L1   MUG              2 x 9.50 EUR = 19.00 EUR - discount 2.90 EUR  tax 3.27 EUR "
        in ("\n".join(text))
    )
    assert "  discount WINTER10 (10 %): 1.90 EUR off (L1 1.90 EUR)" in text
    assert "  discount GIFT1: 1.00 EUR off (L1 1.00 EUR)" in text


def test_a_refund_order_in_text_shows_the_discount_its_units_carried() -> None:
    sales, order_id = _discounted_order()
    sales.fulfill(order_id)
    refund = sales.create_return(order_id, {"MUG": 1})

    text = render.refund_detail_text(refund, "")

    assert text[0] == (
        "L1   MUG              1 x 9.50 EUR - discount 1.45 EUR  tax 1.64 EUR at 25.5 %  "
        "total 8.05 EUR"
    )


# -- report ----------------------------------------------------------------------------------


def _today(operator: Operator, order_id: str) -> str:
    return str(operator.json("order", "show", order_id)["order"]["placed_at"][:10])


def test_the_report_splits_sales_and_refunds_and_gives_tax_per_rate(operator: Operator) -> None:
    order = _place(
        operator, "MUG:2:9.50", "POSTER:1:15.00:14%", "--tax-rate", "25.5",
        "--shipping", "Posti:5.90", "--order-id", "o-1",
    )  # fmt: skip
    operator.json("order", "fulfill", order["id"])
    operator.json("order", "return", order["id"], "MUG=1", "--refund-shipping")

    (row,) = operator.json("report", "--day", _today(operator, order["id"]))["totals"]

    assert (row["goods"], row["discounts"], row["shipping"], row["gross"]) == (
        _eur(3400),
        _eur(0),
        _eur(590),
        _eur(3990),
    )
    assert (row["refunded_goods"], row["discounts_reversed"], row["refunded_shipping"]) == (
        _eur(950),
        _eur(0),
        _eur(590),
    )
    assert row["refunds"] == _eur(1540)
    assert row["taxes"] == [
        {
            "rate": {"basis_points": 1400, "percent": "14"},
            "collected": _eur(184),
            "refunded": _eur(0),
            "net": _eur(184),
        },
        {"rate": _VAT, "collected": _eur(506), "refunded": _eur(313), "net": _eur(193)},
    ]
    assert row["tax"] == _eur(377)


def test_a_fully_returned_order_with_its_shipping_nets_to_zero_on_every_rate(
    operator: Operator,
) -> None:
    result = _returned(
        operator, "MUG:2:9.50", "POSTER:1:15.00:14%", "--tax-rate", "25.5",
        "--shipping", "Posti:5.90", "--", "MUG=2", "POSTER=1", "--refund-shipping",
    )  # fmt: skip

    report = operator("report", "--day", _today(operator, result["order"]["id"]))

    assert report.code == 0
    assert "EUR: gross 39.90 EUR, refunds 39.90 EUR, net 0.00 EUR" in report.out
    assert (
        "  sales    goods 34.00 EUR - discounts 0.00 EUR + shipping 5.90 EUR = 39.90 EUR"
        in report.out
    )
    assert (
        "  refunds  goods 34.00 EUR - discounts reversed 0.00 EUR + shipping 5.90 EUR"
        " = 39.90 EUR" in report.out
    )
    assert "  tax 14 %: collected 1.84 EUR, refunded 1.84 EUR, net 0.00 EUR" in report.out
    assert "  tax 25.5 %: collected 5.06 EUR, refunded 5.06 EUR, net 0.00 EUR" in report.out
    assert "  tax, all rates: net 0.00 EUR" in report.out
