"""A Klarna Order Management v1 simulator for tests, served on loopback or in process.

    with KlarnaSimulator() as sim:
        sim.create_order("kl-1", 2500, "EUR")
        gateway = KlarnaGateway(KlarnaConfig(credentials=Credentials.basic(sim.username,
                                sim.password), base_url=sim.base_url))
        ...
        assert sim.count(Operation.CANCEL, "kl-1") == 1

It keeps Klarna's state rules, idempotency keys (24 hours on its own clock, the body
ignored), authorization expiry, a log of every change and every exchange, and injects
faults: lost requests, lost answers, 5xx, 429, 409, bodies that are not JSON or cut short.
"""

from order_cancellation.testing.klarna_simulator.exchange import (
    Endpoint,
    Exchange,
    SimRequest,
    SimResponse,
)
from order_cancellation.testing.klarna_simulator.faults import (
    BAD_GATEWAY,
    CONFLICT,
    DISCONNECT_AFTER,
    DISCONNECT_BEFORE,
    GATEWAY_TIMEOUT,
    INTERNAL_ERROR,
    RATE_LIMITED,
    TIMEOUT_AFTER,
    TIMEOUT_BEFORE,
    TRANSIENT_FAULTS,
    TRUNCATED,
    UNAVAILABLE,
    Delivery,
    Fault,
    error,
    replace_body,
    rewrite,
)
from order_cancellation.testing.klarna_simulator.orders import MAX_AMOUNT, Operation
from order_cancellation.testing.klarna_simulator.simulator import (
    IN_PROCESS_URL,
    KEY_LIFETIME,
    KlarnaSimulator,
    SimOperation,
)

__all__ = [
    "BAD_GATEWAY",
    "CONFLICT",
    "DISCONNECT_AFTER",
    "DISCONNECT_BEFORE",
    "GATEWAY_TIMEOUT",
    "INTERNAL_ERROR",
    "IN_PROCESS_URL",
    "KEY_LIFETIME",
    "MAX_AMOUNT",
    "RATE_LIMITED",
    "TIMEOUT_AFTER",
    "TIMEOUT_BEFORE",
    "TRANSIENT_FAULTS",
    "TRUNCATED",
    "UNAVAILABLE",
    "Delivery",
    "Endpoint",
    "Exchange",
    "Fault",
    "KlarnaSimulator",
    "Operation",
    "SimOperation",
    "SimRequest",
    "SimResponse",
    "error",
    "replace_body",
    "rewrite",
]
