"""Canceling the units of a partly shipped order that have not shipped.

The canceled units are priced from the top of each line (units ``quantity - 1``,
``quantity - 2``, ...) while shipments take them from the bottom, so what is captured for
the units that ship and what is refunded for those canceled add up to exactly the line's
total (see :meth:`~order_cancellation.domain.lines.OrderLine.portion`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from order_cancellation.domain.charges import amount_of, shipping_to_refund
from order_cancellation.domain.decisions import Decision
from order_cancellation.domain.errors import NothingLeftToShip
from order_cancellation.domain.events import DomainEvent, OrderReturned, UnshippedUnitsCanceled
from order_cancellation.domain.goodwill import deduction, remaining, shares_of
from order_cancellation.domain.lines import refunded_shipping, resolve_quantities
from order_cancellation.domain.money import Money
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunding import refund_order
from order_cancellation.domain.refunds import RefundKind
from order_cancellation.domain.states import Command, OrderState
from order_cancellation.domain.status import default_label
from order_cancellation.domain.values import check_aware, check_identifier, check_reason

if TYPE_CHECKING:
    from order_cancellation.domain.order import Order


def cancel_unshipped(
    order: Order,
    quantities: Mapping[str, int] | None,
    *,
    refund_order_id: str,
    reason: str | None,
    restock: bool,
    at: datetime,
    refund_shipping: bool | Money,
) -> Decision:
    """The decision of ``Order.cancel_unfulfilled`` (see there)."""
    order.check_command(Command.CANCEL_UNFULFILLED)
    check_identifier(refund_order_id, "the refund order id")
    check_reason(reason)
    check_aware(at, "the time of the cancellation")
    if quantities is None:
        wanted = {line.id: line.unfulfilled for line in order.lines if line.unfulfilled}
        if not wanted:
            raise NothingLeftToShip(
                f"every unit of order {order.id!r} has shipped or was canceled already; "
                "create a return for shipped units instead."
            )
    else:
        wanted = resolve_quantities(order.id, order.lines, quantities, "cancel")
    for line_id, quantity in wanted.items():
        line = order.line(line_id)
        if quantity > line.unfulfilled:
            raise NothingLeftToShip(
                f"line {line_id!r} ({line.sku}) has {line.unfulfilled} unit(s) not shipped, "
                f"so {quantity} cannot be canceled; cancel at most that many, and create "
                "a return for units that shipped."
            )
    portions = tuple(
        (line := order.line(line_id)).portion(
            line.quantity - line.canceled - quantity,
            quantity,
            prices_include_tax=order.prices_include_tax,
        )
        for line_id, quantity in wanted.items()
    )
    shipping = shipping_to_refund(
        order.id, order.shipping, refund_shipping, currency=order.currency
    )
    lines = tuple(
        replace(line, canceled=line.canceled + wanted.get(line.id, 0)) for line in order.lines
    )
    gives = amount_of(portions, shipping, order.currency)
    deducted = deduction(order, gives)
    # What this cancel gives back, net of what goodwill refunds gave before.
    canceled = (
        order.canceled_amount
        + gives
        - sum((part.amount for part in deducted), Money.zero(order.currency))
    )
    worth = order.total - canceled - order.adjusted_amount
    tenders, refund = refund_order(
        order,
        RefundKind.CANCELLATION,
        refund_order_id,
        reason=reason,
        at=at,
        restock=restock,
        lines=portions,
        shipping=shipping,
        deductions=deducted,
        order_worth=worth,
        order_keeps=worth - order.returned_amount,
    )
    state = OrderState.RETURNED if all(line.settled for line in lines) else OrderState.FULFILLED
    order = order.next_version(
        lines=lines,
        state=state,
        status=default_label(state),
        shipping=refunded_shipping(order.shipping, shipping),
        canceled_amount=canceled,
        adjustments_left=remaining(order.adjustments_left, deducted),
        tenders=tenders,
    )
    event = UnshippedUnitsCanceled(
        shop=order.shop,
        order_id=order.id,
        occurred_at=at,
        refund_order_id=refund_order_id,
        lines=portions,
        shipping=shipping,
        amount=refund.amount,
        reason=reason,
        restock=restock,
        order_state=state,
        payment=order.payment,
        order_worth=worth,
        order_keeps=worth - order.returned_amount,
        tenders=shares_of(refund),
    )
    events: list[DomainEvent] = [event]
    if state is OrderState.RETURNED:
        events.append(OrderReturned(shop=order.shop, order_id=order.id, occurred_at=at))
    return Decision(order=order, events=tuple(events), refund_order=refund)
