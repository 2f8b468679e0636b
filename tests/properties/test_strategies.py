"""The shipped strategies keep their promises: valid ones are accepted, invalid ones refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from order_cancellation import InvalidInput, LineItem, Order, OrderState, PaymentRef
from order_cancellation.domain.money import currency_exponent
from order_cancellation.domain.status import StatusCatalog
from order_cancellation.domain.values import check_identifier, check_quantity, check_reason
from order_cancellation.testing import strategies as ocst

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LATER = PLACED + timedelta(hours=2)


@given(ocst.currencies(exponents=[0, 3]))
def test_currencies_can_be_chosen_by_exponent(code: str) -> None:
    assert currency_exponent(code) in {0, 3}


@given(ocst.line_items(ocst.currencies(), max_quantity=3, max_unit_minor=500))
def test_line_items_respect_their_bounds(item: LineItem) -> None:
    assert 1 <= item.quantity <= 3
    assert 0 <= item.unit_price.minor <= 500


@given(ocst.orders_to_place(currency=None, unique_skus=True))
def test_orders_to_place_are_in_one_currency_and_can_be_placed(lines: list[LineItem]) -> None:
    order = Order.place(order_id="o-1", shop="acme", items=lines, payment=None, at=PLACED).order

    assert len({line.unit_price.currency for line in lines}) == 1
    assert len({line.sku for line in lines}) == len(lines)
    assert order.state is OrderState.OPEN


@given(ocst.identifiers(max_size=128), ocst.payment_refs())
def test_identifiers_and_payment_refs_are_accepted(text: str, payment: PaymentRef) -> None:
    assert check_identifier(text, "an id") == text
    assert payment.provider in {"klarna", "card", "invoice"}


@given(ocst.reasons(max_size=1000))
def test_reasons_are_accepted(reason: str | None) -> None:
    assert check_reason(reason) == reason


@given(ocst.status_labels(max_size=100))
def test_status_labels_can_be_defined(label: str) -> None:
    meaning = StatusCatalog.with_custom([]).labels.get(label, OrderState.CANCELED)

    assert StatusCatalog().define(label, meaning).meaning(label) is meaning


@given(ocst.orders_to_place(), st.data())
def test_fulfill_and_return_quantities_are_always_accepted(
    lines: list[LineItem], data: st.DataObject
) -> None:
    order = Order.place(order_id="o-1", shop="acme", items=lines, payment=None, at=PLACED).order
    shipped = order.fulfill(data.draw(ocst.fulfill_quantities(order)), at=LATER).order

    back = data.draw(ocst.return_quantities(shipped))

    returned = shipped.create_return(
        back, refund_order_id="r-1", restock=True, reason=None, at=LATER
    ).order
    assert sum(line.returned for line in returned.lines) == sum(back.values())


@given(ocst.invalid_quantities())
def test_invalid_quantities_are_refused(quantity: object) -> None:
    with pytest.raises(InvalidInput):
        check_quantity(quantity)


@given(ocst.invalid_identifiers())
def test_invalid_identifiers_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput):
        check_identifier(value, "an id")


@given(ocst.invalid_reasons())
def test_invalid_reasons_are_refused(value: object) -> None:
    with pytest.raises(InvalidInput):
        check_reason(value)
