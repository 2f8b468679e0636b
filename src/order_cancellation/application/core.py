"""The plumbing every use case shares: one transaction per command, idempotency keys,
versions, outbox records, and the relay that runs effects after the commit.

Every mutating call is one transaction: the guarded state change, the refund order if any,
the idempotency record and the outbox messages for its effects. Nothing outside the store
is called inside that transaction; effects run afterwards, from the outbox.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Literal, Self, TypeVar

from order_cancellation.application import crashpoints
from order_cancellation.application.effects import Effects
from order_cancellation.application.ids import new_id
from order_cancellation.application.local_effects import restock_in_command
from order_cancellation.application.relay import Relay
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.application.routing import messages_for
from order_cancellation.domain.decisions import Decision
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    OrderAlreadyExists,
    OrderNotFound,
)
from order_cancellation.domain.events import DomainEvent
from order_cancellation.domain.order import Order
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.tenders import TenderPolicy
from order_cancellation.domain.values import (
    ReasonCode,
    check_identifier,
    shown,
)
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.ports.persistence import (
    Effect,
    IdempotencyRecord,
    MessageStatus,
    UnitOfWork,
)
from order_cancellation.ports.stock import StockLedger

T = TypeVar("T")
MAX_VERSION = 2**63 - 1  # what every store can hold
CONFLICT_ATTEMPTS = 3  # deciding again after a conflict; each retry sees a newer version
EffectsMode = Literal["inline", "deferred"]


class ServiceCore:
    """What the use cases of one shop share; :class:`SalesService` is the whole of them."""

    def __init__(
        self,
        *,
        shop: str,
        backend: Backend,
        gateways: Mapping[str, PaymentGateway],
        default_gateway: PaymentGateway,
        clock: Clock,
        publisher: EventPublisher | None = None,
        stock: StockLedger | None = None,
        effects: EffectsMode = "inline",
        retry_policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        prices_include_tax: bool = True,
        tender_policy: TenderPolicy = TenderPolicy.EXTERNAL_FIRST,
    ) -> None:
        self.shop = check_identifier(shop, "the shop")
        if effects not in ("inline", "deferred"):
            raise InvalidInput("effects is 'inline' or 'deferred'.")
        check_flag(prices_include_tax, "prices_include_tax")
        self.prices_include_tax = prices_include_tax
        if not isinstance(tender_policy, TenderPolicy):
            raise InvalidInput(
                f"tender_policy is a TenderPolicy, one of {[p.name for p in TenderPolicy]}."
            )
        self.tender_policy = tender_policy
        self._backend = backend
        self._clock = clock
        self._publisher = publisher
        self._external_stock = stock
        self._effects_mode: EffectsMode = effects
        self._effects = Effects(
            shop=self.shop,
            backend=backend,
            gateways=gateways,
            default_gateway=default_gateway,
            publisher=publisher,
            clock=clock,
            external_stock=stock,
        )
        # Restock in the command's own transaction: inline effects, built-in ledger (see
        # application/local_effects.py).
        self._restocks_in_command = effects == "inline" and stock is None
        self._local = threading.local()
        self._retry_policy = retry_policy or RetryPolicy()
        self._lease = lease
        self._relay = self._new_relay()

    def close(self) -> None:
        """Release the backend's connections, if it holds any."""
        close = getattr(self._backend, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _new_relay(self, worker_id: str | None = None) -> Relay:
        return Relay(
            shop=self.shop,
            backend=self._backend,
            effects=self._effects,
            clock=self._clock,
            policy=self._retry_policy,
            lease=self._lease,
            worker_id=worker_id,
        )

    def get_order(self, order_id: str) -> Order:
        check_identifier(order_id, "the order id")
        with self._uow() as uow:
            return uow.orders.get(order_id)

    def get_refund_order(self, refund_order_id: str) -> RefundOrder:
        check_identifier(refund_order_id, "the refund order id")
        with self._uow() as uow:
            return uow.refunds.get(refund_order_id)

    def _uow(self) -> UnitOfWork:
        return self._backend.unit_of_work(self.shop)

    def _now(self) -> datetime:
        return self._clock.now()

    def _after_command(
        self, *, order_id: str | None = None, refund_order_id: str | None = None
    ) -> None:
        crashpoints.reached(crashpoints.AFTER_COMMIT)
        if getattr(self._local, "restocked", False):
            self._local.restocked = False
            # The command's own transaction moved the stock: a kill here finds it moved
            # and recorded, with the other effects still to run.
            crashpoints.reached(crashpoints.AFTER_STOCK_MOVEMENT)
        claimed, self._local.claimed = getattr(self._local, "claimed", None), None
        stored, self._local.stored_refund = getattr(self._local, "stored_refund", None), None
        if self._effects_mode == "inline":
            known = self._effects.known
            known.collect(stored if claimed is not None else None)
            try:
                self._relay.drain_after_commit(
                    claimed=claimed, order_id=order_id, refund_order_id=refund_order_id
                )
            finally:
                self._local.result = known.collected(refund_order_id)

    def _refund_result(self, refund_order_id: str) -> RefundOrder:
        """A command's refund order after its inline effects: as this thread last committed
        it (no read back; see application/known.py), else read."""
        known: RefundOrder | None = getattr(self._local, "result", None)
        self._local.result = None
        if known is not None and known.id == refund_order_id:
            return known
        with self._uow() as uow:
            return uow.refunds.get(refund_order_id)

    def _load(self, uow: UnitOfWork, order_id: str, expected_version: int | None) -> Order:
        if expected_version is not None and (
            type(expected_version) is not int or not 1 <= expected_version <= MAX_VERSION
        ):
            raise InvalidInput(
                f"expected_version is a whole number from 1 to {MAX_VERSION}, the version "
                "of the order you read."
            )
        order = uow.orders.get(order_id)
        if expected_version is not None and order.version != expected_version:
            raise ConcurrencyConflict(
                f"order {order_id!r} is at version {order.version}, not {expected_version}; "
                "someone changed it; reload it and decide again."
            )
        return order

    def _store(
        self,
        uow: UnitOfWork,
        decision: Decision,
        key: str | None,
        fingerprint: str,
        result_id: str,
    ) -> None:
        if decision.order.version == 1:
            uow.orders.add(decision.order)
        else:
            uow.orders.update(decision.order)
        refund, events = decision.refund_order, list(decision.events)
        restocked = (
            restock_in_command(uow, refund, events, now=self._now())
            if refund is not None and self._restocks_in_command
            else None
        )
        self._local.restocked = restocked is not None
        if restocked is not None:
            refund = restocked.refund
            events.append(restocked.event)
        if refund is not None:
            uow.refunds.add(refund)
        self._local.stored_refund = refund
        messages = messages_for(events, now=self._now(), publish=self._publisher is not None)
        if restocked is not None:
            # Done already, in this transaction: written for the record (and so that a
            # redelivery, at least once, finds the refund order restocked).
            messages = [
                replace(m, status=MessageStatus.DONE) if m.handler == Effect.RESTOCK else m
                for m in messages
            ]
        uow.outbox.add(messages)
        self._remember(uow, key, fingerprint, result_id)

    def _record(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        uow.outbox.add(messages_for(events, now=self._now(), publish=self._publisher is not None))

    def _remember(self, uow: UnitOfWork, key: str | None, fingerprint: str, result: str) -> None:
        if key is not None:
            uow.idempotency.add(
                IdempotencyRecord(
                    key=key, fingerprint=fingerprint, result_id=result, created_at=self._now()
                )
            )

    def _replayed(self, uow: UnitOfWork, key: str | None, fingerprint: str) -> str | None:
        if key is None:
            return None
        record = uow.idempotency.get(check_identifier(key, "the idempotency key"))
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                f"the idempotency key {key!r} was used for a different command; "
                "use a new key for each distinct command."
            )
        return record.result_id

    def _command(
        self,
        command: Callable[[UnitOfWork], str],
        key: str | None,
        fingerprint: str,
        *,
        decide_again: bool = False,
    ) -> str:
        result, _ = self._command_or_replay(command, key, fingerprint, decide_again=decide_again)
        return result

    def _command_or_replay(
        self,
        command: Callable[[UnitOfWork], str],
        key: str | None,
        fingerprint: str,
        *,
        decide_again: bool = False,
    ) -> tuple[str, bool]:
        """Run ``command`` in one transaction, or replay the result recorded under ``key``;
        say which (True: replayed, the command itself committed nothing).

        ``decide_again``: the caller named no version, so a conflict (another transaction
        changed the order between our read and our write) is met by deciding again on the
        order as it now is, as if the two had run one after the other: the command then
        succeeds or is rejected with its own typed error (say, OrderAlreadyCanceled).
        """
        attempts = CONFLICT_ATTEMPTS if decide_again else 1
        self._local.claimed = self._local.stored_refund = None
        self._local.restocked = False
        for attempt in range(1, attempts + 1):
            with self._uow() as uow:
                replay = self._replayed(uow, key, fingerprint)
                if replay is not None:
                    return replay, True
                try:
                    result = command(uow)
                    claimed = (
                        self._relay.claim_with_command(uow)
                        if self._effects_mode == "inline"
                        else None
                    )
                    crashpoints.reached(crashpoints.BEFORE_COMMIT)
                    uow.commit()
                except ConcurrencyConflict:
                    if key is None and attempt == attempts:
                        raise
                else:
                    self._local.claimed = claimed
                    return result, False
        # Only a keyed command gets here. Another caller may have committed the same key
        # between our read and our commit.
        with self._uow() as uow:
            replay = self._replayed(uow, key, fingerprint)
        if replay is not None:
            return replay, True
        raise ConcurrencyConflict("the order changed while the command ran; try again.")


def refuse_existing(uow: UnitOfWork, order_id: str) -> None:
    try:
        uow.orders.get(order_id)
    except OrderNotFound:
        return
    raise OrderAlreadyExists(
        f"order {order_id!r} exists already in this shop; place a new order under a new "
        f"order id, or read this one with get_order({order_id!r})."
    )


def new_command_id(prefix: str) -> str:
    return new_id(prefix)


def command_fingerprint(*parts: object) -> str:
    try:
        return json.dumps(parts, default=str)
    except ValueError:  # an int too long to write out; no valid command holds one
        raise InvalidInput(
            "the command holds a number far too large for any of its arguments; check them."
        ) from None


def quantities_text(quantities: Mapping[str, int] | None) -> object:
    if quantities is None:
        return None
    if not isinstance(quantities, Mapping):
        raise InvalidInput("quantities are a mapping of line id (or SKU) to a whole number.")
    # shown(): a key or quantity may be an int too large to print; it is refused later.
    return sorted(
        (key if isinstance(key, str) else shown(key, None), shown(value, None))
        for key, value in quantities.items()
    )


def check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} is True or False, not {shown(value, None)}.")


def parse_reason_code(code: ReasonCode | str | None) -> ReasonCode | None:
    if code is None or isinstance(code, ReasonCode):
        return code
    if isinstance(code, str) and code.upper() in ReasonCode.__members__:
        return ReasonCode[code.upper()]
    raise InvalidInput(
        f"{shown(code, None)} is not a reason code; use one of {', '.join(ReasonCode.__members__)}."
    )
