"""The merchant's procedure from the help page ("Removing the payment authorization").

1. Click on the gear icon in the payment section.  2. Turn off Automatic Capture.
3. Click Close.  4. Click Refund.  5. Click Cancel Order.
"After completing these steps, the authorization will be removed, and Klarna will
refund the amount to the customer."
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from order_cancellation.adapters.klarna import KlarnaCaptureRefused, KlarnaGateway
from order_cancellation.domain.money import Money
from order_cancellation.testing.klarna_simulator import KlarnaSimulator, Operation

from .support import EUR, capture_request, figure, lines_of, settlement

ORDER_TOTAL = 4500


@pytest.mark.parametrize(
    "captured_before",
    [0, 1500, ORDER_TOTAL],
    ids=["nothing-captured", "partly-captured", "automatically-captured"],
)
def test_the_help_page_procedure_removes_the_authorization_and_gives_the_money_back(
    sim: KlarnaSimulator,
    gateway: KlarnaGateway,
    captured_before: int,
    reliability: Callable[[str], None],
) -> None:
    # The customer paid with Klarna Checkout: an authorization for the whole order, of
    # which automatic capture may already have taken some or all.
    lines = lines_of(2000, 2500)
    sim.create_order(
        "kl-seed",
        ORDER_TOTAL,
        lines=[
            {
                "name": line.sku,
                "quantity": line.quantity,
                "unit_price": line.unit_price.minor,
                "total_amount": line.amount.minor,
            }
            for line in lines
        ],
    )
    if captured_before:
        sim.capture("kl-seed", captured_before)

    # 1-3. Automatic Capture is turned off: from here on the shop captures nothing, so the
    # order is never captured on fulfilment (the gateway's capture is simply not called).
    captures_at_klarna = sim.order("kl-seed")["captured_amount"]

    # 4. Refund: the refund order of the cancellation is settled through Klarna.
    result = gateway.settle(settlement("kl-seed", ORDER_TOTAL, now=sim.clock, lines=lines))

    # 5. Cancel Order: the order is canceled; nothing may capture it any more.
    with pytest.raises(KlarnaCaptureRefused):
        gateway.capture(capture_request("kl-seed", ORDER_TOTAL, now=sim.clock, key="late-ship"))

    order = sim.order("kl-seed")
    authorization_removed = order["remaining_authorized_amount"] == 0
    money_back = order["refunded_amount"] == captures_at_klarna
    reliability(
        figure(
            "SEED",
            variant=f"captured={captured_before}",
            authorization_removed=authorization_removed,
            money_back=money_back,
            refunded=order["refunded_amount"],
            released=result.released.minor,
            captures_after_cancel=sim.count(Operation.CAPTURE),
        )
    )
    assert authorization_removed
    assert money_back
    assert result.refunded + result.released == Money(ORDER_TOTAL, EUR)
    assert sim.count(Operation.CAPTURE) == 0
    assert sim.count(Operation.REFUND) == (1 if captured_before else 0)
