"""Restocking: each line goes back once, under a key per (order, line, movement kind), into
the shop's own stock or the platform's ledger; a StockRestored event says what came back."""

from __future__ import annotations

from order_cancellation import RetryPolicy, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    RecordingPublisher,
)
from order_cancellation.application.service import EffectsMode
from order_cancellation.domain.events import StockRestored
from order_cancellation.domain.refunds import RefundKind, StockStatus
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from tests.application.harness import CARD, DEFAULT_STOCK, RETRY_POLICY, Shop
from tests.application.platform_ledger import PlatformLedger


def shop_with_ledger(
    ledger: PlatformLedger,
    *,
    effects: EffectsMode = "inline",
    retry_policy: RetryPolicy = RETRY_POLICY,
) -> Shop:
    """The shop "acme" whose stock is kept by the platform's ``ledger``."""
    backend, clock, card, publisher = (
        MemoryBackend(),
        ManualClock(),
        InMemoryPaymentProvider(),
        RecordingPublisher(),
    )
    sales = Sales.in_memory(
        "acme",
        backend=backend,
        gateways={CARD: card},
        publisher=publisher,
        clock=clock,
        stock=ledger,
        effects=effects,
        retry_policy=retry_policy,
    )
    for sku, quantity in DEFAULT_STOCK.items():
        sales.set_stock(sku, quantity)
    return Shop(
        name="acme", sales=sales, clock=clock, card=card, publisher=publisher, backend=backend
    )


def test_a_cancel_gives_the_platform_one_restock_per_line_keyed_by_order_and_line() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger)
    order = shop.place()

    shop.sales.cancel_order(order.id)

    restocks = [m for m in ledger.history if m.key.kind is MovementKind.CANCEL_RESTOCK]
    assert restocks == [
        StockMovement(
            key=MovementKey(
                order_id=order.id, line_id=line.id, kind=MovementKind.CANCEL_RESTOCK, reference=""
            ),
            sku=line.sku,
            delta=line.quantity,
        )
        for line in order.lines
    ]
    assert shop.sales.stock_levels() == DEFAULT_STOCK


def test_a_return_restocks_under_a_key_of_its_own_refund_order() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger)
    order = shop.place()
    shop.sales.fulfill(order.id)

    refund = shop.sales.create_return(order.id, {"MUG": 1})

    (mug,) = [line for line in order.lines if line.sku == "MUG"]
    restocks = [m for m in ledger.history if m.key.kind is MovementKind.RETURN_RESTOCK]
    assert restocks == [
        StockMovement(
            key=MovementKey(
                order_id=order.id,
                line_id=mug.id,
                kind=MovementKind.RETURN_RESTOCK,
                reference=refund.id,
            ),
            sku="MUG",
            delta=1,
        )
    ]


def test_the_shops_own_stock_remembers_each_cancel_restock_under_its_key(shop: Shop) -> None:
    order = shop.place()

    shop.sales.cancel_order(order.id)

    with shop.backend.unit_of_work(shop.name) as uow:
        for line in order.lines:
            key = MovementKey(order_id=order.id, line_id=line.id, kind=MovementKind.CANCEL_RESTOCK)
            assert uow.stock.applied(key)


def test_two_returns_of_the_same_line_each_put_their_unit_back(shop: Shop) -> None:
    order = shop.place()  # two mugs
    shop.sales.fulfill(order.id)

    shop.sales.create_return(order.id, {"MUG": 1})
    shop.sales.create_return(order.id, {"MUG": 1})

    assert shop.sales.stock_level("MUG") == DEFAULT_STOCK["MUG"]


def test_two_returns_of_the_same_line_each_reach_the_platforms_ledger() -> None:
    ledger = PlatformLedger()
    shop = shop_with_ledger(ledger)
    order = shop.place()
    shop.sales.fulfill(order.id)

    shop.sales.create_return(order.id, {"MUG": 1})
    shop.sales.create_return(order.id, {"MUG": 1})

    assert ledger.level("MUG") == DEFAULT_STOCK["MUG"]


def test_a_restock_publishes_what_came_back_for_which_refund_order(shop: Shop) -> None:
    order = shop.place()

    refund = shop.sales.cancel_order(order.id)

    assert shop.publisher.of_type(StockRestored) == [
        StockRestored(
            shop="acme",
            order_id=order.id,
            occurred_at=shop.clock.now(),
            refund_order_id=refund.id,
            kind=RefundKind.CANCELLATION,
            lines=refund.lines,
        )
    ]
    assert refund.stock_status is StockStatus.DONE


def test_a_returns_restock_is_published_as_a_return(shop: Shop) -> None:
    order = shop.place()
    shop.sales.fulfill(order.id)

    refund = shop.sales.create_return(order.id, {"TEE": 1})

    (restored,) = shop.publisher.of_type(StockRestored)
    assert isinstance(restored, StockRestored)
    assert (restored.kind, restored.refund_order_id, restored.lines) == (
        RefundKind.RETURN,
        refund.id,
        refund.lines,
    )
