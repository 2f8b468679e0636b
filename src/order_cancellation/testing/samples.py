"""Sample records and steps shared by the contract suites: a shop, a clock reading, an
order, its refund order, an outbox message and a stock movement, and the few steps
(store an order, add messages, claim) that several suites take."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from order_cancellation.domain.events import OrderPlaced
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from order_cancellation.domain.values import LineItem, PaymentRef
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import Effect, OutboxMessage, UnitOfWork

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHOP = "shop-a"
OTHER_SHOP = "shop-b"


def sample_order(order_id: str = "o-1", *, shop: str = SHOP, at: datetime = T0) -> Order:
    return Order.place(
        order_id=order_id,
        shop=shop,
        items=[
            LineItem("SKU-1", 2, Money.of("12.50", "EUR")),
            LineItem("SKU-2", 1, Money.of("5.00", "EUR")),
        ],
        payment=PaymentRef(provider="klarna", reference=f"k-{order_id}"),
        at=at,
    ).order


def sample_refund(order: Order, refund_order_id: str = "r-1", *, at: datetime = T0) -> RefundOrder:
    decision = order.cancel(
        refund_order_id=refund_order_id,
        status="Canceled",
        reason="customer asked",
        reason_code=None,
        actor="staff-1",
        restock=True,
        at=at,
    )
    assert decision.refund_order is not None
    return decision.refund_order


def sample_message(
    message_id: str = "m-1", *, at: datetime = T0, refund_order_id: str | None = None
) -> OutboxMessage:
    order = sample_order()
    event = OrderPlaced(
        shop=SHOP, order_id=order.id, occurred_at=at, lines=(), total=order.total, payment=None
    )
    return OutboxMessage(
        id=message_id,
        handler=Effect.PUBLISH,
        event=event,
        created_at=at,
        available_at=at,
        refund_order_id=refund_order_id,
    )


def sample_refund_decision_order(order: Order) -> Order:
    """The order as a cancel leaves it (version + 1)."""
    return order.cancel(
        refund_order_id="r-x",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=True,
        at=T0,
    ).order


def sample_movement(
    order_id: str, line_id: str, kind: MovementKind, sku: str, delta: int
) -> StockMovement:
    return StockMovement(
        key=MovementKey(order_id=order_id, line_id=line_id, kind=kind), sku=sku, delta=delta
    )


def store(backend: Backend, order: Order) -> Order:
    """Add ``order`` in a unit of work of its shop and commit."""
    with backend.unit_of_work(order.shop) as uow:
        uow.orders.add(order)
        uow.commit()
    return order


def add_messages(backend: Backend, *messages: OutboxMessage) -> None:
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add(list(messages))
        uow.commit()


def claim(backend: Backend, now: datetime, *, worker: str, limit: int = 10) -> list[OutboxMessage]:
    """Lease due messages for one minute and commit the lease."""
    with backend.unit_of_work(SHOP) as uow:
        claimed = list(
            uow.outbox.claim(now=now, limit=limit, lease=timedelta(minutes=1), worker=worker)
        )
        uow.commit()
    return claimed


def refused(backend: Backend, write: Callable[[UnitOfWork], object], error: type[Exception]) -> int:
    """Do ``write`` in a unit of work of the shop and commit, going on past ``error`` as a
    caller that handles it would. The ports let a store raise it at once or at commit; how
    many times it was raised (one, when the store refuses the write)."""
    times = 0
    with backend.unit_of_work(SHOP) as uow:
        try:
            write(uow)
        except error:
            times += 1
        try:
            uow.commit()
        except error:
            times += 1
    return times
