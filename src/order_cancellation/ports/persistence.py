"""Persistence ports: a unit of work over orders, refund orders, labels, keys and the outbox.

A unit of work is one transaction for one shop. Everything read through it belongs to that
shop; a record of another shop is indistinguishable from a missing one. Nothing is written
until :meth:`UnitOfWork.commit`; leaving the ``with`` block without committing rolls back.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime, timedelta
from types import TracebackType
from typing import Final, Protocol, Self

import attrs

from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.status import StatusCatalog
from order_cancellation.ports.queries import ListingQueries
from order_cancellation.ports.stock import StockLedger
from order_cancellation.ports.tokens import ApiTokens
from order_cancellation.ports.webhooks import WebhookEndpoints


class OrderRepository(Protocol):
    def get(self, order_id: str) -> Order:
        """The order, or :class:`OrderNotFound` (also for another shop's order)."""
        ...

    def add(self, order: Order) -> None:
        """Store a new order; an existing id raises :class:`ConcurrencyConflict`."""
        ...

    def update(self, order: Order) -> None:
        """Compare-and-set: store ``order`` only if the stored version is ``order.version - 1``.

        Otherwise raise :class:`ConcurrencyConflict` (at once or at commit).
        """
        ...

    def placed_between(self, start: datetime, end: datetime) -> Sequence[Order]:
        """Orders with ``start <= placed_at < end``, oldest first."""
        ...


class RefundOrderRepository(Protocol):
    def get(self, refund_order_id: str) -> RefundOrder:
        """The refund order, or :class:`RefundOrderNotFound`."""
        ...

    def add(self, refund: RefundOrder) -> None: ...

    def update(self, refund: RefundOrder) -> None:
        """Compare-and-set on ``refund.version``, as :meth:`OrderRepository.update`."""
        ...

    def list(self, *, order_id: str | None = None) -> Sequence[RefundOrder]:
        """Refund orders, newest first; those of one order when ``order_id`` is given."""
        ...

    def created_between(self, start: datetime, end: datetime) -> Sequence[RefundOrder]: ...


class StatusLabelRepository(Protocol):
    def catalog(self) -> StatusCatalog:
        """The shop's labels, the defaults included."""
        ...

    def define(self, label: str, means: OrderState) -> None: ...


@attrs.frozen(kw_only=True)
class IdempotencyRecord:
    """What a command did the first time its key was used."""

    key: str
    fingerprint: str  # the command and its arguments; another command may not reuse the key
    result_id: str
    created_at: datetime


class IdempotencyStore(Protocol):
    def get(self, key: str) -> IdempotencyRecord | None: ...

    def add(self, record: IdempotencyRecord) -> None:
        """Store a new record; an existing key raises :class:`ConcurrencyConflict`."""
        ...


class Effect(enum.StrEnum):
    """The effects an outbox message can run, named once for every module that reads them.

    The value is what the outbox stores (unchanged since release 0.1.0). A message keeps
    its ``handler`` as text, since a newer release may have written an effect this one does
    not know; a member compares and hashes equal to its value.
    """

    RESTOCK = "restock"  # put a refund order's units back in stock
    SETTLE_PAYMENT = "settle_payment"  # refund or release a refund order's money
    CAPTURE_PAYMENT = "capture_payment"  # capture the money of shipped units
    PUBLISH = "publish"  # hand the event to the shop's publisher


REFUND_ORDER_EFFECTS: Final = (Effect.RESTOCK, Effect.SETTLE_PAYMENT)
"""The effects whose status and last error a refund order keeps (a capture or a publication
has no refund order of its own). A stored handler text is found in it as well."""


class MessageStatus(enum.Enum):
    PENDING = "pending"
    DONE = "done"
    DEAD = "dead"  # dead-lettered: out of attempts, waits for a person
    QUARANTINED = "quarantined"  # its stored event does not decode; set aside, waits for a person


@attrs.frozen(kw_only=True)
class OutboxMessage:
    """One effect to run for one recorded event: ``handler`` (an :class:`Effect`'s value)
    applied to ``event``."""

    id: str
    handler: str
    event: DomainEvent
    created_at: datetime
    available_at: datetime
    refund_order_id: str | None = None
    status: MessageStatus = MessageStatus.PENDING
    attempts: int = 0
    first_attempt_at: datetime | None = None
    last_error: str | None = None
    lease_until: datetime | None = None
    leased_by: str | None = None


@attrs.frozen(kw_only=True)
class FailedMessage:
    """An outbox message that failed at least once and is not done, read without decoding
    its event: a quarantined message's event does not decode."""

    id: str
    handler: str
    status: MessageStatus
    attempts: int
    created_at: datetime
    available_at: datetime
    order_id: str | None  # read from the stored event when it holds one
    refund_order_id: str | None = None
    first_attempt_at: datetime | None = None
    last_error: str | None = None


class Outbox(Protocol):
    def add(self, messages: Sequence[OutboxMessage]) -> None: ...

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str
    ) -> Sequence[OutboxMessage]:
        """Lease up to ``limit`` pending messages that are due and not leased by another
        worker, oldest first. A lease that has run out may be taken over.

        A due message whose stored event does not decode (a newer release's event type, a
        damaged row) is quarantined in the same transaction, with the reason as its
        ``last_error``, and the claim goes on with the others."""
        ...

    def get(self, message_id: str) -> OutboxMessage: ...

    def complete(self, message_id: str) -> None:
        """Mark done; commit it in the same transaction as the effect's own records."""
        ...

    def attempt_failed(
        self, message_id: str, *, error: str, now: datetime, retry_at: datetime | None
    ) -> OutboxMessage:
        """Count a failed attempt; retry at ``retry_at``, or dead-letter when it is None."""
        ...

    def revive(self, message_id: str, *, now: datetime) -> None:
        """Make a dead-lettered, quarantined or waiting message due again now, keeping its
        history (a done one is left alone). It needs no decodable event."""
        ...

    def failures(self) -> Sequence[FailedMessage]:
        """Messages waiting for a retry after a failed attempt, dead-lettered or quarantined,
        oldest first. A message in a status this release does not know is reported
        (:class:`RepositoryCorrupted`), not left out."""
        ...

    def for_refund_order(self, refund_order_id: str) -> Sequence[OutboxMessage]: ...

    def pending(self) -> Sequence[OutboxMessage]:
        """Every message not yet done, dead or quarantined, due or not."""
        ...


class UnitOfWork(Protocol):
    """One transaction over one shop's records."""

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def refunds(self) -> RefundOrderRepository: ...

    @property
    def labels(self) -> StatusLabelRepository: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def outbox(self) -> Outbox: ...

    @property
    def stock(self) -> StockLedger:
        """The shop's stock, in the same transaction as everything else."""
        ...

    @property
    def queries(self) -> ListingQueries:
        """Listing and paging over the shop's orders and refund orders."""
        ...

    @property
    def webhooks(self) -> WebhookEndpoints:
        """The shop's webhook endpoints."""
        ...

    @property
    def api_tokens(self) -> ApiTokens:
        """The shop's API tokens (hashed)."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...

    def rollback(self) -> None: ...
