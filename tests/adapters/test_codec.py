"""The JSON codec of the durable backends: records round-trip, and a stored value that does
not fit its type is reported as :class:`RepositoryCorrupted`, never guessed at."""

from __future__ import annotations

import enum
import json
from datetime import UTC, datetime
from typing import Any

import attrs
import pytest

from order_cancellation.adapters import codec
from order_cancellation.domain.errors import RepositoryCorrupted
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundKind, RefundOrder
from order_cancellation.domain.values import LineItem, PaymentRef

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def placed_order() -> Order:
    return Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("MUG", 2, Money.of("12.50", "EUR"))],
        payment=PaymentRef(provider="card", reference="pay-1", authorization_expires_at=AT),
        at=AT,
    ).order


def stored(order: Order) -> dict[str, Any]:
    data = json.loads(codec.dumps(order))
    assert isinstance(data, dict)
    return data


class Colour(enum.Enum):
    RED = "red"


@attrs.frozen
class Sample:
    """A record with the kinds of field the domain's records do not have (yet)."""

    number_or_text: int | str
    amount_or_moment: Money | datetime | None
    optional_amount: Money | None = None


@attrs.frozen
class Tagged:
    tags: dict[str, Colour]


def test_an_order_round_trips_through_its_stored_text() -> None:
    order = placed_order()

    assert codec.loads(Order, codec.dumps(order)) == order


def test_plain_values_encode_as_themselves() -> None:
    assert [codec.encode(value) for value in ("text", 3, True, None)] == ["text", 3, True, None]


def test_mappings_encode_with_text_keys_and_encoded_values() -> None:
    encoded = codec.encode({1: Money.of("2.50", "EUR"), "when": AT})

    assert encoded == {"1": {"minor": 250, "currency": "EUR"}, "when": AT.isoformat()}


def test_a_value_of_an_unknown_kind_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="cannot encode complex"):
        codec.encode(1j)


def test_a_record_with_unions_round_trips() -> None:
    samples = [
        Sample(number_or_text=7, amount_or_moment=Money.of("1.00", "EUR")),
        Sample(number_or_text="seven", amount_or_moment=AT, optional_amount=Money.zero("EUR")),
        Sample(number_or_text=0, amount_or_moment=None),
    ]

    assert [codec.decode(Sample, codec.encode(sample)) for sample in samples] == samples


def test_a_value_matching_no_member_of_a_union_is_corrupted() -> None:
    with pytest.raises(RepositoryCorrupted, match=r"stored Sample does not decode.*matches none"):
        codec.decode(Sample, {"number_or_text": 1.5, "amount_or_moment": None})


def test_an_optional_amount_that_is_not_an_amount_is_corrupted() -> None:
    data = {"number_or_text": 1, "amount_or_moment": None, "optional_amount": "1.00 EUR"}

    with pytest.raises(RepositoryCorrupted, match=r"'1\.00 EUR' matches none"):
        codec.decode(Sample, data)


def test_a_record_with_a_field_the_codec_cannot_rebuild_is_refused_naming_the_type() -> None:
    with pytest.raises(RepositoryCorrupted, match=r"cannot decode into dict\[str, .*Colour\]"):
        codec.decode(Tagged, {"tags": {"a": "red"}})


def test_lines_stored_as_something_other_than_a_list_are_corrupted() -> None:
    data = stored(placed_order())
    data["lines"] = {"L1": data["lines"][0]}

    with pytest.raises(RepositoryCorrupted, match="expected a list, got dict"):
        codec.decode(Order, data)


def test_a_count_with_a_default_stored_as_text_is_corrupted() -> None:
    data = stored(placed_order())
    data["lines"][0]["fulfilled"] = "1"

    with pytest.raises(RepositoryCorrupted, match="expected int, got str"):
        codec.decode(Order, data)


def test_a_count_with_a_default_missing_from_an_older_record_takes_the_default() -> None:
    data = stored(placed_order())
    del data["lines"][0]["fulfilled"]

    assert codec.decode(Order, data).lines[0].fulfilled == 0


