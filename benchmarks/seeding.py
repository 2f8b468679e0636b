"""Fast seeding through a backend's own unit of work: many orders per transaction.

Placing orders one by one through ``Sales.place_order`` costs a transaction each; a store
of many orders is seeded here instead with the same records the library writes when it
places an order (the order, and its sale movements in the stock ledger), in big
transactions, through the adapter's own repositories.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from benchmarks.orders import START, STOCK, items, payment, sku
from order_cancellation.domain.order import Order
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from order_cancellation.ports.backend import Backend


def order_id(n: int) -> str:
    return f"o-{n:08d}"


def seed_orders(
    backend: Backend,
    shop: str,
    count: int,
    lines: int,
    *,
    first: int = 0,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> list[str]:
    """Store ``count`` open orders of ``lines`` lines (ids ``o-<n>``, paid with ``pay-<n>``)
    and take their units from stock, ``batch`` orders per transaction."""
    with backend.unit_of_work(shop) as uow:
        for n in range(lines):
            if uow.stock.level(sku(n)) == 0:
                uow.stock.set_level(sku(n), STOCK)
        uow.commit()
    placed: list[str] = []
    for start in range(first, first + count, batch):
        with backend.unit_of_work(shop) as uow:
            for n in range(start, min(start + batch, first + count)):
                decision = Order.place(
                    order_id=order_id(n),
                    shop=shop,
                    items=items(lines),
                    payment=payment(n),
                    at=START + timedelta(seconds=n),
                )
                uow.orders.add(decision.order)
                uow.stock.apply(
                    [
                        StockMovement(
                            key=MovementKey(
                                order_id=decision.order.id,
                                line_id=line.id,
                                kind=MovementKind.SALE,
                            ),
                            sku=line.sku,
                            delta=-line.quantity,
                        )
                        for line in decision.order.lines
                    ]
                )
                placed.append(decision.order.id)
            uow.commit()
        if progress is not None:
            progress(len(placed))
    return placed
