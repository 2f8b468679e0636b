"""Payments through any other service: the money goes back by hand.

The gateway records a *manual refund required* on the refund order; the back office lists
them with ``Sales.manual_refunds_owed()`` and marks each one done when paid.
"""

from __future__ import annotations

from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus, SettlementResult
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest


class ManualPaymentGateway:
    def settle(self, request: SettlementRequest) -> SettlementResult:
        zero = Money.zero(request.amount.currency)
        return SettlementResult(
            status=PaymentStatus.MANUAL_REFUND_REQUIRED,
            refunded=zero,
            released=zero,
            manual=request.amount,
            detail=(
                f"{request.payment.provider} is not connected: refund {request.amount} to the "
                f"customer in {request.payment.provider}'s own tools (payment "
                f"{request.payment.reference}), then mark it done."
            ),
        )

    def capture(self, request: CaptureRequest) -> Money:
        # The other service captures by its own rules; nothing was captured through us.
        return Money.zero(request.amount.currency)


__all__ = ["ManualPaymentGateway"]
