"""Payment effects of an order paid with several payments: each payment is charged and
given back through its own gateway, under its own idempotency key.

The split was decided by the command (see ``domain/tenders.py``) and stored with the
order and the refund order; the effects only carry it out. A payment that settles is
recorded before a later one fails, so a retry asks each gateway only for what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from order_cancellation.domain.refunds import RefundOrder, SettlementResult, TenderRefund
from order_cancellation.domain.text import storable
from order_cancellation.domain.values import TenderShare
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest


def part_request(
    refund: RefundOrder,
    part: TenderRefund,
    *,
    shop: str,
    key: str,
    attempt: int,
    first_attempt_at: datetime,
    now: datetime,
) -> SettlementRequest:
    """What one payment's gateway is asked to give back for ``refund``. The lines go with
    it only when this payment gives back all of the refund order (their amounts must add
    up to what is asked)."""
    whole = part.amount == refund.amount
    return SettlementRequest(
        shop=shop,
        order_id=refund.order_id,
        refund_order_id=refund.id,
        kind=refund.kind,
        amount=part.amount,
        lines=refund.lines if whole else (),
        shipping=refund.shipping if whole else (),
        fees=refund.fees if whole else (),
        order_worth=part.worth if refund.order_worth is not None else None,
        order_keeps=part.keeps if refund.order_worth is not None else None,
        payment=part.payment,
        idempotency_key=key,
        attempt=attempt,
        first_attempt_at=first_attempt_at,
        now=now,
    )


def settle_parts(
    parts: tuple[TenderRefund, ...], settle: Callable[[TenderRefund], SettlementResult]
) -> tuple[tuple[TenderRefund, ...], Exception | None]:
    """Settle every part still open, in order; stop at the first failure and return it
    with what was settled before it, so that is recorded and not asked for again."""
    settled = list(parts)
    for index, part in enumerate(parts):
        if part.settled:
            continue
        try:
            result = settle(part)
        except Exception as error:
            return tuple(settled), error
        if result.detail is not None:
            # A provider's own words, kept on the refund order and in events.
            result = SettlementResult(
                status=result.status,
                refunded=result.refunded,
                released=result.released,
                manual=result.manual,
                provider_reference=result.provider_reference,
                detail=storable(result.detail),
                unrefunded=result.unrefunded,
            )
        settled[index] = part.with_result(result)
    return tuple(settled), None


def newly_settled(
    before: tuple[TenderRefund, ...], after: tuple[TenderRefund, ...]
) -> list[TenderRefund]:
    """The parts that ``after`` settles and ``before`` had not."""
    return [
        part for old, part in zip(before, after, strict=True) if part.settled and not old.settled
    ]


def capture_requests(
    shares: tuple[TenderShare, ...],
    *,
    shop: str,
    order_id: str,
    key: Callable[[str], str],
    now: datetime,
) -> list[CaptureRequest]:
    """One capture per payment set to capture on fulfillment, each with its own key; no
    lines (a share of a shipment is not a set of units)."""
    return [
        CaptureRequest(
            shop=shop,
            order_id=order_id,
            amount=share.amount,
            lines=(),
            payment=share.payment,
            idempotency_key=key(share.payment.reference),
            now=now,
        )
        for share in shares
        if share.payment.auto_capture
    ]
