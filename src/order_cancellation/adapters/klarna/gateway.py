"""The payment gateway port over Klarna's Order Management API.

Every settlement starts by reading Klarna's order: the domain's ``plan_settlement``
decides from that view what to call, and this module only carries the plan out. Each call
carries an idempotency key derived from the refund order's key and the step, so a retry
replays instead of paying twice; the refund's ``reference`` (the refund order id) lets a
later attempt see what an earlier one did even after Klarna has forgotten the key.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Final
from urllib.parse import quote

import attrs
import httpx

from order_cancellation.adapters.klarna.client import KlarnaClient, Reply
from order_cancellation.adapters.klarna.config import KlarnaConfig
from order_cancellation.adapters.klarna.errors import (
    KlarnaAnswerContradictory,
    KlarnaCaptureRefused,
    KlarnaExtensionRefused,
    KlarnaOrderMismatch,
    KlarnaOrderNotFound,
    KlarnaRequestRejected,
    KlarnaStateConflict,
)
from order_cancellation.adapters.klarna.wire import MAX_TEXT, KlarnaOrder, money_body, parse_order
from order_cancellation.domain.money import Money
from order_cancellation.domain.payment import (
    AuthorizationStatus,
    PaymentView,
    Step,
    StepKind,
    plan_settlement,
)
from order_cancellation.domain.refunds import RefundKind, SettlementResult
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest

logger = logging.getLogger("order_cancellation.adapters.klarna")

KEY_NAMESPACE: Final = uuid.uuid5(uuid.NAMESPACE_DNS, "klarna.order-cancellation")
_STATE_ERRORS: Final = frozenset({"CANCEL_NOT_ALLOWED", "NOT_ALLOWED", "REFUND_NOT_ALLOWED"})
_CAPTURE_INTENT: Final = "capture"
_EXTEND_INTENT: Final = "extend_authorization"
_PATHS: Final = {
    StepKind.CANCEL_AUTHORIZATION: "/cancel",
    StepKind.REFUND: "/refunds",
    StepKind.RELEASE_REMAINING: "/release-remaining-authorization",
}


def _intent(step: Step, already_refunded: Money) -> str:
    # Klarna ignores the body of a repeated key, so a refund of the rest (after an earlier
    # part went through) must not reuse the key of the first part.
    if step.kind is StepKind.REFUND and already_refunded.minor:
        return f"{step.kind.value}:{already_refunded.minor}"
    return step.kind.value


def intent_key(base: str, intent: str, generation: int = 0) -> str:
    """The ``Klarna-Idempotency-Key`` of one intent of one request.

    ``generation`` counts the key windows since the request's first attempt: Klarna
    honours a key for 24 hours, so a step still missing after that gets a fresh key (and
    is only sent after a read of the order showed it really is missing).
    """
    name = f"{base}\x1f{intent}" + (f"\x1flate-{generation}" if generation else "")
    return str(uuid.uuid5(KEY_NAMESPACE, name))


def capture_reference(request: CaptureRequest) -> str:
    """The capture's ``reference``: the shop's order id plus a tag of the capture intent."""
    tag = uuid.uuid5(KEY_NAMESPACE, f"{request.idempotency_key}\x1f{_CAPTURE_INTENT}").hex[:12]
    return f"{request.order_id}#{tag}"


class _Refused(Exception):
    """Klarna refused a step because of the order's state; read the order and re-plan."""

    def __init__(self, reply: Reply, step: Step) -> None:
        super().__init__(reply.describe())
        self.reply = reply
        self.step = step


