"""The typed error for each refusal of the state table, with a message that says what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from order_cancellation.domain.errors import (
    CommandRejected,
    NothingShipped,
    NothingToReturn,
    OrderAlreadyCanceled,
    OrderAlreadyReturned,
    OrderFulfilledError,
)
from order_cancellation.domain.states import Command, Rejection

if TYPE_CHECKING:
    from order_cancellation.domain.order import Order


def rejection_error(rejection: Rejection, order: Order, command: Command) -> CommandRejected:
    if rejection is Rejection.FULFILLED_CANNOT_BE_CANCELED:
        rest = (
            " To cancel the units that have not shipped, use cancel_unfulfilled(order_id)."
            if any(line.unfulfilled for line in order.lines)
            else ""
        )
        return OrderFulfilledError(
            f"order {order.id!r} is fulfilled (units have shipped), so it cannot be canceled; "
            "create a return for the fulfilled units instead: create_return(order_id, {...})."
            + rest
        )
    if rejection is Rejection.ALREADY_CANCELED:
        return OrderAlreadyCanceled(
            f"order {order.id!r} was canceled already, so it cannot {command.value}; "
            "its refund order is "
            f"{order.cancellation.refund_order_id if order.cancellation else 'unknown'}."
        )
    if rejection is Rejection.ALREADY_RETURNED:
        return OrderAlreadyReturned(
            f"every unit of order {order.id!r} was returned already, so it cannot "
            f"{command.value}; see its refund orders."
        )
    if rejection is Rejection.NOTHING_SHIPPED_CANCEL_ORDER:
        return NothingShipped(
            f"nothing of order {order.id!r} has shipped, so there is no shipped part to keep; "
            "cancel the whole order instead: cancel_order(order_id)."
        )
    return NothingToReturn(
        f"order {order.id!r} has nothing fulfilled yet, so there is nothing to return; "
        "cancel it instead: cancel_order(order_id)."
    )
