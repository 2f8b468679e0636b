"""Canceling an order through ``Sales``: rules 1 to 5 of the design brief."""

from __future__ import annotations

import attrs
import pytest

from order_cancellation import (
    NotACancelStatus,
    OrderAlreadyCanceled,
    OrderFulfilledError,
    OrderState,
    ReasonCode,
    RefundKind,
    StockStatus,
    UnknownStatusLabel,
)
from order_cancellation.domain.events import StockRestored
from order_cancellation.ports.persistence import Effect, MessageStatus
from tests.application.harness import DEFAULT_STOCK, Shop


def test_an_order_with_nothing_fulfilled_can_be_canceled(shop: Shop) -> None:
    order = shop.place()

    shop.sales.cancel_order(order.id)

    canceled = shop.sales.get_order(order.id)
    assert canceled.state is OrderState.CANCELED
    assert canceled.version == order.version + 1


def test_canceling_a_fulfilled_order_is_refused_with_a_hint_to_create_a_return(
    shop: Shop,
) -> None:
    order = shop.sales.fulfill(shop.place().id, {"MUG": 1})

    with pytest.raises(OrderFulfilledError, match="fulfilled") as raised:
        shop.sales.cancel_order(order.id)

    assert "create a return" in str(raised.value)
    assert shop.sales.get_order(order.id) == order
    assert shop.sales.refund_orders(order_id=order.id) == []


@pytest.mark.parametrize("label", ["Cancelled", "Open"], ids=["unknown", "not-a-cancel-label"])
def test_a_fulfilled_order_s_state_is_reported_before_a_wrong_label(shop: Shop, label: str) -> None:
    order = shop.sales.fulfill(shop.place().id, {"MUG": 1})

    with pytest.raises(OrderFulfilledError, match="create a return"):
        shop.sales.cancel_order(order.id, status=label)

    assert shop.sales.get_order(order.id) == order


def test_a_canceled_order_s_state_is_reported_before_a_wrong_label(shop: Shop) -> None:
    order = shop.place()
    shop.sales.cancel_order(order.id)

    with pytest.raises(OrderAlreadyCanceled, match="was canceled already"):
        shop.sales.cancel_order(order.id, status="Cancelled")


def test_an_open_order_with_an_unknown_label_is_told_about_the_label(shop: Shop) -> None:
    order = shop.place()

    with pytest.raises(UnknownStatusLabel):
        shop.sales.cancel_order(order.id, status="Cancelled")

    assert shop.sales.get_order(order.id) == order


def test_the_status_after_cancellation_is_canceled_by_default(shop: Shop) -> None:
    order = shop.place()

    shop.sales.cancel_order(order.id)

    assert shop.sales.get_order(order.id).status == "Canceled"


def test_a_merchant_defined_cancel_label_becomes_the_orders_status(shop: Shop) -> None:
    shop.sales.define_status_label("Canceled - out of stock", means=OrderState.CANCELED)
    order = shop.place()

    shop.sales.cancel_order(order.id, status="Canceled - out of stock")

    canceled = shop.sales.get_order(order.id)
    assert (canceled.state, canceled.status) == (OrderState.CANCELED, "Canceled - out of stock")


def test_an_unknown_status_label_is_a_clear_error_and_cancels_nothing(shop: Shop) -> None:
    order = shop.place()

    with pytest.raises(UnknownStatusLabel, match="define_status_label"):
        shop.sales.cancel_order(order.id, status="Canceled - typo")

    assert shop.sales.get_order(order.id) == order


def test_a_label_that_does_not_mean_canceled_is_refused(shop: Shop) -> None:
    shop.sales.define_status_label("Waiting for stock", means=OrderState.OPEN)
    order = shop.place()

    with pytest.raises(NotACancelStatus, match="not CANCELED"):
        shop.sales.cancel_order(order.id, status="Waiting for stock")

    assert shop.sales.get_order(order.id) == order


