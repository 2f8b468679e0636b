"""``order list``, ``order import``, ``webhooks ...`` and refusals as JSON."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Operator


def test_order_list_pages_newest_first_with_a_cursor(operator: Operator) -> None:
    placed = [operator.place("MUG:1:9.50") for _ in range(3)]

    first = operator.json("order", "list", "--limit", "2")
    rest = operator.json("order", "list", "--limit", "2", "--after", first["next_cursor"])

    ids = [order["id"] for order in first["orders"] + rest["orders"]]
    assert sorted(ids) == sorted(placed)
    assert len(first["orders"]) == 2
    assert rest["next_cursor"] is None


def test_order_list_filters_by_state_and_sku(operator: Operator) -> None:
    mug = operator.place("MUG:1:9.50")
    cup = operator.place("CUP:1:4.00")
    operator.json("order", "cancel", cup)

    canceled = operator.json("order", "list", "--state", "canceled")
    mugs = operator.json("order", "list", "--sku", "MUG")

    assert [order["id"] for order in canceled["orders"]] == [cup]
    assert [order["id"] for order in mugs["orders"]] == [mug]


def test_order_list_in_text_offers_the_next_page(operator: Operator) -> None:
    operator.place("MUG:1:9.50")
    operator.place("MUG:1:9.50")

    shown = operator("order", "list", "--limit", "1")

    assert shown.code == 0
    assert "more: --after " in shown.out


def test_a_bad_time_filter_is_refused_with_the_bad_input_code(operator: Operator) -> None:
    operator.place("MUG:1:9.50")

    refused = operator("order", "list", "--from", "yesterday", "--json")

    assert refused.code == 1
    assert json.loads(refused.err)["error"]["code"] == "bad_input"


def test_refusals_under_json_carry_a_stable_code(operator: Operator) -> None:
    order = operator.place("MUG:1:9.50")
    operator.json("order", "cancel", order)

    missing = operator("order", "show", "nope", "--json")
    again = operator("order", "cancel", order, "--json")

    assert json.loads(missing.err)["error"]["code"] == "not_found"
    assert json.loads(again.err)["error"] == {
        "code": "already_canceled",
        "message": json.loads(again.err)["error"]["message"],
        "type": "OrderAlreadyCanceled",
    }


def test_import_places_good_records_and_lists_the_refused_ones(
    operator: Operator, tmp_path: Path
) -> None:
    operator.json("stock", "set", "MUG", "10")
    records = tmp_path / "orders.jsonl"
    good = {
        "order_id": "A-1",
        "placed_at": "2026-11-02T09:30:00+02:00",
        "currency": "EUR",
        "lines": [{"sku": "MUG", "quantity": 2, "unit_price": "12.50", "tax_rate": "25.5"}],
    }
    future = {**good, "order_id": "A-2", "placed_at": "2999-01-01T00:00:00Z"}
    records.write_text(
        "\n".join([json.dumps(good), json.dumps(future), "{not json"]) + "\n", encoding="utf-8"
    )

    summary = operator.json("order", "import", str(records))

    assert summary["imported"] == ["A-1"]
    assert [(item["record"], item["code"]) for item in summary["refused"]] == [
        (2, "bad_input"),
        (3, "bad_input"),
    ]
    assert "in the future" in summary["refused"][0]["reason"]
    placed = operator.json("order", "show", "A-1")["order"]
    assert placed["placed_at"] == "2026-11-02T07:30:00Z"


def test_import_reads_csv_rows_grouped_by_order(operator: Operator, tmp_path: Path) -> None:
    operator.json("stock", "set", "MUG", "10")
    operator.json("stock", "set", "CUP", "10")
    rows = tmp_path / "orders.csv"
    rows.write_text(
        "order_id,placed_at,currency,sku,quantity,unit_price,tax_rate,payment_provider,"
        "payment_reference,prices_include_tax\n"
        "B-1,2026-11-02T09:30:00Z,EUR,MUG,1,9.50,25.5,paypal,P-1,true\n"
        "B-1,2026-11-02T09:30:00Z,EUR,CUP,2,4.00,25.5,paypal,P-1,true\n"
        "B-2,2026-11-03T09:30:00Z,EUR,MUG,x,9.50,,,,\n",
        encoding="utf-8",
    )

    outcome = operator("order", "import", str(rows))

    assert outcome.code == 0
    assert "imported 1 orders, refused 1" in outcome.out
    assert "record 2 (B-2)" in outcome.out
    lines = operator.json("order", "show", "B-1")["order"]["lines"]
    assert [(line["sku"], line["quantity"]) for line in lines] == [("MUG", 1), ("CUP", 2)]


def test_a_long_import_reports_progress_on_stderr(operator: Operator, tmp_path: Path) -> None:
    operator.json("stock", "set", "MUG", "1000")
    records = tmp_path / "orders.jsonl"
    records.write_text(
        "".join(
            json.dumps(
                {
                    "order_id": f"C-{n}",
                    "placed_at": "2026-11-02T09:30:00Z",
                    "currency": "EUR",
                    "lines": [{"sku": "MUG", "quantity": 1, "unit_price": "1.00"}],
                }
            )
            + "\n"
            for n in range(100)
        ),
        encoding="utf-8",
    )

    outcome = operator("order", "import", str(records))

    assert outcome.code == 0
    assert "imported 100 records..." in outcome.err


def test_import_of_a_missing_file_is_a_usage_error(operator: Operator) -> None:
    assert operator("order", "import", "/no/such/file.jsonl").code == 2


def test_webhooks_are_added_listed_and_removed(operator: Operator) -> None:
    added = operator.json(
        "webhooks", "add", "https://example.com/hooks", "--event", "order.canceled"
    )["webhook"]

    listed = operator.json("webhooks", "list")["webhooks"]
    operator.json("webhooks", "remove", added["id"])

    assert added["secret"].startswith("whsec_")
    assert listed == [{key: value for key, value in added.items() if key != "secret"}]
    assert operator.json("webhooks", "list")["webhooks"] == []
    assert "no webhook endpoints" in operator("webhooks", "list").out


def test_removing_an_unknown_webhook_is_not_found(operator: Operator) -> None:
    operator.json("webhooks", "add", "https://example.com/hooks")

    refused = operator("webhooks", "remove", "wh-nope", "--json")

    assert refused.code == 1
    assert json.loads(refused.err)["error"]["code"] == "not_found"


def test_webhooks_retry_with_nothing_failed_retries_nothing(operator: Operator) -> None:
    operator.json("webhooks", "add", "https://example.com/hooks")

    assert operator.json("webhooks", "retry") == {"retried": [], "still_failing": []}
    assert "retried 0 deliveries" in operator("webhooks", "retry").out
    assert "added wh_" in operator("webhooks", "add", "https://example.com/other").out


def test_with_webhooks_a_command_delivers_its_events_signed(operator: Operator) -> None:
    from standardwebhooks import Webhook

    from tests.webhooks.receiver import receiving

    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    with receiving() as receiver:
        operator.json("webhooks", "add", receiver.url, "--secret", secret)
        operator.json("stock", "set", "MUG", "5")
        order = operator.json("order", "place", "MUG:1:9.50", "--currency", "EUR", "--webhooks")[
            "order"
        ]

    (request,) = receiver.requests
    document = Webhook(secret).verify(request.body, request.headers)
    assert document["data"]["order_id"] == order["id"]


def test_webhooks_retry_delivers_what_failed_while_the_receiver_was_down(
    operator: Operator,
) -> None:
    from tests.webhooks.receiver import Receiver, receiving

    down = Receiver()
    port, url = down.port, down.url
    down.stop()
    operator.json("webhooks", "add", url, "--event", "order.placed")
    operator.json("stock", "set", "MUG", "5")
    placed = operator("order", "place", "MUG:1:9.50", "--currency", "EUR", "--webhooks")
    with receiving(port) as back:
        retried = operator.json("webhooks", "retry", "--webhooks")

    assert placed.code == 0
    assert len(retried["retried"]) == 1
    assert retried["still_failing"] == []
    assert len(back.requests) == 1
