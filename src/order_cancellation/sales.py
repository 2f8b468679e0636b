"""The composition root: :class:`Sales`, with a factory per backend."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Self

from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.application.service import EffectsMode, SalesService
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.ports.stock import StockLedger


class Sales(SalesService):
    """One shop's sales. Build it with :meth:`in_memory` (or a durable backend's factory).

    Payments whose provider has no gateway in ``gateways`` are settled by hand: the
    refund order records a manual refund owed (see :meth:`manual_refunds_owed`).
    """

    @classmethod
    def in_memory(
        cls,
        shop: str = "default",
        *,
        backend: MemoryBackend | None = None,
        gateways: Mapping[str, PaymentGateway] | None = None,
        publisher: EventPublisher | None = None,
        clock: Clock | None = None,
        stock: StockLedger | None = None,
        effects: EffectsMode = "inline",
        retry_policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
    ) -> Self:
        """A shop held in memory. Pass one ``backend`` to several shops to host them in one
        process; each still sees only its own data. Effects run inline by default."""
        return cls(
            shop=shop,
            backend=backend if backend is not None else MemoryBackend(),
            gateways=gateways or {},
            default_gateway=ManualPaymentGateway(),
            clock=clock or SystemClock(),
            publisher=publisher,
            stock=stock,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
        )
