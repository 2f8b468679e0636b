"""A refund order of an order, and its money spread over the order's payments."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from order_cancellation.domain.charges import ShippingPortion
from order_cancellation.domain.fees import FeePortion
from order_cancellation.domain.money import Money
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import RefundKind, RefundOrder
from order_cancellation.domain.tenders import Tender, give_back
from order_cancellation.domain.values import LineQuantity, ReasonCode

if TYPE_CHECKING:
    from order_cancellation.domain.order import Order


def refund_order(
    order: Order,
    kind: RefundKind,
    refund_order_id: str,
    *,
    reason: str | None,
    at: datetime,
    restock: bool,
    reason_code: ReasonCode | None = None,
    lines: tuple[LineQuantity, ...] = (),
    shipping: tuple[ShippingPortion, ...] = (),
    fees: tuple[FeePortion, ...] = (),
    deductions: tuple[FeePortion, ...] = (),
    adjustment: tuple[FeePortion, ...] = (),
    order_worth: Money | None = None,
    order_keeps: Money | None = None,
    tender: str | None = None,
) -> tuple[tuple[Tender, ...], RefundOrder]:
    """A refund order of ``order``, and the order's payments once its money is spread
    over them (all back through the payment ``tender`` names, when given)."""
    refund = RefundOrder.create(
        refund_order_id=refund_order_id,
        shop=order.shop,
        order_id=order.id,
        kind=kind,
        lines=lines,
        shipping=shipping,
        fees=fees,
        deductions=deductions,
        adjustment=adjustment,
        order_worth=order_worth,
        order_keeps=order_keeps,
        prices_include_tax=order.prices_include_tax,
        reason=reason,
        reason_code=reason_code,
        created_at=at,
        restock=restock,
        currency=order.currency,
    )
    return spread(order, refund, tender)


def spread(
    order: Order, refund: RefundOrder, only: str | None = None
) -> tuple[tuple[Tender, ...], RefundOrder]:
    """The order's payments once ``refund`` gave its money back through them, and the
    refund order with each payment's part when there are several (one payment: the
    refund order's own fields tell its story)."""
    if not order.tenders:
        if only is not None:
            give_back((), refund.amount, kind=refund.kind, policy=order.tender_policy, only=only)
        return order.tenders, refund
    if refund.amount.minor <= 0:
        return order.tenders, refund
    several = len(order.tenders) > 1
    tenders, parts = give_back(
        order.tenders,
        refund.amount,
        kind=refund.kind,
        policy=order.tender_policy,
        only=only,
        strict=several or only is not None,
    )
    return tenders, replace(refund, tenders=parts) if several else refund
