"""``effects list`` shows every failed effect with its reason; ``effects retry ID`` tries one
again; a worker whose store keeps failing exits 3."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from order_cancellation import Sales
from tests.cli.conftest import Operator


def _sql(db: Path, statement: str, *params: object) -> None:
    connection = sqlite3.connect(db, isolation_level=None)
    try:
        connection.execute(statement, params)
    finally:
        connection.close()


def _restock_id(db: Path, refund_order_id: str) -> str:
    connection = sqlite3.connect(db)
    try:
        (row,) = connection.execute(
            "SELECT id FROM outbox WHERE refund_order_id = ? AND handler = 'restock'",
            (refund_order_id,),
        ).fetchall()
    finally:
        connection.close()
    return str(row[0])


def test_effects_list_says_when_nothing_failed(operator: Operator) -> None:
    assert operator.json("effects", "list") == {"effects": []}
    assert operator("effects", "list").out == "no failed effects\n"


def test_a_klarna_refund_a_worker_could_not_settle_is_listed_with_its_reason(
    operator: Operator,
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")
    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]
    operator.json("worker", "--once")

    (effect,) = operator.json("effects", "list")["effects"]

    assert (effect["effect"], effect["state"], effect["attempts"]) == (
        "settle_payment",
        "retrying",
        1,
    )
    assert (effect["order_id"], effect["refund_order_id"]) == (order, refund["id"])
    assert "--klarna" in effect["last_error"]
    assert effect["next_attempt_at"] is not None
    (line,) = operator("effects", "list").out.splitlines()
    assert line.startswith(f"{effect['id']}  settle_payment  retrying (next attempt ")
    assert f"order {order} refund order {refund['id']}  attempts 1: " in line


def test_retrying_a_klarna_payment_without_klarna_is_refused_and_with_defer_is_scheduled(
    operator: Operator,
) -> None:
    order = operator.place("MUG:1:9.50", paid_by="klarna")
    operator.json("order", "cancel", order, "--defer-effects")
    operator.json("worker", "--once")
    (effect,) = operator.json("effects", "list")["effects"]

    refused = operator("effects", "retry", effect["id"])
    scheduled = operator.json("effects", "retry", effect["id"], "--defer-effects")

    assert refused.code == 1
    assert "--klarna" in refused.one_error_line
    assert scheduled["delivered"] is False
    assert scheduled["effect"]["state"] == "retrying"


def test_retrying_a_dead_lettered_restock_delivers_it(
    operator: Operator, shop: Sales, db: Path
) -> None:
    order = operator.place("MUG:2:9.50", paid_by="paypal")
    refund = operator.json("order", "cancel", order, "--defer-effects")["refund_order"]
    restock = _restock_id(db, refund["id"])
    _sql(
        db,
        "UPDATE outbox SET status = 'dead', attempts = 8, last_error = 'x' WHERE id = ?",
        restock,
    )

    retried = operator("effects", "retry", restock)

    assert retried.code == 0
    assert retried.out == f"effect {restock} delivered\n"
    assert shop.stock_level("MUG") == 2


def test_retrying_an_effect_that_did_not_fail_is_refused(operator: Operator) -> None:
    refused = operator("effects", "retry", "msg_0123")

    assert refused.code == 1
    assert "failed_effects" in refused.one_error_line


def test_a_worker_whose_store_keeps_failing_exits_3(operator: Operator, db: Path) -> None:
    _sql(db, "DROP TABLE outbox")

    stopped = operator("worker", "--poll", "0.01", "--give-up-after", "0.05")

    assert stopped.code == 3
    assert "outbox" in stopped.err
