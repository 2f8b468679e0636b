"""Odd input at the command line: one line on stderr, exit code 1, no traceback, and the
shop unchanged."""

from __future__ import annotations

import pytest

from order_cancellation import OrderState, Sales
from tests.cli.conftest import Operator


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("MUG:1:" + "9" * 4400, "beyond the 1,000,000,000,000,000 minor units"),
        ("MUG:1:1E+2000000", "is not a decimal amount"),
        ("MUG:1000000001:1.00", "at most 1,000,000,000"),
        ("MUG:999999999999999999:1.00", "at most 1,000,000,000"),
        ("MUG:1000000000:10000000000.00", "beyond the 1,000,000,000,000,000 minor units"),
    ],
    ids=["4400-digit-price", "exponent-price", "quantity", "18-digit-quantity", "total"],
)
def test_an_order_beyond_the_bounds_is_one_line_and_exit_1(
    operator: Operator, shop: Sales, line: str, message: str
) -> None:
    operator.json("stock", "set", "MUG", "5")

    refused = operator("order", "place", line, "--currency", "EUR")

    assert refused.code == 1
    assert message in refused.one_error_line
    assert refused.out == ""
    assert shop.stock_levels() == {"MUG": 5}
    assert shop.refund_orders() == []


def test_placing_an_existing_order_id_says_it_exists(operator: Operator, shop: Sales) -> None:
    operator.place("MUG:1:9.50", order_id="1001")

    refused = operator("order", "place", "MUG:1:9.50", "--currency", "EUR", "--order-id", "1001")

    assert refused.code == 1
    assert "order '1001' exists already" in refused.one_error_line
    assert shop.get_order("1001").version == 1


def test_canceling_a_shipped_order_with_a_mistyped_label_says_create_a_return(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50")
    operator.json("order", "fulfill", order)

    refused = operator("order", "cancel", order, "--status", "Cancelled")

    assert refused.code == 1
    assert "create a return" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.FULFILLED


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--day", "9999-12-31"), "give an earlier date"),
        (("--from", "0001-01-01T00:00+05:00", "--to", "2026-01-01"), "between the years 1"),
        (("--from", "2026-01-01", "--to", "9999-12-31T23:59-05:00"), "between the years 1"),
    ],
    ids=["last-day", "before-year-1", "after-year-9999"],
)
def test_a_report_past_the_calendar_is_one_line_and_exit_1(
    operator: Operator, argv: tuple[str, ...], message: str
) -> None:
    refused = operator("report", *argv)

    assert refused.code == 1
    assert message in refused.one_error_line
