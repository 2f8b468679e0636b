"""An in-memory payment provider: authorize, capture, void, refund, release and expiry.

It settles refund orders by the same domain rules as the Klarna adapter, so every rule of
money back runs without Klarna. Each operation carries an idempotency key; a key seen
before returns the first outcome and changes nothing, as a real provider does.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from order_cancellation.domain.errors import (
    InvalidInput,
    PaymentRejected,
    PaymentTemporarilyUnavailable,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.payment import (
    AuthorizationStatus,
    PaymentView,
    StepKind,
    plan_settlement,
)
from order_cancellation.domain.refunds import SettlementResult
from order_cancellation.domain.values import DEFAULT_AUTHORIZATION_TTL
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest


class Operation(enum.Enum):
    CAPTURE = "capture"
    CANCEL_AUTHORIZATION = "cancel_authorization"
    REFUND = "refund"
    RELEASE_REMAINING = "release_remaining"
    REDUCE_AUTHORIZATION = "reduce_authorization"


@attrs.frozen(kw_only=True)
class ProviderOperation:
    """One operation the provider carried out (replays are not recorded twice)."""

    operation: Operation
    reference: str
    amount: Money
    key: str
    tag: str | None
    at: datetime


@attrs.define
class _Authorization:
    reference: str
    authorized: Money
    expires_at: datetime
    captured: Money
    refunded: Money
    canceled: bool = False
    released: bool = False


class InMemoryPaymentProvider:
    """A card-like provider held in memory. Thread-safe.

    ``fail_next(n)`` makes the next ``n`` calls fail with a transient error, and
    ``lose_next_response(n)`` makes them succeed but report a timeout, so tests can
    prove that retries never pay twice.
    """

    def __init__(self, *, authorization_ttl: timedelta = DEFAULT_AUTHORIZATION_TTL) -> None:
        self._ttl = authorization_ttl
        self._lock = threading.RLock()
        self._payments: dict[str, _Authorization] = {}
        self._seen_keys: dict[str, object] = {}
        self.operations: list[ProviderOperation] = []
        self._refunded_by_tag: dict[tuple[str, str], Money] = {}
        self._failures = 0
        self._lost_responses = 0

    # -- the provider's own API ---------------------------------------------------------------

    def authorize(self, reference: str, amount: Money, *, at: datetime) -> None:
        with self._lock:
            if reference in self._payments:
                raise InvalidInput(f"payment {reference!r} is authorized already.")
            if amount.minor <= 0:
                raise InvalidInput("an authorization is for an amount above zero.")
            self._payments[reference] = _Authorization(
                reference=reference,
                authorized=amount,
                expires_at=at + self._ttl,
                captured=Money.zero(amount.currency),
                refunded=Money.zero(amount.currency),
            )

    def capture_payment(self, reference: str, amount: Money, *, at: datetime) -> None:
        """Capture outside any order flow, as a merchant does in the provider's own portal."""
        with self._lock:
            self._capture(reference, amount, f"portal-capture-{len(self.operations)}", at)

    def view(self, reference: str, *, now: datetime) -> PaymentView:
        with self._lock:
            payment = self._payment(reference)
            return PaymentView(
                status=self._status(payment, now),
                authorized=payment.captured if payment.released else payment.authorized,
                captured=payment.captured,
                refunded=payment.refunded,
                expires_at=payment.expires_at,
                released=self._released(payment),
            )

    def refunded_for(self, reference: str, tag: str) -> Money | None:
        with self._lock:
            return self._refunded_by_tag.get((reference, tag))

    def fail_next(self, count: int = 1) -> None:
        with self._lock:
            self._failures += count

    def lose_next_response(self, count: int = 1) -> None:
        with self._lock:
            self._lost_responses += count

    def count(self, operation: Operation, reference: str | None = None) -> int:
        with self._lock:
            return sum(
                1
                for op in self.operations
                if op.operation is operation and reference in (None, op.reference)
            )

    # -- the gateway port ---------------------------------------------------------------------

    def settle(self, request: SettlementRequest) -> SettlementResult:
        reference = request.payment.reference
        view = self.view(reference, now=request.now)
        already_refunded = self.refunded_for(reference, request.refund_order_id)
        plan = plan_settlement(
            kind=request.kind,
            amount=request.amount,
            view=view,
            now=request.now,
            already_refunded=already_refunded,
            order_worth=request.order_worth,
            order_keeps=request.order_keeps,
        )
        for step in plan.steps:
            key = f"{request.idempotency_key}:{step.kind.value}"
            if step.kind is StepKind.REFUND:
                # After a refund went through in part (say, before a capture arrived), a retry
                # asks for the rest: a new intent, so a new key, derived from what is done.
                key += f":{already_refunded.minor if already_refunded else 0}"
            if step.kind is StepKind.CANCEL_AUTHORIZATION:
                self._call(key, self._cancel, reference, key, request.now)
            elif step.kind is StepKind.REFUND:
                self._call(
                    key,
                    self._refund,
                    reference,
                    step.amount,
                    key,
                    request.refund_order_id,
                    request.now,
                )
            elif step.kind is StepKind.REDUCE_AUTHORIZATION:
                self._call(key, self._reduce, reference, step.amount, key, request.now)
            else:
                self._call(key, self._release, reference, key, request.now)
        return plan.result

    def capture(self, request: CaptureRequest) -> Money:
        reference = request.payment.reference
        key = request.idempotency_key
        self._call(key, self._capture, reference, request.amount, key, request.now)
        return request.amount

    # -- operations -----------------------------------------------------------------------------

    def _call(self, key: str, operation: Callable[..., None], *args: object) -> None:
        with self._lock:
            if self._failures:
                self._failures -= 1
                raise PaymentTemporarilyUnavailable("the payment provider timed out; try again.")
            if key not in self._seen_keys:
                operation(*args)
                self._seen_keys[key] = True
            if self._lost_responses:
                self._lost_responses -= 1
                raise PaymentTemporarilyUnavailable(
                    "the payment provider's response was lost; try again with the same key."
                )

    def _payment(self, reference: str) -> _Authorization:
        try:
            return self._payments[reference]
        except KeyError:
            raise PaymentRejected(
                f"the provider has no payment {reference!r}; check the order's PaymentRef."
            ) from None

    def _released(self, payment: _Authorization) -> Money:
        if payment.canceled:
            return payment.authorized
        if payment.released:
            return payment.authorized - payment.captured
        return Money.zero(payment.authorized.currency)

    def _status(self, payment: _Authorization, now: datetime) -> AuthorizationStatus:
        if payment.canceled:
            return AuthorizationStatus.CANCELLED
        if payment.released or payment.captured == payment.authorized:
            return AuthorizationStatus.CAPTURED
        if now >= payment.expires_at:
            return AuthorizationStatus.EXPIRED
        if payment.captured.is_zero():
            return AuthorizationStatus.AUTHORIZED
        return AuthorizationStatus.PART_CAPTURED

    def _log(self, op: Operation, ref: str, amount: Money, key: str, at: datetime) -> None:
        self.operations.append(
            ProviderOperation(operation=op, reference=ref, amount=amount, key=key, tag=None, at=at)
        )

    def _capture(self, reference: str, amount: Money, key: str, now: datetime) -> None:
        payment = self._payment(reference)
        status = self._status(payment, now)
        if status in (AuthorizationStatus.CANCELLED, AuthorizationStatus.EXPIRED):
            raise PaymentRejected(f"payment {reference!r} is {status.value}; capture not possible.")
        if payment.captured + amount > payment.authorized:
            raise PaymentRejected(
                f"capturing {amount} would exceed the authorization of payment {reference!r}."
            )
        payment.captured += amount
        self._log(Operation.CAPTURE, reference, amount, key, now)

    def _cancel(self, reference: str, key: str, now: datetime) -> None:
        payment = self._payment(reference)
        if payment.captured.minor:
            raise PaymentRejected(f"payment {reference!r} has captures; cancel not possible.")
        payment.canceled = True
        self._log(Operation.CANCEL_AUTHORIZATION, reference, payment.authorized, key, now)

    def _refund(self, reference: str, amount: Money, key: str, tag: str, now: datetime) -> None:
        payment = self._payment(reference)
        if payment.refunded + amount > payment.captured:
            raise PaymentRejected(
                f"refunding {amount} would exceed what payment {reference!r} captured."
            )
        payment.refunded += amount
        done = self._refunded_by_tag.get((reference, tag))
        self._refunded_by_tag[reference, tag] = amount if done is None else done + amount
        self.operations.append(
            ProviderOperation(
                operation=Operation.REFUND,
                reference=reference,
                amount=amount,
                key=key,
                tag=tag,
                at=now,
            )
        )

    def _reduce(self, reference: str, amount: Money, key: str, now: datetime) -> None:
        payment = self._payment(reference)
        if payment.canceled or payment.released:
            raise PaymentRejected(f"payment {reference!r} is closed; nothing to reduce.")
        if payment.authorized - amount < payment.captured:
            raise PaymentRejected(
                f"reducing payment {reference!r} by {amount} would leave less authorized than "
                "was captured."
            )
        payment.authorized -= amount
        self._log(Operation.REDUCE_AUTHORIZATION, reference, amount, key, now)

    def _release(self, reference: str, key: str, now: datetime) -> None:
        payment = self._payment(reference)
        remaining = payment.authorized - payment.captured
        if payment.canceled or payment.captured.is_zero() or remaining.minor <= 0:
            raise PaymentRejected(f"payment {reference!r} has nothing to release.")
        payment.released = True
        self._log(Operation.RELEASE_REMAINING, reference, remaining, key, now)
