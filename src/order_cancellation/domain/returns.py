"""Returns: fulfilled units taken back, their money owed back less the fees kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from order_cancellation.domain.charges import amount_of, shipping_to_refund
from order_cancellation.domain.decisions import Decision
from order_cancellation.domain.errors import NothingToReturn
from order_cancellation.domain.events import DomainEvent, OrderReturned, ReturnCreated
from order_cancellation.domain.fees import ReturnFee, fees_kept
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


def take_back(
    order: Order,
    quantities: Mapping[str, int],
    *,
    refund_order_id: str,
    restock: bool,
    reason: str | None,
    at: datetime,
    refund_shipping: bool | Money = False,
    fees: Sequence[ReturnFee] = (),
) -> Decision:
    """The decision of ``Order.create_return`` (see there)."""
    order.check_command(Command.RETURN)
    check_identifier(refund_order_id, "the refund order id")
    check_reason(reason)
    check_aware(at, "the time of the return")
    wanted = resolve_quantities(order.id, order.lines, quantities, "return")
    for line_id, quantity in wanted.items():
        line = order.line(line_id)
        if quantity > line.returnable:
            raise NothingToReturn(
                f"line {line_id!r} ({line.sku}) has {line.returnable} fulfilled unit(s) not "
                f"yet returned, so {quantity} cannot be returned; return at most that many."
            )
    lines = tuple(
        replace(line, returned=line.returned + wanted.get(line.id, 0)) for line in order.lines
    )
    shipping = shipping_to_refund(
        order.id, order.shipping, refund_shipping, currency=order.currency
    )
    everything_back = all(line.settled for line in lines)
    state = OrderState.RETURNED if everything_back else OrderState.FULFILLED
    portions = order.portions(wanted, start="returned")
    kept = fees_kept(fees, portions, shipping, currency=order.currency)
    gives = amount_of(portions, shipping, order.currency) - sum(
        (fee.amount for fee in kept), Money.zero(order.currency)
    )
    deducted = deduction(order, gives)
    tenders, refund = refund_order(
        order,
        RefundKind.RETURN,
        refund_order_id,
        reason=reason,
        at=at,
        restock=restock,
        lines=portions,
        shipping=shipping,
        fees=kept,
        deductions=deducted,
    )
    after = order.next_version(
        lines=lines,
        state=state,
        status=default_label(state),
        shipping=refunded_shipping(order.shipping, shipping),
        returned_amount=order.returned_amount + refund.amount,
        adjustments_left=remaining(order.adjustments_left, deducted),
        tenders=tenders,
    )
    events: list[DomainEvent] = [
        ReturnCreated(
            shop=order.shop,
            order_id=order.id,
            occurred_at=at,
            refund_order_id=refund_order_id,
            lines=portions,
            shipping=shipping,
            fees=kept,
            deductions=deducted,
            amount=refund.amount,
            reason=reason,
            restock=restock,
            order_state=state,
            payment=order.payment,
            tenders=shares_of(refund),
        )
    ]
    if everything_back:
        events.append(OrderReturned(shop=order.shop, order_id=order.id, occurred_at=at))
    return Decision(order=after, events=tuple(events), refund_order=refund)
