"""The payment gateway port: settle a refund order, capture a fulfilled order."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

import attrs

from order_cancellation.domain.charges import ShippingPortion
from order_cancellation.domain.fees import FeePortion
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import RefundKind, SettlementResult
from order_cancellation.domain.values import LineQuantity, PaymentRef


@attrs.frozen(kw_only=True)
class SettlementRequest:
    """Give back the money of one refund order.

    ``idempotency_key`` is the same on every attempt for this refund order and differs
    between refund orders; a gateway derives the keys of its calls from it.
    ``first_attempt_at`` lets a gateway see that a provider's key may have lapsed.
    ``lines`` and ``shipping`` say what the amount is made of (their amounts, less the
    ``fees`` kept back, add up to it; a gateway shows them only when they do).
    """

    shop: str
    order_id: str
    refund_order_id: str
    kind: RefundKind
    amount: Money
    lines: tuple[LineQuantity, ...]
    payment: PaymentRef
    idempotency_key: str
    attempt: int
    first_attempt_at: datetime
    now: datetime
    shipping: tuple[ShippingPortion, ...] = ()
    order_worth: Money | None = None
    """Set when unshipped units of a partly shipped order were canceled: what the order is
    still worth, which the authorization must keep (see ``plan_settlement``)."""
    order_keeps: Money | None = None
    """... and that less what returns gave back: the most the merchant may hold."""
    fees: tuple[FeePortion, ...] = ()
    """Fees kept back from a return (a restocking fee): ``amount`` is what ``lines`` and
    ``shipping`` add up to, less these."""


@attrs.frozen(kw_only=True)
class CaptureRequest:
    """Take payment for shipped units (and, with the first shipment, the shipping fees):
    ``lines`` and ``shipping`` add up to ``amount``."""

    shop: str
    order_id: str
    amount: Money
    lines: tuple[LineQuantity, ...]
    payment: PaymentRef
    idempotency_key: str
    now: datetime
    shipping: tuple[ShippingPortion, ...] = ()


class PaymentGateway(Protocol):
    """A payment service. Raise :class:`PaymentTemporarilyUnavailable` when a retry with
    the same request may succeed, :class:`PaymentRejected` when it never will."""

    def settle(self, request: SettlementRequest) -> SettlementResult:
        """Give the money back, or record that it must go back by hand.

        Called again after a failure with the same key; must then not pay twice.
        """
        ...

    def capture(self, request: CaptureRequest) -> Money:
        """Take payment for fulfilled units; returns what was captured."""
        ...
