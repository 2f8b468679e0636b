"""Opening one shop on the store the options name, and closing it afterwards.

Operator commands never create a database: a mistyped ``--db`` path must fail (exit 3)
rather than show an empty shop. ``init`` (``create=True``) is the one command that creates.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs

from order_cancellation.application.service import EffectsMode
from order_cancellation.cli.exits import ExitCode, StoreUnavailable, UsageError, classify, one_line
from order_cancellation.cli.payments import gateways
from order_cancellation.domain.errors import ConfigurationError, NotFound
from order_cancellation.ports.events import EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.sales import Sales

T = TypeVar("T")


@attrs.frozen(kw_only=True)
class Target:
    """Where the shop lives: a SQLite file or a PostgreSQL database."""

    shop: str
    db: Path | None = None
    dsn: str | None = None

    @classmethod
    def from_options(cls, args: argparse.Namespace) -> Target:
        db: Path | None = args.db
        dsn: str | None = args.dsn
        if db is not None and dsn is not None:
            raise UsageError("give one store, --db PATH or --dsn DSN, not both")
        if db is None and dsn is None:
            raise UsageError("give the store: --db PATH (a SQLite file) or --dsn DSN (PostgreSQL)")
        return cls(shop=str(args.shop), db=db, dsn=dsn)

    @property
    def where(self) -> str:
        # Never echo the DSN: it may carry a password.
        return f"SQLite database {str(self.db)!r}" if self.db is not None else "PostgreSQL server"


@contextmanager
def open_shop(args: argparse.Namespace, *, create: bool = False) -> Iterator[Sales]:
    """The shop named by the options, with its payment gateways; everything closed after."""
    target = Target.from_options(args)
    effects: EffectsMode = "deferred" if args.defer_effects else "inline"
    with ExitStack() as resources:
        routes = gateways(connect_klarna=bool(args.klarna), resources=resources)
        hooks = bool(getattr(args, "webhooks", False))
        if target.db is not None:
            sales = _sqlite(
                target.db, target.shop, routes, effects, resources, create=create, hooks=hooks
            )
        else:
            assert target.dsn is not None
            sales = _postgres(target.dsn, target.shop, routes, effects, resources, hooks=hooks)
        # Read once, so that a store that cannot be used fails here with a clear message.
        _opening(sales.status_labels, f"cannot use the {target.where}")
        if not create and not getattr(args, "creates", False):
            _check_shop(sales._backend, target.shop)
        yield sales


def _sqlite(
    path: Path,
    shop: str,
    routes: Mapping[str, PaymentGateway],
    effects: EffectsMode,
    resources: ExitStack,
    *,
    create: bool,
    hooks: bool = False,
) -> Sales:
    if not create and not path.is_file():
        raise StoreUnavailable(
            f"no SQLite database at {str(path)!r}; check the path, or create one with "
            f"`order-cancellation init --db {path}`"
        )
    from order_cancellation.adapters.sqlite import SQLiteBackend  # noqa: PLC0415

    backend = _opening(
        lambda: SQLiteBackend(path), f"cannot open the SQLite database {str(path)!r}"
    )
    resources.callback(backend.close)
    return Sales.sqlite(
        shop=shop,
        backend=backend,
        gateways=routes,
        effects=effects,
        publisher=_publisher(backend, resources) if hooks else None,
    )


def _postgres(
    dsn: str,
    shop: str,
    routes: Mapping[str, PaymentGateway],
    effects: EffectsMode,
    resources: ExitStack,
    *,
    hooks: bool = False,
) -> Sales:
    try:
        from order_cancellation.adapters.postgres import PostgresBackend  # noqa: PLC0415
    except ImportError as error:
        raise StoreUnavailable(
            "PostgreSQL support is not installed: pip install 'order-cancellation[postgres]'"
        ) from error
    backend = _opening(lambda: PostgresBackend(dsn), "cannot reach the PostgreSQL server")
    resources.callback(backend.close)
    return Sales.postgres(
        shop=shop,
        backend=backend,
        gateways=routes,
        effects=effects,
        publisher=_publisher(backend, resources) if hooks else None,
    )


def _publisher(backend: Any, resources: ExitStack) -> EventPublisher:
    """The signed-webhook publisher for ``--webhooks``, closed with the store."""
    try:
        from order_cancellation.adapters.webhooks import WebhookPublisher  # noqa: PLC0415
    except ImportError as error:
        raise ConfigurationError(
            "--webhooks needs the webhooks extra: pip install 'order-cancellation[webhooks]'"
        ) from error
    publisher = WebhookPublisher(backend)
    resources.callback(publisher.close)
    return publisher


class UnknownShop(NotFound):
    """``--shop`` names a shop the database does not know (a typo, most likely)."""


def _check_shop(backend: Any, shop: str) -> None:
    """A command that only reads or changes existing records refuses a shop the database
    does not know, naming those it does, rather than show an empty shop. A database that
    knows no shop yet is left alone."""
    known = _opening(backend.shops, "cannot list the shops")
    if known and shop not in known:
        raise UnknownShop(
            f"this database knows no shop {shop!r}; its shops are: {', '.join(known)}. "
            "Check --shop (commands that create data, such as order place, start a new shop)."
        )


def _opening(step: Callable[[], T], failure: str) -> T:
    """Run ``step``; a storage or driver failure becomes one line and exit code 3."""
    try:
        return step()
    except Exception as error:
        if classify(error) is ExitCode.STORAGE or isinstance(error, OSError):
            raise StoreUnavailable(f"{failure}: {one_line(error)}") from error
        raise