class KlarnaGateway:
    """Settle refund orders and capture payments through Klarna Order Management.

    ``transport``, ``sleep`` and ``jitter`` exist for tests: an in-process transport, a
    sleep that does not wait, and a fixed jitter.
    """

    def __init__(
        self,
        config: KlarnaConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._config = config
        self._client = KlarnaClient(config, transport=transport, sleep=sleep, jitter=jitter)

    @classmethod
    def from_env(cls) -> KlarnaGateway:
        return cls(KlarnaConfig.from_env())

    def __repr__(self) -> str:
        return f"KlarnaGateway(api_url={self._config.api_url!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> KlarnaGateway:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- the port -----------------------------------------------------------------------------

    def settle(self, request: SettlementRequest) -> SettlementResult:
        """Read Klarna's order, let the domain plan, carry the plan out.

        A refusal because of the order's state means the read was already stale: read
        again and re-plan, at most ``max_reconciles`` times.
        """
        klarna_id = request.payment.reference
        elapsed = request.now - request.first_attempt_at
        generation = max(0, elapsed // self._config.key_window)
        refusals: list[_Refused] = []
        while True:
            order = self._read(klarna_id, currency=request.amount.currency)
            already = order.refunded_for(request.refund_order_id)
            if already > request.amount:
                raise KlarnaAnswerContradictory(
                    f"Klarna order {klarna_id} lists {already} refunded under refund order "
                    f"{request.refund_order_id!r}, which is only for {request.amount}. "
                    "Nothing was sent or recorded; look at the order's refunds in Klarna's "
                    "Merchant Portal, then retry the payment."
                )
            plan = plan_settlement(
                kind=request.kind,
                amount=request.amount,
                view=order.view(),
                now=request.now,
                already_refunded=already,
                order_worth=request.order_worth,
                order_keeps=request.order_keeps,
            )
            try:
                refund_id = self._carry_out(
                    plan.steps, request, generation, already, order.view().authorized
                )
            except _Refused as refusal:
                refusals.append(refusal)
                if len(refusals) > self._config.max_reconciles:
                    raise self._conflict(refusals, klarna_id) from None
                logger.info("klarna refused %s; reading order %s again", refusal, klarna_id)
                continue
            reference = refund_id or order.refund_id_for(request.refund_order_id)
            return attrs.evolve(plan.result, provider_reference=reference)

    def capture(self, request: CaptureRequest) -> Money:
        """Capture once: a capture listed under this request's reference is not made again."""
        klarna_id = request.payment.reference
        what = f"the capture of {request.amount} on Klarna order {klarna_id}"
        reference = capture_reference(request)
        order = self._read(klarna_id, currency=request.amount.currency)
        done = order.capture_for(reference)
        if done is not None:
            return Money(done.amount, order.currency)
        if request.amount.is_zero():
            return request.amount
        self._check_capturable(order, request, what)
        body = money_body(
            "captured_amount",
            request.amount,
            what=what,
            description=f"Order {request.order_id}",
            reference=reference,
            lines=request.lines,
            shipping=request.shipping,
        )
        reply = self._client.post(
            f"{_order_path(klarna_id)}/captures",
            what=what,
            key=intent_key(request.idempotency_key, _CAPTURE_INTENT),
            body=body,
        )
        if reply.ok:
            return request.amount
        if reply.status == 403:
            raise KlarnaCaptureRefused(
                f"Klarna refused {what}: {reply.describe()}. The order may be canceled or "
                "expired, or the amount above what is still authorized; nothing was captured.",
                status_code=reply.status,
                error_code=reply.error_code,
                correlation_id=reply.correlation_id,
            )
        raise _rejected(reply, what)

    # -- more of Klarna ------------------------------------------------------------------------

    def order_view(self, klarna_order_id: str) -> PaymentView:
        """Klarna's view of the payment right now (status, amounts, expiry)."""
        return self._read(klarna_order_id, currency=None).view()

    def extend_authorization(self, klarna_order_id: str, *, idempotency_key: str) -> PaymentView:
        """Ask Klarna to extend the authorization; returns the view with the new expiry.

        Klarna counts the new expiry from today, at most 180 days after the purchase, and
        refuses once the order has expired or was canceled.
        """
        what = f"extending the authorization of Klarna order {klarna_order_id}"
        reply = self._client.post(
            f"{_order_path(klarna_order_id)}/extend-authorization-time",
            what=what,
            key=intent_key(idempotency_key, _EXTEND_INTENT),
        )
        if reply.status == 403:
            raise KlarnaExtensionRefused(
                f"Klarna refused {what}: {reply.describe()}. Expired or canceled orders "
                "cannot be extended, nor beyond 180 days after the purchase.",
                status_code=reply.status,
                error_code=reply.error_code,
                correlation_id=reply.correlation_id,
            )
        if not reply.ok:
            raise _rejected(reply, what)
        return self.order_view(klarna_order_id)

    # -- steps ---------------------------------------------------------------------------------

    def _read(self, klarna_id: str, *, currency: str | None) -> KlarnaOrder:
        what = f"reading Klarna order {klarna_id}"
        reply = self._client.get(_order_path(klarna_id), what=what)
        if reply.status == 404:
            raise KlarnaOrderNotFound(
                f"Klarna has no order {klarna_id!r} ({reply.describe()}). Check that the "
                "order's PaymentRef.reference is the Klarna order id and that the region "
                "and playground setting match the account that took the payment.",
                status_code=reply.status,
                error_code=reply.error_code,
                correlation_id=reply.correlation_id,
            )
        if not reply.ok:
            raise _rejected(reply, what)
        order = parse_order(reply.json_object(what), what=what, order_id=klarna_id)
        if currency is not None and order.currency != currency:
            raise KlarnaOrderMismatch(
                f"Klarna order {klarna_id} is in {order.currency}, the request in {currency}; "
                "check that the order's PaymentRef.reference names the right Klarna order."
            )
        return order

    def _carry_out(
        self,
        steps: tuple[Step, ...],
        request: SettlementRequest,
        generation: int,
        already_refunded: Money,
        authorized: Money,
    ) -> str | None:
        refund_id: str | None = None
        klarna_id = request.payment.reference
        for step in steps:
            what = _describe(step, klarna_id)
            key = intent_key(request.idempotency_key, _intent(step, already_refunded), generation)
            if step.kind is StepKind.REDUCE_AUTHORIZATION:
                reply = self._client.patch(
                    f"{_order_path(klarna_id)}/authorization",
                    what=what,
                    key=key,
                    body={
                        "order_amount": (authorized - step.amount).minor,
                        "description": f"Order {request.order_id}: units canceled"[:MAX_TEXT],
                    },
                )
                self._check_step(reply, step, what)
                continue
            body = None
            if step.kind is StepKind.REFUND:
                verb = "canceled" if request.kind is RefundKind.CANCELLATION else "returned"
                body = money_body(
                    "refunded_amount",
                    step.amount,
                    what=what,
                    description=f"Order {request.order_id} {verb}",
                    reference=request.refund_order_id,
                    lines=request.lines,
                    shipping=request.shipping,
                    fees=request.fees,
                )
            reply = self._client.post(
                _order_path(klarna_id) + _PATHS[step.kind], what=what, key=key, body=body
            )
            self._check_step(reply, step, what)
            if step.kind is StepKind.REFUND:
                refund_id = reply.headers.get("Refund-Id") or refund_id
        return refund_id

    @staticmethod
    def _check_step(reply: Reply, step: Step, what: str) -> None:
        if reply.status == 403 and reply.error_code in _STATE_ERRORS:
            raise _Refused(reply, step)
        if not reply.ok:
            raise _rejected(reply, what)
        logger.info("klarna %s done (HTTP %d)", what, reply.status)

    def _check_capturable(self, order: KlarnaOrder, request: CaptureRequest, what: str) -> None:
        view = order.view()
        closed = (AuthorizationStatus.CANCELLED, AuthorizationStatus.CLOSED)
        if order.status in closed or view.expired(request.now):
            state = "expired" if view.expired(request.now) else order.status.value.lower()
            raise KlarnaCaptureRefused(
                f"refusing {what}: the Klarna order is {state}, so there is no authorization "
                "to capture from. Nothing was captured; ask the customer to pay again."
            )
        if request.amount > view.remaining_authorization:
            raise KlarnaCaptureRefused(
                f"refusing {what}: only {view.remaining_authorization} is still authorized. "
                "Nothing was captured; capture at most that, or update the order amount first."
            )

    def _conflict(self, refusals: list[_Refused], klarna_id: str) -> KlarnaStateConflict:
        last = refusals[-1]
        return KlarnaStateConflict(
            f"Klarna refused {len(refusals)} times ({'; '.join(map(str, refusals))}) although "
            f"a fresh read of order {klarna_id} allowed "
            f"{_describe(last.step, klarna_id)}. Nothing more was sent; look at the order "
            "in Klarna's Merchant Portal, then retry the payment.",
            status_code=last.reply.status,
            error_code=last.reply.error_code,
            correlation_id=last.reply.correlation_id,
        )


def _order_path(klarna_id: str) -> str:
    return f"/ordermanagement/v1/orders/{quote(klarna_id, safe='')}"


def _describe(step: Step, klarna_id: str) -> str:
    if step.kind is StepKind.REFUND:
        return f"the refund of {step.amount} on Klarna order {klarna_id}"
    if step.kind is StepKind.CANCEL_AUTHORIZATION:
        return f"canceling Klarna order {klarna_id}"
    if step.kind is StepKind.REDUCE_AUTHORIZATION:
        return f"reducing the authorization of Klarna order {klarna_id} by {step.amount}"
    return f"releasing the remaining {step.amount} of Klarna order {klarna_id}"


def _rejected(reply: Reply, what: str) -> KlarnaRequestRejected:
    return KlarnaRequestRejected(
        f"Klarna rejected {what}: {reply.describe()}. Nothing was changed by this call; "
        "fix the cause named there, then retry the payment.",
        status_code=reply.status,
        error_code=reply.error_code,
        correlation_id=reply.correlation_id,
    )
