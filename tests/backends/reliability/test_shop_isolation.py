"""Two shops in one store (one SQLite file) never see or change each other's data.

The contract suite proves it for the ports; these prove it through the Sales API, with both
shops using the same SKUs, the same order id and the same idempotency keys.
"""

from __future__ import annotations

import pytest

from order_cancellation import (
    IdempotencyKeyReused,
    LineItem,
    Money,
    OrderNotFound,
    OrderState,
    PaymentRef,
    RefundOrderNotFound,
    Sales,
)
from tests.backends.conftest import BackendFactory
from tests.backends.reliability.support import Report, figure, sales_on

LINE = LineItem("SKU-1", 2, Money.of("4.00", "EUR"))
PAYMENT = PaymentRef(provider="card", reference="pay-1")


@pytest.fixture
def shops(backend_factory: BackendFactory) -> tuple[Sales, Sales]:
    """acme and bolt, each on its own connection to one store, with the same order id."""
    acme = sales_on(backend_factory(), "acme", effects="deferred")
    bolt = sales_on(backend_factory(), "bolt", effects="deferred")
    for sales, stock in ((acme, 10), (bolt, 50)):
        sales.set_stock("SKU-1", stock)
        sales.define_status_label(f"Canceled by {sales.shop}")
        sales.place_order([LINE], payment=PAYMENT, order_id="ord-1", idempotency_key="key-1")
    return acme, bolt


def test_a_cancel_in_one_shop_leaves_the_other_shops_records_alone(
    shops: tuple[Sales, Sales], backend_name: str, reliability: Report
) -> None:
    acme, bolt = shops
    acme.cancel_order("ord-1", status="Canceled by acme")
    bolt.fulfill("ord-1")
    acme.process_pending()
    held = {
        "bolt's order is bolt's": bolt.get_order("ord-1").state is OrderState.FULFILLED,
        "acme's order is acme's": acme.get_order("ord-1").state is OrderState.CANCELED,
        "acme's stock came back to acme": acme.stock_level("SKU-1") == 10,
        "bolt's stock is bolt's": bolt.stock_level("SKU-1") == 48,
        "the refund order is acme's": len(acme.refund_orders()) == 1,
        "bolt has no refund order": bolt.refund_orders() == [],
        "acme's labels are acme's": "Canceled by bolt" not in acme.status_labels(),
        "bolt's labels are bolt's": "Canceled by acme" not in bolt.status_labels(),
        "acme's effects ran in acme": acme.pending_effects() == 0,
        "bolt never saw acme's effects": bolt.pending_effects() == 0,
    }
    leaks = [name for name, ok in held.items() if not ok]
    figure(reliability, "SHOPS", backend=backend_name, shops=2, checks=len(held), leaks=len(leaks))
    assert leaks == []


def test_a_shop_cannot_read_or_cancel_another_shops_orders_or_refund_orders(
    shops: tuple[Sales, Sales],
) -> None:
    acme, bolt = shops
    acme.place_order([LINE], order_id="ord-acme-only")
    refund = acme.cancel_order("ord-1")
    with pytest.raises(OrderNotFound):
        bolt.get_order("ord-acme-only")
    with pytest.raises(OrderNotFound):
        bolt.cancel_order("ord-acme-only")
    with pytest.raises(RefundOrderNotFound):
        bolt.get_refund_order(refund.id)
    assert acme.get_order("ord-acme-only").state is OrderState.OPEN


def test_an_idempotency_key_belongs_to_its_shop(shops: tuple[Sales, Sales]) -> None:
    acme, bolt = shops
    acme.cancel_order("ord-1", idempotency_key="key-2")
    bolt.fulfill("ord-1", idempotency_key="key-2")  # another shop: another command is fine
    with pytest.raises(IdempotencyKeyReused):  # within one shop a key means one command
        acme.fulfill("ord-1", idempotency_key="key-1")
    assert bolt.get_order("ord-1").state is OrderState.FULFILLED
