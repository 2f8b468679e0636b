"""``stock show | set`` and ``labels list | add``."""

from __future__ import annotations

import pytest

from order_cancellation import OrderState, Sales
from tests.cli.conftest import Operator


def test_stock_set_then_show_every_sku(operator: Operator, shop: Sales) -> None:
    operator.json("stock", "set", "TSHIRT-M", "10")
    operator.json("stock", "set", "MUG", "5")

    shown = operator.json("stock", "show")

    assert shown == {"stock": {"MUG": 5, "TSHIRT-M": 10}}
    assert shop.stock_levels() == {"MUG": 5, "TSHIRT-M": 10}


def test_stock_show_of_an_unknown_sku_is_zero(operator: Operator) -> None:
    assert operator.json("stock", "show", "NEVER-SEEN") == {"stock": {"NEVER-SEEN": 0}}


@pytest.mark.parametrize("quantity", ["-1", "ten", "2.5"])
def test_a_bad_stock_level_is_refused_and_changes_nothing(
    operator: Operator, shop: Sales, quantity: str
) -> None:
    operator.json("stock", "set", "MUG", "5")

    refused = operator("stock", "set", "MUG", quantity)

    assert refused.code == 1
    refused.one_error_line  # noqa: B018 - asserts exactly one line
    assert shop.stock_level("MUG") == 5


def test_labels_list_starts_with_the_four_defaults(operator: Operator) -> None:
    labels = operator.json("labels", "list")["labels"]

    assert {(label["label"], label["means"]) for label in labels} == {
        ("Open", "open"),
        ("Fulfilled", "fulfilled"),
        ("Canceled", "canceled"),
        ("Returned", "returned"),
    }


def test_labels_add_defines_a_cancel_label_by_default(operator: Operator, shop: Sales) -> None:
    operator.json("labels", "add", "Canceled - fraud")

    assert shop.status_labels()["Canceled - fraud"] is OrderState.CANCELED


def test_labels_add_with_another_meaning(operator: Operator, shop: Sales) -> None:
    operator.json("labels", "add", "Shipped", "--means", "fulfilled")

    assert shop.status_labels()["Shipped"] is OrderState.FULFILLED


def test_a_label_keeps_its_meaning_forever(operator: Operator, shop: Sales) -> None:
    operator.json("labels", "add", "On hold - fraud check")

    refused = operator("labels", "add", "On hold - fraud check", "--means", "open")

    assert refused.code == 1
    assert "already means CANCELED" in refused.one_error_line
    assert shop.status_labels()["On hold - fraud check"] is OrderState.CANCELED


def test_an_unknown_meaning_is_a_usage_error(operator: Operator) -> None:
    refused = operator("labels", "add", "X", "--means", "lost")

    assert refused.code == 2
    assert "invalid choice" in refused.err
