"""Shops (rule 9): one shop never sees or changes another's data, even in one backend."""

from __future__ import annotations

import pytest

from order_cancellation import (
    OrderNotFound,
    OrderState,
    RefundOrderNotFound,
    UnknownStatusLabel,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider, MemoryBackend
from tests.application.harness import Shop


@pytest.fixture
def two_shops(clock: ManualClock, card: InMemoryPaymentProvider) -> tuple[Shop, Shop]:
    backend = MemoryBackend()
    acme = Shop.open("acme", backend=backend, clock=clock, card=card)
    globex = Shop.open(
        "globex", backend=backend, clock=clock, card=card, stock={"MUG": 3, "TEE": 2}
    )
    return acme, globex


def test_a_shop_cannot_see_another_shops_order(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    order = acme.place()

    with pytest.raises(OrderNotFound, match="other shops"):
        globex.sales.get_order(order.id)


def test_a_shop_cannot_cancel_another_shops_order(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    order = acme.place()

    with pytest.raises(OrderNotFound):
        globex.sales.cancel_order(order.id)

    assert acme.sales.get_order(order.id) == order
    assert globex.sales.refund_orders() == []


def test_the_same_order_id_in_two_shops_names_two_orders(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    ours = acme.place(order_id="1001")
    theirs = globex.place(order_id="1001")

    acme.sales.cancel_order("1001")

    assert acme.sales.get_order("1001").state is OrderState.CANCELED
    assert globex.sales.get_order("1001") == theirs
    assert ours != theirs


def test_each_shop_has_its_own_stock(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    globex_before = globex.sales.stock_levels()

    acme.sales.cancel_order(acme.place().id)
    acme.place()

    assert globex.sales.stock_levels() == globex_before
    assert acme.sales.stock_levels() != globex_before


def test_a_shop_cannot_see_another_shops_refund_orders(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    refund = acme.sales.cancel_order(acme.place().id)

    assert globex.sales.refund_orders() == []
    assert globex.sales.manual_refunds_owed() == []
    with pytest.raises(RefundOrderNotFound):
        globex.sales.get_refund_order(refund.id)


def test_a_shop_cannot_mark_another_shops_manual_refund_done(
    two_shops: tuple[Shop, Shop],
) -> None:
    acme, globex = two_shops
    refund = acme.sales.cancel_order(acme.place(paid_by="invoice").id)

    with pytest.raises(RefundOrderNotFound):
        globex.sales.mark_manual_refund_done(refund.id)

    assert [owed.id for owed in acme.sales.manual_refunds_owed()] == [refund.id]


def test_status_labels_belong_to_one_shop(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    acme.sales.define_status_label("Canceled - fraud")

    assert "Canceled - fraud" in acme.sales.status_labels()
    assert "Canceled - fraud" not in globex.sales.status_labels()
    with pytest.raises(UnknownStatusLabel):
        globex.sales.cancel_order(globex.place().id, status="Canceled - fraud")


def test_reports_count_only_the_shops_own_sales(two_shops: tuple[Shop, Shop]) -> None:
    acme, globex = two_shops
    order = acme.place()
    acme.sales.cancel_order(acme.place().id)
    today = acme.clock.now().date()

    assert globex.sales.report(today).totals == ()
    assert acme.sales.report(today).currency("EUR").orders == 2
    assert acme.sales.report(today).currency("EUR").net == order.total
