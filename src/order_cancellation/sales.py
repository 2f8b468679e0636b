"""The composition root: :class:`Sales`, with a factory per backend."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any, Self

from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.application.service import EffectsMode, SalesService
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.ports.stock import StockLedger

if TYPE_CHECKING:
    from order_cancellation.adapters.postgres import PostgresBackend
    from order_cancellation.adapters.sqlite import SQLiteBackend


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
        prices_include_tax: bool = True,
    ) -> Self:
        """A shop held in memory. Pass one ``backend`` to several shops to host them in one
        process; each still sees only its own data. Effects run inline by default."""
        return cls._on(
            backend if backend is not None else MemoryBackend(),
            shop=shop,
            gateways=gateways,
            publisher=publisher,
            clock=clock,
            stock=stock,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
        )

    @classmethod
    def sqlite(
        cls,
        path: str | PathLike[str],
        shop: str = "default",
        *,
        backend: SQLiteBackend | None = None,
        gateways: Mapping[str, PaymentGateway] | None = None,
        publisher: EventPublisher | None = None,
        clock: Clock | None = None,
        effects: EffectsMode = "inline",
        retry_policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        prices_include_tax: bool = True,
        **backend_options: Any,
    ) -> Self:
        """A shop in a SQLite file (the embedded default). Pass one ``backend`` to several
        shops to share a file; ``backend_options`` go to :class:`SQLiteBackend`."""
        from order_cancellation.adapters.sqlite import SQLiteBackend  # noqa: PLC0415

        return cls._on(
            backend if backend is not None else SQLiteBackend(path, **backend_options),
            shop=shop,
            gateways=gateways,
            publisher=publisher,
            clock=clock,
            stock=None,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
        )

    @classmethod
    def postgres(
        cls,
        dsn: str,
        shop: str = "default",
        *,
        backend: PostgresBackend | None = None,
        gateways: Mapping[str, PaymentGateway] | None = None,
        publisher: EventPublisher | None = None,
        clock: Clock | None = None,
        effects: EffectsMode = "inline",
        retry_policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        prices_include_tax: bool = True,
        **backend_options: Any,
    ) -> Self:
        """A shop in PostgreSQL (needs the ``postgres`` extra). Many processes on many
        machines may share the database; run workers with :meth:`run_worker`."""
        from order_cancellation.adapters.postgres import PostgresBackend  # noqa: PLC0415

        return cls._on(
            backend if backend is not None else PostgresBackend(dsn, **backend_options),
            shop=shop,
            gateways=gateways,
            publisher=publisher,
            clock=clock,
            stock=None,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
        )

    @classmethod
    def _on(
        cls,
        backend: Backend,
        *,
        shop: str,
        gateways: Mapping[str, PaymentGateway] | None,
        publisher: EventPublisher | None,
        clock: Clock | None,
        stock: StockLedger | None,
        effects: EffectsMode,
        retry_policy: RetryPolicy | None,
        lease: timedelta,
        prices_include_tax: bool,
    ) -> Self:
        # Providers without a gateway of their own are refunded by hand.
        return cls(
            shop=shop,
            backend=backend,
            gateways=gateways or {},
            default_gateway=ManualPaymentGateway(),
            clock=clock or SystemClock(),
            publisher=publisher,
            stock=stock,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
        )
