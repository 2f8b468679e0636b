"""Publishing: with a publisher, every event is published once its command committed;
without one, nothing is queued for publication, and a process without a publisher that
finds publications queued by another process completes them without sending anything."""

from __future__ import annotations

from order_cancellation import PaymentStatus, Sales
from order_cancellation.adapters.memory import MemoryBackend
from tests.application.harness import CARD, DEFAULT_STOCK, Shop, mug_and_tee


def test_a_shop_without_a_publisher_queues_only_the_refunds_own_effects() -> None:
    sales = Sales.in_memory("quiet", backend=MemoryBackend(), effects="deferred")
    for sku, quantity in DEFAULT_STOCK.items():
        sales.set_stock(sku, quantity)
    order = sales.place_order(mug_and_tee())
    assert sales.pending_effects() == 0

    sales.cancel_order(order.id)

    assert sales.pending_effects() == 2  # restock and settle payment, nothing to publish


def test_a_worker_without_a_publisher_completes_publications_it_cannot_send(
    deferred_shop: Shop,
) -> None:
    refund = deferred_shop.sales.cancel_order(deferred_shop.place().id)
    worker = Sales.in_memory(
        "acme",
        backend=deferred_shop.backend,
        gateways={CARD: deferred_shop.card},
        clock=deferred_shop.clock,
        effects="deferred",
    )

    worker.process_pending()

    assert deferred_shop.sales.pending_effects() == 0
    assert deferred_shop.publisher.events == []
    assert worker.get_refund_order(refund.id).payment_status is PaymentStatus.VOIDED
