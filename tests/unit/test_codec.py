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
