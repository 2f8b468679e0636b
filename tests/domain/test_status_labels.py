"""Status labels: what the merchant calls a state, separate from the state itself."""

from __future__ import annotations

from typing import Any

import pytest

from order_cancellation import InvalidInput, NotACancelStatus, OrderState, UnknownStatusLabel
from order_cancellation.domain.status import DEFAULT_LABELS, MAX_LABEL_LENGTH, StatusCatalog


def test_the_default_label_after_cancellation_is_canceled() -> None:
    assert StatusCatalog().cancel_label("Canceled") == "Canceled"
    assert StatusCatalog().meaning("Canceled") is OrderState.CANCELED


def test_every_state_has_a_default_label() -> None:
    assert set(DEFAULT_LABELS.values()) == set(OrderState)


def test_a_merchant_label_that_means_canceled_can_be_used_to_cancel() -> None:
    catalog = StatusCatalog().define("Canceled - out of stock", OrderState.CANCELED)

    assert catalog.cancel_label("Canceled - out of stock") == "Canceled - out of stock"
    assert set(catalog.cancel_labels()) == {"Canceled", "Canceled - out of stock"}


def test_an_unknown_label_is_a_clear_error_that_lists_the_known_ones() -> None:
    with pytest.raises(UnknownStatusLabel) as raised:
        StatusCatalog().cancel_label("Cancelled")

    assert str(raised.value) == (
        "the status label 'Cancelled' is not defined in this shop "
        "(known: Canceled, Fulfilled, Open, Returned); "
        "define it with define_status_label() first."
    )


def test_a_label_that_does_not_mean_canceled_cannot_be_a_cancel_status() -> None:
    catalog = StatusCatalog().define("On hold", OrderState.OPEN)

    with pytest.raises(NotACancelStatus, match="means OPEN, not CANCELED"):
        catalog.cancel_label("On hold")


def test_refusing_a_label_that_does_not_mean_canceled_lists_the_labels_that_do() -> None:
    catalog = StatusCatalog().define("Canceled - fraud", OrderState.CANCELED)

    with pytest.raises(NotACancelStatus) as raised:
        catalog.cancel_label("Open")

    assert str(raised.value).endswith("; pick one of: Canceled, Canceled - fraud.")


def test_a_label_keeps_its_meaning() -> None:
    with pytest.raises(InvalidInput, match="already means CANCELED") as raised:
        StatusCatalog().define("Canceled", OrderState.OPEN)

    assert str(raised.value).endswith("; choose another label for a different meaning.")


def test_defining_a_label_again_with_the_same_meaning_changes_nothing() -> None:
    once = StatusCatalog().define("Canceled - fraud", OrderState.CANCELED)

    assert once.define("Canceled - fraud", OrderState.CANCELED) == once


@pytest.mark.parametrize("label", ["", "   ", None])
def test_a_label_is_non_empty_text_and_the_error_gives_an_example(label: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        StatusCatalog().define(label, OrderState.CANCELED)

    assert str(raised.value) == (
        "a status label is non-empty text, for example 'Canceled - fraud'."
    )


@pytest.mark.parametrize("label", ["Canceled\x00", "x" * (MAX_LABEL_LENGTH + 1), "line\nbreak"])
def test_a_label_is_short_printable_text(label: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        StatusCatalog().define(label, OrderState.CANCELED)

    assert "a status label is printable text of at most 100 characters" in str(raised.value)


def test_a_label_may_be_as_long_as_the_limit() -> None:
    label = "C" * MAX_LABEL_LENGTH

    catalog = StatusCatalog().define(label, OrderState.CANCELED)

    assert catalog.cancel_label(label) == label


def test_defining_a_label_leaves_the_original_catalog_as_it_was() -> None:
    catalog = StatusCatalog()
    catalog.define("Canceled - fraud", OrderState.CANCELED)

    with pytest.raises(UnknownStatusLabel):
        catalog.meaning("Canceled - fraud")
