"""Listing and paging, imported orders and webhook endpoints, through ``Sales``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation import InvalidInput, LineItem, Money, NotFound, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.application.listing import InvalidCursor, Page, encode_cursor
from order_cancellation.domain.webhooks import check_secret, new_secret
from order_cancellation.ports.queries import Position

NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def sales() -> Sales:
    shop = Sales.in_memory("acme", clock=ManualClock(NOW))
    shop.set_stock("MUG", 1000)
    return shop


def _place(sales: Sales, **options: object) -> str:
    return sales.place_order([LineItem("MUG", 1, Money.of("9.90", "EUR"))], **options).id  # type: ignore[arg-type]


def test_a_page_is_a_sequence_with_the_cursor_of_the_next(sales: Sales) -> None:
    ids = [_place(sales, order_id=f"o-{n}") for n in range(3)]

    first = sales.orders(limit=2)
    second = sales.orders(limit=2, after=first.next_cursor)

    assert isinstance(first, Page)
    assert [order.id for order in first] == ["o-2", "o-1"]
    assert first[0].id == "o-2"
    assert len(first) == 2
    assert list(first[:1]) == [first[0]]
    assert [order.id for order in second] == ["o-0"]
    assert second.next_cursor is None
    assert set(ids) == {"o-0", "o-1", "o-2"}


def test_refund_orders_with_a_limit_is_a_page_and_without_a_list(sales: Sales) -> None:
    for n in range(3):
        sales.cancel_order(_place(sales, order_id=f"o-{n}"), status="Canceled")

    page = sales.refund_orders(pending=False, limit=2)
    rest = sales.refund_orders(pending=False, after=page.next_cursor or "")
    everything = sales.refund_orders()

    assert isinstance(everything, list)
    assert len(everything) == 3
    assert (len(page), len(rest)) == (2, 1)
    assert {refund.id for refund in [*page, *rest]} == {refund.id for refund in everything}


@pytest.mark.parametrize("limit", [0, 501, "5", True])
def test_a_limit_out_of_range_is_refused(sales: Sales, limit: object) -> None:
    with pytest.raises(InvalidInput, match="limit is a whole number from 1 to 500"):
        sales.orders(limit=limit)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "", 5, "x" * 2000, encode_cursor("refund_orders", Position(NOW, "r-1"))],
)
def test_a_cursor_not_given_out_by_this_listing_is_refused(sales: Sales, cursor: object) -> None:
    with pytest.raises(InvalidCursor, match="list again from the first page"):
        sales.orders(after=cursor)  # type: ignore[arg-type]


def test_a_cursor_without_an_offset_is_refused(sales: Sales) -> None:
    import base64
    import json

    text = json.dumps(["orders", "2026-11-05T12:00:00", "o-1"]).encode()
    cursor = base64.urlsafe_b64encode(text).decode()

    with pytest.raises(InvalidCursor):
        sales.orders(after=cursor)


def test_filters_are_checked(sales: Sales) -> None:
    with pytest.raises(InvalidInput, match="state is one of open"):
        sales.orders(state="lost")
    with pytest.raises(InvalidInput, match="payment_status is one of pending"):
        sales.orders(payment_status="paid")
    with pytest.raises(InvalidInput, match="placed_from must be a timezone-aware"):
        sales.orders(placed_from=datetime(2026, 1, 1))
    with pytest.raises(InvalidInput, match="the order id"):
        sales.refund_orders(order_id=" x", limit=5)
    with pytest.raises(InvalidInput, match="pending is True or False"):
        sales.refund_orders(pending="yes", limit=5)  # type: ignore[call-overload]


def test_filters_by_text_values_and_times(sales: Sales) -> None:
    old = _place(sales, placed_at=NOW - timedelta(days=3))
    new = _place(sales)

    assert [o.id for o in sales.orders(state="open", sku="MUG")] == [new, old]
    assert [o.id for o in sales.orders(placed_to=NOW - timedelta(days=1))] == [old]
    assert [o.id for o in sales.orders(placed_from=NOW - timedelta(days=1))] == [new]
    assert list(sales.orders(payment_status="pending")) == []


def test_an_imported_order_counts_on_the_day_it_was_placed(sales: Sales) -> None:
    back_then = NOW - timedelta(days=30)

    order = sales.place_order([LineItem("MUG", 2, Money.of("9.90", "EUR"))], placed_at=back_then)

    assert order.placed_at == back_then
    assert sales.report(back_then.date()).currency("EUR").gross == Money.of("19.80", "EUR")
    assert sales.report(NOW.date()).currency("EUR").orders == 0


@pytest.mark.parametrize(
    ("placed_at", "complaint"),
    [
        (NOW + timedelta(seconds=1), "is in the future"),
        (datetime(2026, 1, 1), "timezone-aware"),
        ("2026-01-01", "timezone-aware"),
    ],
)
def test_a_placed_at_in_the_future_or_without_offset_is_refused(
    sales: Sales, placed_at: object, complaint: str
) -> None:
    with pytest.raises(InvalidInput, match=complaint):
        _place(sales, placed_at=placed_at)
    assert sales.stock_level("MUG") == 1000


def test_importing_with_a_key_twice_places_once_and_same_key_other_time_conflicts(
    sales: Sales,
) -> None:
    record = {
        "order_id": "A-1",
        "placed_at": "2026-11-02T09:30:00+02:00",
        "currency": "eur",
        "lines": [{"sku": "MUG", "quantity": "2", "unit_price": 5}],
        "payment": {"provider": "paypal", "reference": "P-1"},
        "prices_include_tax": False,
    }

    first = sales.import_orders([record])
    again = sales.import_orders([record])
    moved = sales.import_orders([{**record, "placed_at": "2026-11-01T09:30:00+02:00"}])

    assert first.imported == again.imported == ("A-1",)
    assert [refusal.code for refusal in moved.refused] == ["conflict"]
    assert sales.stock_level("MUG") == 998


def test_an_imported_order_may_be_paid_with_several_payments(sales: Sales) -> None:
    record = {
        "order_id": "A-2",
        "placed_at": "2026-11-02T09:30:00+02:00",
        "currency": "EUR",
        "lines": [{"sku": "MUG", "quantity": 2, "unit_price": "10.00"}],
        "payments": [
            {"provider": "giftcard", "reference": "G-1", "amount": "5.00", "kind": "gift_card"},
            {"provider": "card", "reference": "C-1", "amount": "15.00"},
        ],
    }

    assert sales.import_orders([record]).imported == ("A-2",)

    tenders = sales.get_order("A-2").tenders
    assert [(t.payment.reference, t.payment.kind.value, t.authorized) for t in tenders] == [
        ("G-1", "gift_card", Money.of("5.00", "EUR")),
        ("C-1", "payment", Money.of("15.00", "EUR")),
    ]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"lines": []}, "lines is a non-empty list"),
        ({"lines": [5]}, "a line is an object"),
        ({"lines": [{"sku": "MUG", "quantity": 1, "unit_price": 1.5}]}, "unit_price is a decimal"),
        ({"payment": "card"}, "payment is an object"),
        ({"payments": {"provider": "card"}}, "payments is a list"),
        (
            {"payments": [{"provider": "card", "reference": "C", "amount": "1.00", "kind": "x"}]},
            "a payment's kind is one of",
        ),
        (
            {"payments": [{"provider": "card", "reference": "C", "amount": 1.5}]},
            "a payment's amount is a decimal",
        ),
        ({"prices_include_tax": "yes"}, "prices_include_tax is true or false"),
        ({"placed_at": 5}, "placed_at is an ISO 8601 time"),
        ({"placed_at": "soon"}, "placed_at is an ISO 8601 time"),
        ({"order_id": " "}, "order_id is missing"),
    ],
)
def test_a_bad_record_is_refused_saying_why(
    sales: Sales, change: dict[str, object], complaint: str
) -> None:
    record = {
        "order_id": "A-1",
        "placed_at": "2026-11-02T09:30:00Z",
        "currency": "EUR",
        "lines": [{"sku": "MUG", "quantity": 1, "unit_price": "1.00"}],
        **change,
    }
    seen: list[int] = []

    summary = sales.import_orders([record], progress=seen.append)

    (refusal,) = summary.refused
    assert complaint in refusal.reason
    assert seen == [1]
    assert summary.imported == ()


def test_webhook_endpoints_are_registered_listed_and_removed(sales: Sales) -> None:
    endpoint = sales.add_webhook(
        "https://example.com/hooks", event_types=["order.placed", "order.placed"]
    )

    assert sales.webhooks() == [endpoint]
    assert endpoint.event_types == ("order.placed",)
    assert endpoint.secret.startswith("whsec_")
    assert "secret" not in repr(endpoint)
    sales.remove_webhook(endpoint.id)
    assert sales.webhooks() == []
    with pytest.raises(NotFound, match="no webhook endpoint"):
        sales.remove_webhook(endpoint.id)


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"url": "ftp://example.com"}, "absolute https://"),
        ({"url": "https://example.com/#x"}, "absolute https://"),
        ({"url": 5}, "a webhook URL is http"),
        ({"event_types": "order.placed"}, "event_types is a list"),
        ({"event_types": ["order.exploded"]}, "not an event type"),
        ({"secret": "hunter2"}, "a webhook secret is 'whsec_'"),
        ({"secret": "whsec_!!!"}, "a webhook secret is 'whsec_'"),
        ({"secret": "whsec_QUJD"}, "a webhook secret is 'whsec_'"),
    ],
)
def test_a_bad_webhook_endpoint_is_refused(
    sales: Sales, options: dict[str, object], complaint: str
) -> None:
    arguments: dict[str, object] = {"url": "https://example.com/hooks", **options}

    with pytest.raises(InvalidInput, match=complaint):
        sales.add_webhook(**arguments)  # type: ignore[arg-type]
    assert sales.webhooks() == []


def test_a_new_secret_is_a_valid_one() -> None:
    assert check_secret(new_secret()).startswith("whsec_")
