"""Canceling the unshipped rest of a partly shipped order (``Order.cancel_unfulfilled``).

The story of the issue: 3 T-shirts at 19.90 and 2 posters at 15.00; two T-shirts and both
posters ship; the third T-shirt never will.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from order_cancellation import (
    Discount,
    LineItem,
    Money,
    NothingLeftToShip,
    NothingShipped,
    NothingToReturn,
    Order,
    OrderFulfilledError,
    OrderState,
    OverFulfillment,
    RefundKind,
    ShippingFee,
    UnknownLine,
)
from order_cancellation.domain.events import OrderFulfilled, OrderReturned, UnshippedUnitsCanceled
from order_cancellation.domain.refunds import RefundOrder

AT = datetime(2026, 11, 2, 10, tzinfo=UTC)


def eur(text: str) -> Money:
    return Money.of(text, "EUR")


def placed(**changes: object) -> Order:
    options: dict[str, object] = {
        "order_id": "o-1",
        "shop": "acme",
        "items": [
            LineItem("TSHIRT", 3, eur("19.90"), tax_rate="25.5"),
            LineItem("POSTER", 2, eur("15.00"), tax_rate="25.5"),
        ],
        "payment": None,
        "at": AT,
        "shipping": [ShippingFee("Standard", eur("4.90"), tax_rate="25.5")],
    }
    options.update(changes)
    return Order.place(**options).order  # type: ignore[arg-type]


def partly_shipped(**changes: object) -> Order:
    return placed(**changes).fulfill({"TSHIRT": 2, "POSTER": 2}, at=AT).order


def cancel_rest(
    order: Order, quantities: dict[str, int] | None = None, **options: object
) -> tuple[Order, RefundOrder, tuple[object, ...]]:
    decision = order.cancel_unfulfilled(
        quantities,
        refund_order_id=f"r-{order.version}",
        reason="out of stock",
        restock=True,
        at=AT,
        **options,  # type: ignore[arg-type]
    )
    assert decision.refund_order is not None
    return decision.order, decision.refund_order, decision.events


def test_the_unshipped_shirt_is_canceled_and_refunded_at_its_price() -> None:
    order, refund, (event,) = cancel_rest(partly_shipped())

    assert (refund.kind, refund.amount) == (RefundKind.CANCELLATION, eur("19.90"))
    assert [(line.sku, line.quantity, line.tax) for line in refund.lines] == [
        ("TSHIRT", 1, eur("4.04"))
    ]
    assert refund.shipping == ()
    assert isinstance(event, UnshippedUnitsCanceled)
    assert event.order_worth == order.total - eur("19.90") == eur("74.70")


def test_the_order_stays_fulfilled_and_nothing_is_left_to_ship() -> None:
    order, _, _ = cancel_rest(partly_shipped())

    assert order.state is OrderState.FULFILLED
    assert [(line.sku, line.canceled, line.unfulfilled) for line in order.lines] == [
        ("TSHIRT", 1, 0),
        ("POSTER", 0, 0),
    ]
    with pytest.raises(OverFulfillment, match="shipped or was canceled"):
        order.fulfill(None, at=AT)


def test_a_canceled_unit_can_neither_ship_nor_be_returned() -> None:
    order, _, _ = cancel_rest(partly_shipped())

    with pytest.raises(NothingToReturn, match="2 fulfilled unit"):
        order.create_return({"TSHIRT": 3}, refund_order_id="r-x", restock=True, reason=None, at=AT)


def test_some_of_the_unshipped_units_may_be_canceled() -> None:
    order = placed().fulfill({"TSHIRT": 1}, at=AT).order

    order, refund, _ = cancel_rest(order, {"TSHIRT": 1, "L2": 1})

    assert refund.amount == eur("34.90")
    assert [line.unfulfilled for line in order.lines] == [1, 1]


def test_shipping_is_refunded_with_the_rest_only_when_asked() -> None:
    _, kept, _ = cancel_rest(partly_shipped())
    _, refunded, _ = cancel_rest(partly_shipped(), refund_shipping=True)

    assert kept.shipping_refunded == eur("0")
    assert refunded.amount == eur("24.80")


def test_once_every_shipped_unit_is_back_canceling_the_rest_returns_the_order() -> None:
    order = partly_shipped().create_return(
        {"TSHIRT": 2, "POSTER": 2}, refund_order_id="r-0", restock=True, reason=None, at=AT
    )
    order_after_returns = order.order

    final, _, events = cancel_rest(order_after_returns)

    assert final.state is OrderState.RETURNED
    assert isinstance(events[-1], OrderReturned)


def test_returning_what_shipped_after_the_rest_was_canceled_returns_the_order() -> None:
    order, _, _ = cancel_rest(partly_shipped())

    back = order.create_return(
        {"TSHIRT": 2, "POSTER": 2}, refund_order_id="r-9", restock=True, reason=None, at=AT
    ).order

    assert back.state is OrderState.RETURNED


def test_captures_and_the_canceled_rest_add_up_to_the_order_total() -> None:
    # A discount makes the lines' totals uneven: 3 shirts of 53.73 after 10 %.
    order = placed(discounts=[Discount.percentage("TEN", "10")])
    shipped = order.fulfill({"TSHIRT": 2, "POSTER": 2}, at=AT)
    (capture,) = shipped.events
    assert isinstance(capture, OrderFulfilled)

    _, refund, _ = cancel_rest(shipped.order)

    assert capture.amount + refund.amount == order.total


def test_canceling_more_than_is_unshipped_is_refused() -> None:
    with pytest.raises(NothingLeftToShip, match=re.escape("1 unit(s) not shipped")):
        cancel_rest(partly_shipped(), {"TSHIRT": 2})


def test_canceling_the_rest_of_a_fully_shipped_order_is_refused() -> None:
    order = placed().fulfill(None, at=AT).order

    with pytest.raises(NothingLeftToShip, match="create a return"):
        cancel_rest(order)


def test_canceling_the_rest_of_an_order_that_shipped_nothing_points_to_cancel_order() -> None:
    with pytest.raises(NothingShipped, match=re.escape("cancel_order(order_id)")):
        cancel_rest(placed())


def test_canceling_an_unknown_line_is_refused() -> None:
    with pytest.raises(UnknownLine, match="no line or SKU"):
        cancel_rest(partly_shipped(), {"HAT": 1})


def test_cancel_order_on_a_partly_shipped_order_names_the_way_to_cancel_the_rest() -> None:
    with pytest.raises(OrderFulfilledError, match=re.escape("cancel_unfulfilled(order_id)")):
        partly_shipped().cancel(
            refund_order_id="r-1",
            status="Canceled",
            reason=None,
            reason_code=None,
            actor=None,
            restock=True,
            at=AT,
        )