def test_a_reason_and_a_reason_code_are_kept_with_the_cancellation(shop: Shop) -> None:
    order = shop.place()

    refund = shop.sales.cancel_order(
        order.id, reason="Customer changed mind", reason_code="customer", actor="staff-7"
    )

    assert (refund.reason, refund.reason_code) == ("Customer changed mind", ReasonCode.CUSTOMER)
    cancellation = shop.sales.get_order(order.id).cancellation
    assert cancellation is not None
    assert (cancellation.reason, cancellation.reason_code, cancellation.actor) == (
        "Customer changed mind",
        ReasonCode.CUSTOMER,
        "staff-7",
    )


def test_the_reason_is_optional(shop: Shop) -> None:
    refund = shop.sales.cancel_order(shop.place().id)

    assert (refund.reason, refund.reason_code) == (None, None)


def test_canceling_creates_a_refund_order_listed_with_the_returns(shop: Shop) -> None:
    shipped = shop.sales.fulfill(shop.place().id)
    a_return = shop.sales.create_return(shipped.id, {"MUG": 1})
    order = shop.place()

    refund = shop.sales.cancel_order(order.id)

    assert refund.kind is RefundKind.CANCELLATION
    assert (refund.order_id, refund.amount) == (order.id, order.total)
    assert {r.id for r in shop.sales.refund_orders()} == {refund.id, a_return.id}
    assert shop.sales.refund_orders(order_id=order.id) == [refund]
    assert shop.sales.get_refund_order(refund.id) == refund


def test_canceling_returns_stock_to_its_level_before_the_order(shop: Shop) -> None:
    before = shop.sales.stock_levels()
    order = shop.place()
    assert shop.sales.stock_levels() != before

    refund = shop.sales.cancel_order(order.id)

    assert shop.sales.stock_levels() == before
    assert refund.stock_status is StockStatus.DONE


def test_canceling_without_restock_leaves_the_stock_taken(shop: Shop) -> None:
    order = shop.place()
    taken = shop.sales.stock_levels()

    refund = shop.sales.cancel_order(order.id, restock=False)

    assert shop.sales.stock_levels() == taken
    assert refund.stock_status is StockStatus.NOT_REQUESTED


def test_stock_goes_back_once_even_when_effects_are_processed_twice(deferred_shop: Shop) -> None:
    shop = deferred_shop
    before = shop.sales.stock_levels()
    order = shop.place()
    shop.sales.cancel_order(order.id)

    shop.sales.process_pending()
    shop.sales.process_pending()

    assert shop.sales.stock_levels() == before


def test_stock_goes_back_once_even_when_the_restock_message_is_delivered_again(
    shop: Shop,
) -> None:
    before = shop.sales.stock_levels()
    refund = shop.sales.cancel_order(shop.place().id)
    assert shop.sales.stock_levels() == before
    # At-least-once delivery: the same restock message arrives a second time.
    with shop.backend.unit_of_work(shop.name) as uow:
        (restock,) = [
            m for m in uow.outbox.for_refund_order(refund.id) if m.handler == Effect.RESTOCK
        ]
        assert restock.status is MessageStatus.DONE
        uow.outbox.add(
            [attrs.evolve(restock, id=f"{restock.id}-again", status=MessageStatus.PENDING)]
        )
        uow.commit()

    report = shop.sales.process_pending()

    assert report.delivered >= 1
    assert shop.sales.pending_effects() == 0
    assert shop.sales.stock_levels() == before
    assert len(shop.publisher.of_type(StockRestored)) == 1


def test_stock_of_skus_in_other_orders_is_not_touched(shop: Shop) -> None:
    kept = shop.place()
    canceled = shop.place()

    shop.sales.cancel_order(canceled.id)

    expected = {
        sku: DEFAULT_STOCK[sku] - sum(line.quantity for line in kept.lines if line.sku == sku)
        for sku in DEFAULT_STOCK
    }
    assert shop.sales.stock_levels() == expected