def test_a_moment_stored_without_a_timezone_is_corrupted() -> None:
    data = stored(placed_order())
    data["placed_at"] = "2026-03-02T10:00:00"

    with pytest.raises(RepositoryCorrupted, match="has no timezone"):
        codec.decode(Order, data)


def test_an_optional_moment_stored_without_a_timezone_is_corrupted() -> None:
    data = stored(placed_order())
    data["payment"]["authorization_expires_at"] = "2026-03-02T10:00:00"

    with pytest.raises(RepositoryCorrupted, match="does not decode"):
        codec.decode(Order, data)


def test_an_unknown_state_is_corrupted_and_not_guessed() -> None:
    data = stored(placed_order())
    data["state"] = "ON_HOLD"

    with pytest.raises(RepositoryCorrupted, match="'ON_HOLD' is not a valid OrderState"):
        codec.decode(Order, data)


def test_an_amount_in_an_unknown_currency_is_corrupted() -> None:
    data = stored(placed_order())
    data["lines"][0]["unit_price"]["currency"] = "XXX"

    with pytest.raises(RepositoryCorrupted, match="Restore it from a backup"):
        codec.decode(Order, data)


def test_a_record_stored_as_a_list_is_corrupted() -> None:
    with pytest.raises(RepositoryCorrupted, match="expected an object for Order"):
        codec.decode(Order, [])


# -- records stored by earlier releases ------------------------------------------------------


def _old_refund_order(stock_status: str, payment_status: str) -> dict[str, Any]:
    """A refund order as releases with one shared ``last_error`` stored it."""
    refund = RefundOrder.create(
        refund_order_id="r-1",
        shop="acme",
        order_id="o-1",
        kind=RefundKind.CANCELLATION,
        lines=(),
        reason=None,
        reason_code=None,
        created_at=AT,
        restock=True,
        currency="EUR",
    )
    data = json.loads(codec.dumps(refund))
    del data["stock_error"], data["payment_error"]
    data.update(stock_status=stock_status, payment_status=payment_status, last_error="boom")
    return dict(data)


@pytest.mark.parametrize(
    ("stock", "payment", "errors"),
    [
        ("failed_retrying", "dead_lettered", (None, "boom")),
        ("dead_lettered", "voided", ("boom", None)),
        ("dead_lettered", "pending", ("boom", None)),
        ("done", "pending", (None, "boom")),
        ("pending", "voided", ("boom", None)),
        ("done", "refunded", (None, None)),
    ],
    ids=[
        "payment-failing",
        "stock-failing",
        "stock-failing-payment-pending",
        "payment-retry-asked",
        "stock-retry-asked",
        "both-settled",
    ],
)
def test_a_refund_order_stored_with_one_last_error_loads_it_onto_its_effect(
    stock: str, payment: str, errors: tuple[str | None, str | None]
) -> None:
    text = json.dumps(_old_refund_order(stock, payment))

    loaded = codec.loads(RefundOrder, text)

    assert (loaded.stock_error, loaded.payment_error) == errors


def test_a_refund_order_stored_without_last_error_loads_unchanged() -> None:
    data = _old_refund_order("done", "voided")
    del data["last_error"]

    loaded = codec.loads(RefundOrder, json.dumps(data))

    assert (loaded.stock_error, loaded.payment_error) == (None, None)


def test_a_refund_order_stored_as_something_other_than_an_object_is_corrupted() -> None:
    with pytest.raises(RepositoryCorrupted, match="RefundOrder"):
        codec.loads(RefundOrder, "[]")


def test_the_order_of_a_stored_event_is_read_without_decoding_it() -> None:
    assert codec.event_order_id('{"type": "FromTheFuture", "data": {"order_id": "o-9"}}') == "o-9"
    assert codec.event_order_id('{"type": "X", "data": {"order_id": 7}}') is None
    assert codec.event_order_id("{not json") is None
