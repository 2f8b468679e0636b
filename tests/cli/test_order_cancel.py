"""``order cancel``: the merchant's Cancel Order button, from the command line."""

from __future__ import annotations

from order_cancellation import OrderState, PaymentStatus, Sales
from tests.cli.conftest import Operator


def test_cancel_shows_the_chosen_status_and_keeps_the_reason(operator: Operator) -> None:
    operator.json("labels", "add", "Canceled - out of stock")
    order = operator.place("MUG:1:9.50")

    result = operator.json(
        "order", "cancel", order, "--status", "Canceled - out of stock",
        "--reason", "Supplier cannot deliver", "--reason-code", "inventory", "--actor", "anna",
    )  # fmt: skip

    assert result["order"]["state"] == "canceled"
    assert result["order"]["status"] == "Canceled - out of stock"
    assert result["order"]["cancellation"]["actor"] == "anna"
    assert result["refund_order"]["reason"] == "Supplier cannot deliver"
    assert result["refund_order"]["reason_code"] == "inventory"


def test_cancel_creates_a_refund_order_for_the_whole_amount(operator: Operator) -> None:
    order = operator.place("MUG:2:9.50", "POSTER:1:15.00")

    refund = operator.json("order", "cancel", order)["refund_order"]

    assert refund["kind"] == "cancellation"
    assert refund["order_id"] == order
    assert refund["amount"] == {"minor": 3400, "currency": "EUR", "display": "34.00 EUR"}
    listed = operator.json("refunds", "list", "--order", order)["refund_orders"]
    assert [listed_refund["id"] for listed_refund in listed] == [refund["id"]]


def test_cancel_puts_the_stock_back_to_its_level_before_the_order(
    operator: Operator, shop: Sales
) -> None:
    operator.json("stock", "set", "MUG", "5")
    order = operator.place("MUG:2:9.50")
    assert shop.stock_level("MUG") == 3

    operator.json("order", "cancel", order)

    assert shop.stock_level("MUG") == 5


def test_no_restock_leaves_the_stock_as_it_is(operator: Operator, shop: Sales) -> None:
    operator.json("stock", "set", "MUG", "5")
    order = operator.place("MUG:2:9.50")

    refund = operator.json("order", "cancel", order, "--no-restock")["refund_order"]

    assert refund["stock_status"] == "not_requested"
    assert shop.stock_level("MUG") == 3


def test_a_payment_through_another_service_becomes_a_manual_refund_owed(
    operator: Operator,
) -> None:
    order = operator.place("MUG:2:9.50", paid_by="paypal")

    refund = operator.json("order", "cancel", order)["refund_order"]

    assert refund["payment_status"] == "manual_refund_required"
    assert refund["manual_amount"]["minor"] == 1900


def test_canceling_a_fulfilled_order_is_refused_and_points_to_a_return(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50")
    operator.json("order", "fulfill", order)

    refused = operator("order", "cancel", order)

    assert refused.code == 1
    assert "create a return" in refused.one_error_line
    assert "order-cancellation order return" in refused.one_error_line
    assert refused.out == ""
    assert shop.get_order(order).state is OrderState.FULFILLED
    assert shop.refund_orders() == []


def test_an_unknown_status_label_is_refused_and_changes_nothing(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50")

    refused = operator("order", "cancel", order, "--status", "Cancelled - typo")

    assert refused.code == 1
    assert "'Cancelled - typo' is not defined" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.OPEN
    assert shop.refund_orders() == []


def test_a_label_that_does_not_mean_canceled_is_refused(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:1:9.50")

    refused = operator("order", "cancel", order, "--status", "Fulfilled")

    assert refused.code == 1
    refused.one_error_line  # noqa: B018 - asserts exactly one line
    assert shop.get_order(order).state is OrderState.OPEN


def test_an_unknown_order_is_not_found(operator: Operator) -> None:
    refused = operator("order", "cancel", "no-such-order")

    assert refused.code == 1
    assert "no-such-order" in refused.one_error_line


def test_an_unknown_reason_code_is_refused(operator: Operator, shop: Sales) -> None:
    order = operator.place("MUG:1:9.50")

    refused = operator("order", "cancel", order, "--reason-code", "BORED")

    assert refused.code == 1
    assert "CUSTOMER" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.OPEN


def test_canceling_twice_is_refused_and_leaves_one_refund_order(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50")
    operator.json("order", "cancel", order)

    refused = operator("order", "cancel", order)

    assert refused.code == 1
    assert "canceled already" in refused.one_error_line
    assert len(shop.refund_orders()) == 1


def test_the_same_idempotency_key_cancels_once_and_answers_the_same(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50")

    first = operator.json("order", "cancel", order, "--idempotency-key", "cancel-1")
    again = operator.json("order", "cancel", order, "--idempotency-key", "cancel-1")

    assert again["refund_order"]["id"] == first["refund_order"]["id"]
    assert len(shop.refund_orders()) == 1


def test_a_stale_expected_version_is_a_conflict_and_changes_nothing(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "fulfill", order, "MUG=1")  # version 2 now

    refused = operator("order", "return", order, "MUG=1", "--expected-version", "1")

    assert refused.code == 1
    assert "version 2, not 1" in refused.one_error_line
    assert shop.refund_orders() == []


def test_a_klarna_order_is_not_canceled_by_a_process_not_connected_to_klarna(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")

    refused = operator("order", "cancel", order)

    assert refused.code == 1
    assert "--klarna" in refused.one_error_line
    assert shop.get_order(order).state is OrderState.OPEN


def test_a_deferred_cancel_leaves_the_klarna_payment_to_a_worker(
    operator: Operator, shop: Sales
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")

    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]

    assert refund["payment_status"] == "pending"
    assert shop.get_order(order).state is OrderState.CANCELED
    assert shop.get_refund_order(refund["id"]).payment_status is PaymentStatus.PENDING
