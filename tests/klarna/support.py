"""Builders shared by the Klarna tests: requests, gateways pointed at a simulator, figures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

import attrs

from order_cancellation.adapters.klarna import (
    Credentials,
    HttpRetryPolicy,
    KlarnaConfig,
    KlarnaGateway,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import RefundKind
from order_cancellation.domain.values import LineQuantity, PaymentRef
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from order_cancellation.testing.klarna_simulator import (
    IN_PROCESS_URL,
    Endpoint,
    Exchange,
    KlarnaSimulator,
)

EUR: Final = "EUR"
START: Final = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
TEST_TIMEOUT: Final = 0.3
"""Seconds; loopback answers take about a millisecond, so a silent server is found fast."""
POSTS: Final = frozenset(
    {Endpoint.CANCEL, Endpoint.CAPTURE, Endpoint.REFUND, Endpoint.RELEASE, Endpoint.EXTEND}
)


def lines_of(*prices: int, quantity: int = 1) -> tuple[LineQuantity, ...]:
    return tuple(
        LineQuantity(
            line_id=f"line-{n}",
            sku=f"SKU-{n}",
            quantity=quantity,
            unit_price=Money(price, EUR),
        )
        for n, price in enumerate(prices, start=1)
    )


def settlement(
    klarna_id: str,
    amount: int,
    *,
    now: datetime,
    kind: RefundKind = RefundKind.CANCELLATION,
    refund_order_id: str = "ro-1",
    key: str | None = None,
    first_attempt_at: datetime | None = None,
    attempt: int = 1,
    lines: tuple[LineQuantity, ...] | None = None,
) -> SettlementRequest:
    """A refund order's settlement; its lines default to one line worth ``amount``."""
    return SettlementRequest(
        shop="shop-1",
        order_id=f"order-of-{klarna_id}",
        refund_order_id=refund_order_id,
        kind=kind,
        amount=Money(amount, EUR),
        lines=lines if lines is not None else lines_of(amount),
        payment=PaymentRef(provider="klarna", reference=klarna_id),
        idempotency_key=key or f"settle-{refund_order_id}",
        attempt=attempt,
        first_attempt_at=first_attempt_at or now,
        now=now,
    )


def capture_request(
    klarna_id: str, amount: int, *, now: datetime, key: str = "capture-1"
) -> CaptureRequest:
    return CaptureRequest(
        shop="shop-1",
        order_id=f"order-of-{klarna_id}",
        amount=Money(amount, EUR),
        lines=lines_of(amount),
        payment=PaymentRef(provider="klarna", reference=klarna_id),
        idempotency_key=key,
        now=now,
    )


class Sleeps(list[float]):
    """Stands in for ``time.sleep``: remembers each back-off instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def config_for(sim: KlarnaSimulator, *, in_process: bool = False, **changes: Any) -> KlarnaConfig:
    config = KlarnaConfig(
        credentials=Credentials.basic(sim.username, sim.password),
        base_url=IN_PROCESS_URL if in_process else sim.base_url,
        connect_timeout=TEST_TIMEOUT,
        read_timeout=TEST_TIMEOUT,
        retry=HttpRetryPolicy(max_attempts=4, base_delay=0.25, max_delay=2.0),
    )
    return attrs.evolve(config, **changes)


def gateway_for(
    sim: KlarnaSimulator,
    *,
    in_process: bool = False,
    sleeps: Sleeps | None = None,
    **changes: Any,
) -> KlarnaGateway:
    return KlarnaGateway(
        config_for(sim, in_process=in_process, **changes),
        transport=sim.in_process_transport() if in_process else None,
        sleep=sleeps if sleeps is not None else Sleeps(),
    )


def posts(sim: KlarnaSimulator, klarna_id: str | None = None) -> list[Exchange]:
    """The POSTs the simulator received, oldest first."""
    return [e for e in sim.requests() if e.endpoint in POSTS and klarna_id in (None, e.order_id)]


def sent(sim: KlarnaSimulator, klarna_id: str | None = None) -> list[Endpoint | None]:
    """The operations the gateway asked for, in order, without retries of the same one."""
    calls: list[Endpoint | None] = []
    for exchange in sim.requests():
        if klarna_id in (None, exchange.order_id) and (not calls or calls[-1] != exchange.endpoint):
            calls.append(exchange.endpoint)
    return calls


def figure(test: str, **values: object) -> str:
    return f"RELIABILITY {test} " + " ".join(f"{key}={value}" for key, value in values.items())
