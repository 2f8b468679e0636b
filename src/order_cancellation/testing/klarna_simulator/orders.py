"""A Klarna order and the rules of Order Management v1 that decide what it allows.

The rules follow Klarna's documentation: cancel only while nothing is captured; release
the rest only when partly captured; refund at most what was captured; capture at most what
is still authorized and only before the authorization expires; extend only before expiry,
counted from the day of the extension and at most 180 days after the purchase.
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Final

import attrs

MAX_AMOUNT: Final = 200_000_000
MAX_AUTHORIZATION: Final = timedelta(days=180)

AUTHORIZED: Final = "AUTHORIZED"
PART_CAPTURED: Final = "PART_CAPTURED"
CAPTURED: Final = "CAPTURED"
CANCELLED: Final = "CANCELLED"
EXPIRED: Final = "EXPIRED"
CLOSED: Final = "CLOSED"


class Operation(enum.Enum):
    """A change Klarna made to an order."""

    CAPTURE = "capture"
    REFUND = "refund"
    CANCEL = "cancel"
    RELEASE = "release"
    EXTEND = "extend"
    UPDATE_AUTHORIZATION = "update_authorization"


class Refusal(Exception):
    """Klarna's answer to an operation the order's state does not allow."""

    def __init__(self, status: int, error_code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@attrs.define(kw_only=True)
class Movement:
    """A capture or a refund."""

    id: str
    amount: int
    at: datetime
    reference: str | None
    description: str | None
    order_lines: list[object]


@attrs.define(kw_only=True)
class SimOrder:
    order_id: str
    klarna_reference: str
    currency: str
    order_amount: int
    original_order_amount: int
    created_at: datetime
    expires_at: datetime
    order_lines: list[object]
    status: str = AUTHORIZED
    remaining: int = 0
    captures: list[Movement] = attrs.Factory(list)
    refunds: list[Movement] = attrs.Factory(list)

    @property
    def captured(self) -> int:
        return sum(c.amount for c in self.captures)

    @property
    def refunded(self) -> int:
        return sum(r.amount for r in self.refunds)

    def refresh(self, now: datetime) -> None:
        """Let the authorization lapse once its time is up: nothing is left to capture."""
        if self.status in (AUTHORIZED, PART_CAPTURED) and now >= self.expires_at:
            self.status = EXPIRED
            self.remaining = 0

    def capture(self, amount: int, now: datetime, **details: object) -> Movement:
        if self.status in (CANCELLED, EXPIRED, CLOSED):
            state = {CANCELLED: "cancelled", EXPIRED: "expired", CLOSED: "closed"}[self.status]
            raise Refusal(
                403,
                "CAPTURE_NOT_ALLOWED",
                f"Order {self.order_id} is {state}. Capture not possible.",
            )
        if amount > MAX_AMOUNT:
            raise Refusal(400, "BAD_VALUE", f"captured_amount must be at most {MAX_AMOUNT}.")
        if amount <= 0 or amount > self.remaining:
            raise Refusal(
                403,
                "CAPTURE_NOT_ALLOWED",
                "Captured amount is higher than the remaining authorized amount.",
            )
        capture = _movement(amount, now, details)
        self.captures.append(capture)
        self.remaining -= amount
        self.status = CAPTURED if self.remaining == 0 else PART_CAPTURED
        return capture

    def refund(self, amount: int, now: datetime, **details: object) -> Movement:
        if not self.captures:
            raise Refusal(403, "REFUND_NOT_ALLOWED", "Order has no captures. Refund not possible.")
        if amount <= 0 or self.refunded + amount > self.captured:
            raise Refusal(
                403, "REFUND_NOT_ALLOWED", "Over refund is not allowed. Refund not possible."
            )
        refund = _movement(amount, now, details)
        self.refunds.append(refund)
        return refund

    def cancel(self) -> int:
        if self.captures:
            raise Refusal(
                403, "CANCEL_NOT_ALLOWED", "Order has previous captures. Cancel not possible."
            )
        if self.status != AUTHORIZED:
            raise Refusal(
                403,
                "CANCEL_NOT_ALLOWED",
                f"Order is {self.status.lower()}. Cancel not possible.",
            )
        released, self.remaining, self.status = self.remaining, 0, CANCELLED
        return released

    def release(self) -> int:
        if self.status in (CANCELLED, EXPIRED, CLOSED) or not self.captures:
            raise Refusal(
                403, "NOT_ALLOWED", "Can not release when order is cancelled or has no captures."
            )
        if self.remaining == 0:
            raise Refusal(
                403,
                "NOT_ALLOWED",
                "Order is fully captured. Remaining authorization cannot be released.",
            )
        released, self.remaining = self.remaining, 0
        self.order_amount = self.captured
        self.status = CAPTURED
        return released

    def update_authorization(self, amount: int) -> int:
        """Set the authorized total to ``amount``; returns how much was given up. Klarna
        refuses to raise it above what is authorized (that would need a new risk check,
        which the simulator does not run) or to lower it below what was captured."""
        if self.status not in (AUTHORIZED, PART_CAPTURED):
            raise Refusal(
                403, "NOT_ALLOWED", f"Order is {self.status.lower()}. Update not possible."
            )
        authorized = self.captured + self.remaining
        if amount > authorized:
            raise Refusal(
                403, "NOT_ALLOWED", "The order amount cannot be raised above what is authorized."
            )
        if amount < self.captured:
            raise Refusal(
                403, "NOT_ALLOWED", "The order amount cannot be lower than the captured amount."
            )
        given_up = authorized - amount
        self.order_amount = amount
        self.remaining = amount - self.captured
        if self.captures:
            self.status = CAPTURED if self.remaining == 0 else PART_CAPTURED
        return given_up

    def extend(self, now: datetime, authorization_days: int) -> datetime:
        if self.status in (EXPIRED, CANCELLED, CLOSED):
            raise Refusal(
                403,
                "NOT_ALLOWED",
                f"Order is {self.status.lower()}. Authorization time cannot be extended.",
            )
        # Klarna counts whole days from the day of the extension, so same-day repeats agree.
        day = datetime.combine(now.astimezone(UTC).date(), time(), tzinfo=UTC)
        extended = day + timedelta(days=authorization_days + 1)
        self.expires_at = max(self.expires_at, min(extended, self.created_at + MAX_AUTHORIZATION))
        return self.expires_at

    def to_json(self) -> dict[str, object]:
        return {
            "order_id": self.order_id,
            "status": self.status,
            "fraud_status": "ACCEPTED",
            "klarna_reference": self.klarna_reference,
            "purchase_currency": self.currency,
            "order_amount": self.order_amount,
            "original_order_amount": self.original_order_amount,
            "captured_amount": self.captured,
            "refunded_amount": self.refunded,
            "remaining_authorized_amount": self.remaining,
            "created_at": timestamp(self.created_at),
            "expires_at": timestamp(self.expires_at),
            "order_lines": self.order_lines,
            "captures": [self.capture_json(c) for c in self.captures],
            "refunds": [refund_json(r) for r in self.refunds],
        }

    def capture_json(self, capture: Movement) -> dict[str, object]:
        # Klarna reports refunds per capture; refunds are charged to captures in order.
        earlier = sum(c.amount for c in self.captures[: self.captures.index(capture)])
        refunded_here = min(capture.amount, max(0, self.refunded - earlier))
        number = self.captures.index(capture) + 1
        return _drop_none(
            {
                "capture_id": capture.id,
                "klarna_reference": f"{self.klarna_reference}-{number}",
                "captured_amount": capture.amount,
                "captured_at": timestamp(capture.at),
                "description": capture.description,
                "reference": capture.reference,
                "order_lines": capture.order_lines,
                "refunded_amount": refunded_here,
            }
        )


def refund_json(refund: Movement) -> dict[str, object]:
    return _drop_none(
        {
            "refund_id": refund.id,
            "refunded_amount": refund.amount,
            "refunded_at": timestamp(refund.at),
            "description": refund.description,
            "reference": refund.reference,
            "order_lines": refund.order_lines,
        }
    )


def _movement(amount: int, now: datetime, details: dict[str, object]) -> Movement:
    reference = details.get("reference")
    description = details.get("description")
    lines = details.get("order_lines")
    return Movement(
        id=str(uuid.uuid4()),
        amount=amount,
        at=now,
        reference=reference if isinstance(reference, str) else None,
        description=description if isinstance(description, str) else None,
        order_lines=list(lines) if isinstance(lines, list) else [],
    )


def _drop_none(data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if value is not None}
