"""Domain events: facts, named in the past tense, carrying what consumers need.

Every event names its shop and order, so a consumer never has to query back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final
from uuid import uuid4

import attrs

from order_cancellation.domain.charges import ShippingPortion
from order_cancellation.domain.fees import FeePortion
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus, RefundKind
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import LineQuantity, PaymentRef, ReasonCode, TenderShare


def new_event_id() -> str:
    """A fresh, unique event id: ``evt_`` and 32 hex digits (no full stop, as Standard
    Webhooks asks of message ids)."""
    return f"evt_{uuid4().hex}"


@attrs.frozen(kw_only=True)
class DomainEvent:
    """A fact about one order of one shop.

    ``event_id`` is unique and is stored with the event, so every delivery of it (a retry,
    a redelivery after a crash) carries the same id: consumers de-duplicate on it. Two
    events are equal when they say the same thing; the id is not compared.
    """

    shop: str
    order_id: str
    occurred_at: datetime
    event_id: str = attrs.field(factory=new_event_id, eq=False)


@attrs.frozen(kw_only=True)
class OrderPlaced(DomainEvent):
    lines: tuple[LineQuantity, ...]
    total: Money
    payment: PaymentRef | None
    shipping: tuple[ShippingPortion, ...] = ()
    payments: tuple[PaymentRef, ...] = ()  # when paid with several; ``payment`` is the first


@attrs.frozen(kw_only=True)
class OrderFulfilled(DomainEvent):
    lines: tuple[LineQuantity, ...]
    amount: Money
    completely: bool  # every unit of the order has now shipped
    capture: bool  # the payment is set to capture automatically on fulfillment
    shipping: tuple[ShippingPortion, ...] = ()  # charged with the first shipment
    captures: tuple[TenderShare, ...] = ()  # when paid with several: what each is charged


@attrs.frozen(kw_only=True)
class PaymentCaptured(DomainEvent):
    amount: Money
    provider: str
    reference: str


@attrs.frozen(kw_only=True)
class RefundEvent(DomainEvent):
    """An event about one refund order."""

    refund_order_id: str


@attrs.frozen(kw_only=True)
class OrderCanceled(RefundEvent):
    status: str
    reason: str | None
    reason_code: ReasonCode | None
    actor: str | None
    lines: tuple[LineQuantity, ...]
    amount: Money
    restock: bool
    payment: PaymentRef | None
    shipping: tuple[ShippingPortion, ...] = ()
    tenders: tuple[TenderShare, ...] = ()  # when paid with several: what each gives back


@attrs.frozen(kw_only=True)
class ReturnCreated(RefundEvent):
    lines: tuple[LineQuantity, ...]
    amount: Money
    reason: str | None
    restock: bool
    order_state: OrderState
    payment: PaymentRef | None
    shipping: tuple[ShippingPortion, ...] = ()
    fees: tuple[FeePortion, ...] = ()  # kept back: what ``amount`` is net of
    deductions: tuple[FeePortion, ...] = ()  # given back earlier by goodwill refunds
    tenders: tuple[TenderShare, ...] = ()  # when paid with several: what each gives back


@attrs.frozen(kw_only=True)
class UnshippedUnitsCanceled(RefundEvent):
    """Units of a partly shipped order that had not shipped were canceled.

    ``order_worth`` is what the order is still worth after it (its total less every
    cancellation): the payment keeps an authorization for that and no more. ``order_keeps``
    is that less what returns gave back: the most the merchant may hold."""

    lines: tuple[LineQuantity, ...]
    shipping: tuple[ShippingPortion, ...]
    amount: Money
    reason: str | None
    restock: bool
    order_state: OrderState
    payment: PaymentRef | None
    order_worth: Money
    order_keeps: Money
    tenders: tuple[TenderShare, ...] = ()  # when paid with several: what each gives back


@attrs.frozen(kw_only=True)
class RefundGranted(RefundEvent):
    """A refund of an amount of money (goodwill, a price adjustment), split over the order's
    tax rates in ``parts``; no stock moves."""

    amount: Money
    parts: tuple[FeePortion, ...]
    reason: str | None
    payment: PaymentRef | None
    order_worth: Money
    order_keeps: Money
    restock: bool = False
    tenders: tuple[TenderShare, ...] = ()  # when paid with several: what each gives back


@attrs.frozen(kw_only=True)
class OrderReturned(DomainEvent):
    """Every unit of the order has been returned."""


@attrs.frozen(kw_only=True)
class StockRestored(RefundEvent):
    kind: RefundKind
    lines: tuple[LineQuantity, ...]


@attrs.frozen(kw_only=True)
class PaymentSettled(RefundEvent):
    """The provider confirmed a settlement; the subclass says which kind."""

    status: PaymentStatus
    refunded: Money
    released: Money
    reference: str | None = None  # the payment, when the order was paid with several


@attrs.frozen(kw_only=True)
class PaymentVoided(PaymentSettled):
    """Nothing had been captured: the authorization was canceled."""


@attrs.frozen(kw_only=True)
class PaymentRefunded(PaymentSettled):
    """Captured money went back, and any remaining authorization was released."""


@attrs.frozen(kw_only=True)
class AuthorizationReduced(PaymentSettled):
    """Part of the authorization was released: the units canceled will not be charged."""


@attrs.frozen(kw_only=True)
class AuthorizationLapsed(PaymentSettled):
    """The authorization had expired: nothing was left to release."""


@attrs.frozen(kw_only=True)
class ManualRefundRequired(RefundEvent):
    amount: Money
    provider: str | None
    detail: str | None
    reference: str | None = None  # the payment, when the order was paid with several


@attrs.frozen(kw_only=True)
class ManualRefundCompleted(RefundEvent):
    amount: Money
    note: str | None


@attrs.frozen(kw_only=True)
class EffectFailed(DomainEvent):
    """An attempt at an effect failed: it is retried at its next attempt time, or, when
    ``dead_lettered``, waits for a person (``Sales.retry_effect(message_id)``).

    Any effect may fail, so the refund order is named only for restock and settlement (and
    for publishing an event about a refund order); a capture or another event's publication
    has none.
    """

    refund_order_id: str | None = None
    effect: str
    attempt: int
    error: str
    dead_lettered: bool
    message_id: str | None = None  # the outbox message to retry; None in events of earlier releases


REFUNDING_EVENTS: Final = (OrderCanceled, ReturnCreated, UnshippedUnitsCanceled, RefundGranted)
"""The events that create a refund order: each restocks (when asked) and settles money."""
