"""Status labels: what the merchant calls a state, separate from the state itself."""

from __future__ import annotations

import pytest

from order_cancellation import InvalidInput, NotACancelStatus, OrderState, UnknownStatusLabel
from order_cancellation.domain.status import DEFAULT_LABELS, StatusCatalog


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
    with pytest.raises(UnknownStatusLabel, match=r"'Cancelled'.*known: .*Canceled") as raised:
        StatusCatalog().cancel_label("Cancelled")

    assert "define_status_label" in str(raised.value)


def test_a_label_that_does_not_mean_canceled_cannot_be_a_cancel_status() -> None:
    catalog = StatusCatalog().define("On hold", OrderState.OPEN)

    with pytest.raises(NotACancelStatus, match="means OPEN, not CANCELED"):
        catalog.cancel_label("On hold")


def test_a_label_keeps_its_meaning() -> None:
    with pytest.raises(InvalidInput, match="already means CANCELED"):
        StatusCatalog().define("Canceled", OrderState.OPEN)


def test_defining_a_label_again_with_the_same_meaning_changes_nothing() -> None:
    once = StatusCatalog().define("Canceled - fraud", OrderState.CANCELED)

    assert once.define("Canceled - fraud", OrderState.CANCELED) == once


@pytest.mark.parametrize("label", ["", "   ", "Canceled\x00", "x" * 101, "line\nbreak"])
def test_a_label_is_short_printable_text(label: str) -> None:
    with pytest.raises(InvalidInput):
        StatusCatalog().define(label, OrderState.CANCELED)


def test_defining_a_label_leaves_the_original_catalog_as_it_was() -> None:
    catalog = StatusCatalog()
    catalog.define("Canceled - fraud", OrderState.CANCELED)

    with pytest.raises(UnknownStatusLabel):
        catalog.meaning("Canceled - fraud")
