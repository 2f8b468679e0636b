"""Effects that touch only the shop's own store, applied in the command's transaction.

With inline effects and the built-in stock ledger, a cancel's (or return's) restock needs
nothing outside the store: its movements, the refund order's stock status and the
``StockRestored`` event are written in the very transaction that records the command. That
is one transaction fewer per command, and a crash window fewer: there is no moment at which
the order is canceled and its stock not yet back. The restock's outbox message is still
written, already done, so the effect is listed with the refund order's others and a
redelivery of it (at least once) finds the refund order restocked and changes nothing.

With an external stock ledger (a call outside the store) or deferred effects, the restock
runs from the outbox as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import attrs

from order_cancellation.domain.events import (
    DomainEvent,
    OrderCanceled,
    ReturnCreated,
    StockRestored,
    UnshippedUnitsCanceled,
)
from order_cancellation.domain.refunds import RefundOrder, StockStatus
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from order_cancellation.ports.persistence import UnitOfWork

RestockEvent = OrderCanceled | ReturnCreated | UnshippedUnitsCanceled
RESTOCK_EVENTS = (OrderCanceled, ReturnCreated, UnshippedUnitsCanceled)


def restock_movements(event: RestockEvent) -> list[StockMovement]:
    """The ledger movements that put an event's units back in stock."""
    # A whole-order cancel restocks each line once ("" reference); a return or a cancel
    # of unshipped units restocks under its own refund order, as there may be several.
    kind, reference = (
        (MovementKind.CANCEL_RESTOCK, "")
        if isinstance(event, OrderCanceled)
        else (MovementKind.CANCEL_RESTOCK, event.refund_order_id)
        if isinstance(event, UnshippedUnitsCanceled)
        else (MovementKind.RETURN_RESTOCK, event.refund_order_id)
    )
    return [
        StockMovement(
            key=MovementKey(
                order_id=event.order_id, line_id=line.line_id, kind=kind, reference=reference
            ),
            sku=line.sku,
            delta=line.quantity,
        )
        for line in event.lines
    ]


def stock_restored(event: RestockEvent, refund: RefundOrder, *, now: datetime) -> StockRestored:
    return StockRestored(
        shop=refund.shop,
        order_id=event.order_id,
        occurred_at=now,
        refund_order_id=event.refund_order_id,
        kind=refund.kind,
        lines=event.lines,
    )


@attrs.frozen(kw_only=True)
class Restocked:
    """A refund order restocked in its command's transaction, and the event that says so."""

    refund: RefundOrder
    event: StockRestored


def restock_in_command(
    uow: UnitOfWork, refund: RefundOrder, events: Sequence[DomainEvent], *, now: datetime
) -> Restocked | None:
    """Apply the restock the command's events ask for to the built-in ledger of ``uow``;
    None when they ask for none."""
    if refund.stock_status is not StockStatus.PENDING:
        return None
    for event in events:
        if (
            isinstance(event, RESTOCK_EVENTS)
            and event.restock
            and event.refund_order_id == refund.id
        ):
            uow.stock.apply(restock_movements(event))
            return Restocked(
                refund=refund.stock_restored(), event=stock_restored(event, refund, now=now)
            )
    return None
