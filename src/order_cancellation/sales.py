"""The composition root: :class:`Sales`, with a factory per backend.

Who closes what: a ``Sales`` closes the backend its factory opened (``Sales.sqlite(path)``);
a backend passed in (``backend=``) belongs to the caller, who may share it between shops and
closes it once they are done.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from datetime import timedelta
from os import PathLike
from typing import TYPE_CHECKING, Any, Self

from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.application.service import EffectsMode, SalesService
from order_cancellation.domain.errors import InvalidOption
from order_cancellation.domain.tenders import TenderPolicy
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

    :meth:`close` closes the backend only if this ``Sales`` opened it.
    """

    _owns_backend: bool = False
    _options: dict[str, Any] | None = None

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
        tender_policy: TenderPolicy = TenderPolicy.EXTERNAL_FIRST,
    ) -> Self:
        """A shop held in memory. Pass one ``backend`` to several shops to host them in one
        process; each still sees only its own data. Effects run inline by default."""
        return cls._on(
            backend if backend is not None else MemoryBackend(),
            owned=backend is None,
            shop=shop,
            gateways=gateways,
            publisher=publisher,
            clock=clock,
            stock=stock,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
            tender_policy=tender_policy,
        )

    @classmethod
    def sqlite(
        cls,
        path: str | PathLike[str] | None = None,
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
        tender_policy: TenderPolicy = TenderPolicy.EXTERNAL_FIRST,
        **backend_options: Any,
    ) -> Self:
        """A shop in a SQLite file (the embedded default): give the file's ``path``, or a
        ``backend`` shared by several shops (then no path). ``backend_options`` go to
        :class:`SQLiteBackend` (``busy_timeout``, ``synchronous``)."""
        from order_cancellation.adapters.sqlite import SQLiteBackend  # noqa: PLC0415

        store, owned = _store(SQLiteBackend, "path", path, backend, backend_options)
        return cls._on(
            store,
            owned=owned,
            shop=shop,
            gateways=gateways,
            publisher=publisher,
            clock=clock,
            stock=None,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
            tender_policy=tender_policy,
        )

    @classmethod
    def postgres(
        cls,
        dsn: str | None = None,
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
        tender_policy: TenderPolicy = TenderPolicy.EXTERNAL_FIRST,
        **backend_options: Any,
    ) -> Self:
        """A shop in PostgreSQL (needs the ``postgres`` extra): give the ``dsn``, or a
        ``backend`` shared by several shops (then no DSN). Many processes on many machines
        may share the database; run workers with :meth:`run_worker`. ``backend_options`` go
        to :class:`PostgresBackend` (``schema``, ``pool_size``, timeouts)."""
        from order_cancellation.adapters.postgres import PostgresBackend  # noqa: PLC0415

        store, owned = _store(PostgresBackend, "dsn", dsn, backend, backend_options)
        return cls._on(
            store,
            owned=owned,
            shop=shop,
            gateways=gateways,
            publisher=publisher,
            clock=clock,
            stock=None,
            effects=effects,
            retry_policy=retry_policy,
            lease=lease,
            prices_include_tax=prices_include_tax,
            tender_policy=tender_policy,
        )

    @classmethod
    def _on(
        cls,
        backend: Backend,
        *,
        owned: bool,
        shop: str,
        gateways: Mapping[str, PaymentGateway] | None,
        publisher: EventPublisher | None,
        clock: Clock | None,
        stock: StockLedger | None,
        effects: EffectsMode,
        retry_policy: RetryPolicy | None,
        lease: timedelta,
        prices_include_tax: bool,
        tender_policy: TenderPolicy,
    ) -> Self:
        # Providers without a gateway of their own are refunded by hand.
        options: dict[str, Any] = {
            "backend": backend,
            "gateways": gateways or {},
            "default_gateway": ManualPaymentGateway(),
            "clock": clock or SystemClock(),
            "publisher": publisher,
            "stock": stock,
            "effects": effects,
            "retry_policy": retry_policy,
            "lease": lease,
            "prices_include_tax": prices_include_tax,
            "tender_policy": tender_policy,
        }
        sales = cls(shop=shop, **options)
        sales._owns_backend = owned
        sales._options = options
        return sales

    def for_shop(self, shop: str) -> Self:
        """Another shop on the same backend, with the same gateways, publisher, clock and
        effects mode: what a server hosting many shops hands each request. The new ``Sales``
        never closes the shared backend."""
        options = getattr(self, "_options", None)
        if options is None:
            raise InvalidOption(
                "for_shop() needs a Sales made by a factory (Sales.in_memory, Sales.sqlite, "
                "Sales.postgres)."
            )
        sales = type(self)(shop=shop, **options)
        sales._options = options
        return sales

    def close(self) -> None:
        """Close the backend if this ``Sales`` opened it; a backend passed in stays open."""
        if self._owns_backend:
            super().close()


def _store(
    factory: Callable[..., Any],
    location: str,
    where: object,
    backend: Any,
    options: Mapping[str, Any],
) -> tuple[Any, bool]:
    """The backend to use, and whether the new ``Sales`` opened it (and so closes it)."""
    if backend is not None:
        if where is not None:
            raise InvalidOption(
                f"give either a {location} or a backend, not both: a shared backend already "
                f"knows its {location}; drop the {location} argument."
            )
        if options:
            raise InvalidOption(
                f"options ({', '.join(sorted(options))}) are for opening a backend; pass "
                "them where the shared backend is opened."
            )
        return backend, False
    if where is None:
        raise InvalidOption(f"give the {location} of the store, or a backend to share.")
    known = [
        name
        for name, parameter in inspect.signature(factory).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise InvalidOption(
            f"unknown option {', '.join(map(repr, unknown))} for {factory.__name__}; "
            f"the options are: {', '.join(known)}."
        )
    return factory(where, **options), True
