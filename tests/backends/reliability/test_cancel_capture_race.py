"""R1: a cancel and a fulfillment that captures, racing on one order, never both win (C3).

Each order is paid with an authorization that is captured when the order ships
(``auto_capture=True``). One thread cancels and another fulfills at the same instant; each
runs its effects inline right after its command, so the winner's capture or release runs
while the loser may still be deciding.
Whoever wins, the provider's books must show one path only: either the authorization is
cancelled and nothing was captured, or the order shipped, was captured in full, and the
cancel was refused with a typed error.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

import pytest

from order_cancellation import Money, OrderState, PaymentRef
from order_cancellation.adapters.memory import InMemoryPaymentProvider
from order_cancellation.adapters.memory.payments import Operation
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    OrderAlreadyCanceled,
    OrderFulfilledError,
)
from tests.backends.conftest import BackendFactory
from tests.backends.reliability.support import (
    Report,
    figure,
    sales_on,
    seed_paid_orders,
)

SHOP = "acme"
TOTAL = Money.of("20.00", "EUR")  # what seed_paid_orders charges: 2 units at 10.00
WON = "won"
PAIRS = 4
# The typed answers a loser may get: refused by the order's state, or a conflict that
# deciding again could not settle (never expected with two racers, but typed all the same).
CANCEL_REFUSALS = (OrderFulfilledError, ConcurrencyConflict)
FULFILL_REFUSALS = (OrderAlreadyCanceled, ConcurrencyConflict)


def _attempt(
    action: Callable[[], object], refusals: tuple[type[Exception], ...]
) -> tuple[str, Exception | None]:
    try:
        action()
    except refusals as error:
        return type(error).__name__, None
    except Exception as error:
        return "raw", error
    return WON, None


@pytest.mark.parametrize(
    "orders",
    [pytest.param(200, id="ci"), pytest.param(1000, id="nightly", marks=pytest.mark.nightly)],
)
def test_c3_a_cancel_racing_a_capturing_fulfillment_ends_on_exactly_one_path(
    backend_factory: BackendFactory, backend_name: str, orders: int, reliability: Report
) -> None:
    backend = backend_factory()
    provider = InMemoryPaymentProvider()
    sales = sales_on(backend, SHOP, gateways={"card": provider}, effects="inline")
    now = datetime.now(UTC)
    for n in range(orders):
        provider.authorize(f"pay-{n}", TOTAL, at=now)
    order_ids = seed_paid_orders(
        backend,
        SHOP,
        orders,
        stock=5,
        units=2,
        payment=lambda n: PaymentRef(provider="card", reference=f"pay-{n}", auto_capture=True),
    )

    cancels: dict[str, str] = {}
    fulfillments: dict[str, str] = {}
    raw: list[Exception] = []

    def race(
        action: Callable[[str], object],
        refusals: tuple[type[Exception], ...],
        share: list[str],
        start: threading.Barrier,
        outcomes: dict[str, str],
    ) -> None:
        for order_id in share:
            start.wait()
            outcome, error = _attempt(partial(action, order_id), refusals)
            outcomes[order_id] = outcome
            if error is not None:
                raw.append(error)

    # Several pairs race side by side, each over its share of the orders, so that the run
    # waits on several commits at once; within a pair both racers start each order together.
    racers = []
    for pair in range(PAIRS):
        share, start = order_ids[pair::PAIRS], threading.Barrier(2)
        racers += [
            threading.Thread(
                target=race, args=(sales.cancel_order, CANCEL_REFUSALS, share, start, cancels)
            ),
            threading.Thread(
                target=race, args=(sales.fulfill, FULFILL_REFUSALS, share, start, fulfillments)
            ),
        ]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    sales.process_pending()  # whatever the inline runs left behind

    both_paths = 0
    ended: Counter[str] = Counter()
    violations: list[str] = []
    for n, order_id in enumerate(order_ids):
        reference = f"pay-{n}"
        order = sales.get_order(order_id)
        refunds = sales.refund_orders(order_id=order_id)
        captured = provider.count(Operation.CAPTURE, reference)
        given_back = sum(
            provider.count(operation, reference)
            for operation in (
                Operation.CANCEL_AUTHORIZATION,
                Operation.REFUND,
                Operation.RELEASE_REMAINING,
            )
        )
        view = provider.view(reference, now=now)
        winners = (cancels[order_id], fulfillments[order_id])
        if (captured and given_back) or winners == (WON, WON):
            both_paths += 1
        if order.state is OrderState.CANCELED:
            ended["canceled"] += 1
            canceled_cleanly = (
                cancels[order_id] == WON
                and fulfillments[order_id] != WON
                and len(refunds) == 1
                and refunds[0].payment_settled
                and captured == 0
                and given_back == 1
                and view.captured.is_zero()
                and view.released == TOTAL
            )
            if not canceled_cleanly:
                violations.append(f"{order_id} canceled: {winners} {refunds} {view}")
        elif order.state is OrderState.FULFILLED:
            ended["fulfilled"] += 1
            fulfilled_cleanly = (
                fulfillments[order_id] == WON
                and cancels[order_id] != WON
                and not refunds
                and captured == 1
                and given_back == 0
                and view.captured == TOTAL
            )
            if not fulfilled_cleanly:
                violations.append(f"{order_id} fulfilled: {winners} {refunds} {view}")
        else:
            violations.append(f"{order_id} ended {order.state}: {winners}")

    figure(
        reliability,
        "C3",
        backend=backend_name,
        orders=orders,
        both_paths=both_paths,
        canceled=ended["canceled"],
        fulfilled=ended["fulfilled"],
        raw_errors=len(raw),
    )
    assert raw == []
    assert both_paths == 0
    assert violations == []
    assert ended["canceled"] + ended["fulfilled"] == orders
    assert sales.pending_effects() == 0
