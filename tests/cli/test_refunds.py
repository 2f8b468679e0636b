"""``refunds list | retry`` and ``manual-refunds list | done``."""

from __future__ import annotations

from order_cancellation import PaymentStatus, Sales
from tests.cli.conftest import Operator


def test_refunds_list_shows_every_refund_order_newest_first(operator: Operator) -> None:
    first = operator.json("order", "cancel", operator.place("MUG:1:9.50"))["refund_order"]
    second = operator.json("order", "cancel", operator.place("MUG:1:9.50"))["refund_order"]

    listed = operator.json("refunds", "list")["refund_orders"]

    assert [refund["id"] for refund in listed] == [second["id"], first["id"]]


def test_refunds_list_pending_shows_only_unsettled_effects(operator: Operator) -> None:
    settled = operator.json("order", "cancel", operator.place("MUG:1:9.50"))
    waiting = operator.json("order", "cancel", operator.place("MUG:1:9.50"), "--defer-effects")

    pending = operator.json("refunds", "list", "--pending")["refund_orders"]

    assert [refund["id"] for refund in pending] == [waiting["refund_order"]["id"]]
    assert settled["refund_order"]["id"] not in {refund["id"] for refund in pending}


def test_an_empty_returns_list_says_so(operator: Operator) -> None:
    listed = operator("refunds", "list")

    assert listed.code == 0
    assert listed.out == "no refund orders\n"


def test_retrying_a_refund_order_without_a_failed_effect_is_refused(operator: Operator) -> None:
    refund = operator.json("order", "cancel", operator.place("MUG:1:9.50"))["refund_order"]

    refused = operator("refunds", "retry", refund["id"])

    assert refused.code == 1
    assert "no failed effect" in refused.one_error_line


def test_an_unknown_refund_order_is_not_found(operator: Operator) -> None:
    refused = operator("refunds", "retry", "ref_missing")

    assert refused.code == 1
    assert "ref_missing" in refused.one_error_line


def test_manual_refunds_list_shows_what_is_owed_and_the_total(operator: Operator) -> None:
    operator.json("order", "cancel", operator.place("MUG:2:9.50", paid_by="paypal"))
    operator.json("order", "cancel", operator.place("MUG:1:9.50", paid_by="paypal"))

    owed = operator.json("manual-refunds", "list")

    assert [refund["manual_amount"]["minor"] for refund in owed["refund_orders"]] == [1900, 950]
    assert owed["total_owed"] == [{"minor": 2850, "currency": "EUR", "display": "28.50 EUR"}]


def test_marking_a_manual_refund_done_removes_it_from_the_list(
    operator: Operator, shop: Sales
) -> None:
    refund = operator.json("order", "cancel", operator.place("MUG:1:9.50", paid_by="paypal"))

    done = operator.json(
        "manual-refunds", "done", refund["refund_order"]["id"], "--note", "Refunded in PayPal"
    )["refund_order"]

    assert done["payment_status"] == "manually_refunded"
    assert done["manual_refund_note"] == "Refunded in PayPal"
    assert operator.json("manual-refunds", "list")["refund_orders"] == []
    stored = shop.get_refund_order(done["id"])
    assert stored.payment_status is PaymentStatus.MANUALLY_REFUNDED


def test_a_manual_refund_paid_in_part_stays_on_the_list_with_the_rest(
    operator: Operator,
) -> None:
    refund = operator.json("order", "cancel", operator.place("MUG:2:9.50", paid_by="paypal"))
    refund_id = refund["refund_order"]["id"]

    outcome = operator("manual-refunds", "done", refund_id, "--amount", "5.00")

    assert outcome.code == 0
    assert "14.00 EUR still owed" in outcome.out
    (owed,) = operator.json("manual-refunds", "list")["refund_orders"]
    assert owed["manual_amount"]["minor"] == 1400


def test_marking_a_refund_done_twice_is_refused(operator: Operator) -> None:
    refund = operator.json("order", "cancel", operator.place("MUG:1:9.50", paid_by="paypal"))
    refund_id = refund["refund_order"]["id"]
    operator.json("manual-refunds", "done", refund_id)

    refused = operator("manual-refunds", "done", refund_id)

    assert refused.code == 1
    assert "no manual refund outstanding" in refused.one_error_line
