"""``report``: a sale counts on the order's day, a refund on the refund's day."""

from __future__ import annotations

from datetime import date, timedelta

from tests.cli.conftest import Operator

# The keys of a report row before taxes, shipping and discounts: scripts rely on them.
_FIRST_KEYS = ("currency", "gross", "refunds", "net", "orders", "refund_orders")


def test_a_canceled_order_nets_to_zero_on_its_day(operator: Operator) -> None:
    order = operator.place("MUG:2:9.50")
    operator.json("order", "cancel", order)
    placed_on = operator.json("order", "show", order)["order"]["placed_at"][:10]

    report = operator.json("report", "--day", placed_on)

    (row,) = report["totals"]
    assert {key: row[key] for key in _FIRST_KEYS} == {
        "currency": "EUR",
        "gross": {"minor": 1900, "currency": "EUR", "display": "19.00 EUR"},
        "refunds": {"minor": 1900, "currency": "EUR", "display": "19.00 EUR"},
        "net": {"minor": 0, "currency": "EUR", "display": "0.00 EUR"},
        "orders": 1,
        "refund_orders": 1,
    }


def test_a_period_given_by_from_and_to(operator: Operator) -> None:
    operator.place("MUG:1:9.50")
    today = date.fromisoformat(
        operator.json("order", "show", operator.place("MUG:1:1.00"))["order"]["placed_at"][:10]
    )

    report = operator.json(
        "report", "--from", str(today - timedelta(days=1)), "--to", str(today + timedelta(days=2))
    )

    assert report["totals"][0]["gross"]["minor"] == 1050
    assert report["start"].startswith(str(today - timedelta(days=1)))


def test_a_day_without_sales_has_no_rows(operator: Operator) -> None:
    report = operator("report", "--day", "2001-01-01")

    assert report.code == 0
    assert "no sales and no refunds" in report.out


def test_a_report_needs_a_day_or_a_period(operator: Operator) -> None:
    refused = operator("report", "--from", "2026-01-01")

    assert refused.code == 2
    assert "--day" in refused.err


def test_a_malformed_day_is_refused(operator: Operator) -> None:
    refused = operator("report", "--day", "02/11/2026")

    assert refused.code == 1
    assert "YYYY-MM-DD" in refused.one_error_line


def test_a_period_that_ends_before_it_starts_is_refused(operator: Operator) -> None:
    refused = operator("report", "--from", "2026-02-01", "--to", "2026-01-01")

    assert refused.code == 1
    assert "end must come after its start" in refused.one_error_line


def test_an_unknown_time_zone_is_refused(operator: Operator) -> None:
    refused = operator("report", "--day", "2026-01-01", "--tz", "Mars/Olympus")

    assert refused.code == 1
    assert "not a time zone" in refused.one_error_line
