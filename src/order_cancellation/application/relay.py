"""The relay: delivers outbox messages to the effect handlers, at least once.

Messages are leased, so several relays (threads, processes, machines) can share one store;
a relay that dies leaves its leases to run out and be taken over. A failed effect is retried
with backoff and dead-lettered after the policy's last attempt; it is never dropped.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

import attrs

from order_cancellation.application import crashpoints
from order_cancellation.application.effects import Effects
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.domain.errors import ConcurrencyConflict, PaymentRejected, StorageError
from order_cancellation.domain.text import storable
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock
from order_cancellation.ports.persistence import MessageStatus, OutboxMessage, UnitOfWork

_log = logging.getLogger("order_cancellation.relay")
_MAX_OUTAGE_WAIT = 60.0
# The lease of messages claimed with their command for inline delivery: long enough for the
# delivery right after the commit, short enough that the effects of a process killed right
# after its commit are taken over at once by any other relay (a restarted worker, the
# next command's inline delivery, process_pending).
INLINE_LEASE: Final = timedelta(seconds=5)


@attrs.frozen(kw_only=True)
class RelayReport:
    delivered: int = 0
    failed: int = 0
    dead_lettered: int = 0

    def __add__(self, other: RelayReport) -> RelayReport:
        return RelayReport(
            delivered=self.delivered + other.delivered,
            failed=self.failed + other.failed,
            dead_lettered=self.dead_lettered + other.dead_lettered,
        )


_NOTHING: Final = RelayReport()
# How one delivery ended; counted into a RelayReport per batch (a report per message would
# be an object made and added for every effect).
_DELIVERED: Final = "delivered"
_FAILED: Final = "failed"
_DEAD: Final = "dead_lettered"


class Relay:
    def __init__(
        self,
        *,
        shop: str,
        backend: Backend,
        effects: Effects,
        clock: Clock,
        policy: RetryPolicy,
        lease: timedelta = timedelta(seconds=60),
        batch_size: int = 100,
        worker_id: str | None = None,
    ) -> None:
        self._shop = shop
        self._backend = backend
        self._effects = effects
        self._clock = clock
        self._policy = policy
        self._lease = lease
        self._batch_size = batch_size
        self.worker_id = worker_id or f"relay-{uuid.uuid4().hex[:12]}"

    def run_once(self) -> RelayReport:
        """Claim one batch of due messages and deliver each."""
        with self._backend.unit_of_work(self._shop) as uow:
            batch = uow.outbox.claim(
                now=self._clock.now(),
                limit=self._batch_size,
                lease=self._lease,
                worker=self.worker_id,
            )
            uow.commit()
        return self._deliver_batch(batch)

    def claim_with_command(self, uow: UnitOfWork) -> Sequence[OutboxMessage]:
        """Lease the due messages, the command's own among them, in the command's own
        transaction: inline effects are then delivered right after its commit without a
        claim of their own (see :meth:`drain_after_commit`).

        The lease is short (:data:`INLINE_LEASE` at most): a process killed right after the
        commit leaves them to the next relay within seconds, not after the full lease."""
        return uow.outbox.claim(
            now=self._clock.now(),
            limit=self._batch_size,
            lease=min(self._lease, INLINE_LEASE),
            worker=self.worker_id,
        )

    def _deliver_batch(self, batch: Sequence[OutboxMessage]) -> RelayReport:
        if not batch:
            return _NOTHING
        crashpoints.reached(crashpoints.AFTER_CLAIM)
        outcomes = [self._deliver(message) for message in batch]
        return RelayReport(
            delivered=outcomes.count(_DELIVERED),
            failed=outcomes.count(_FAILED),
            dead_lettered=outcomes.count(_DEAD),
        )

    def _deliver_claimed(self, batch: Sequence[OutboxMessage]) -> RelayReport:
        """Deliver a batch claimed with the command, then claim again only while the
        deliveries recorded new messages (follow-up events, failures) or the batch was full:
        otherwise nothing else was due when the command committed, and a claim would find
        nothing (later messages are for the next delivery run)."""
        report = RelayReport()
        while batch:
            recorded = self._effects.recorded()
            report += self._deliver_batch(batch)
            if self._effects.recorded() == recorded and len(batch) < self._batch_size:
                break
            batch = self._claim()
        return report

    def _claim(self) -> Sequence[OutboxMessage]:
        with self._backend.unit_of_work(self._shop) as uow:
            batch = uow.outbox.claim(
                now=self._clock.now(),
                limit=self._batch_size,
                lease=self._lease,
                worker=self.worker_id,
            )
            uow.commit()
        return batch

    def drain(self, *, max_batches: int = 10_000) -> RelayReport:
        """Deliver until nothing is due (messages waiting for a retry stay waiting)."""
        report = RelayReport()
        for _ in range(max_batches):
            batch = self.run_once()
            report += batch
            if batch == _NOTHING:
                break
        return report

    def drain_after_commit(
        self,
        *,
        claimed: Sequence[OutboxMessage] | None = None,
        order_id: str | None = None,
        refund_order_id: str | None = None,
    ) -> RelayReport:
        """Deliver a command's effects right after it committed (inline effects): the
        messages ``claimed`` with the command (:meth:`claim_with_command`) and what they set
        off, or (None) everything due.

        The command is done whatever happens here, so a store failure must not reach its
        caller as if nothing had been written: the effects stay pending for the next
        delivery run (a worker, :meth:`drain`, the next inline command), and it is logged."""
        try:
            return self.drain() if claimed is None else self._deliver_claimed(claimed)
        except (StorageError, ConcurrencyConflict) as error:
            text = storable(f"{type(error).__name__}: {error}")
            _log.warning(
                "shop %s: the command committed but its effects could not be delivered now "
                "(%s); they stay pending",
                self._shop,
                text,
                extra={
                    "shop": self._shop,
                    "order_id": order_id,
                    "refund_order_id": refund_order_id,
                    "effect": None,
                    "attempt": None,
                    "error": text,
                    "dead_lettered": False,
                },
            )
            return _NOTHING

    def run_forever(
        self, stop: threading.Event, *, poll_interval: float, give_up_after: float | None = None
    ) -> RelayReport:
        """Deliver until ``stop`` is set; sleeps ``poll_interval`` seconds when idle.

        A store that fails is tried again, waiting longer each time; with ``give_up_after``
        (seconds), a store still failing that long after its first failure re-raises the
        error (a supervised worker then exits and is restarted, or an operator alerted)."""
        report = RelayReport()
        outage = 0
        outage_began = 0.0
        while not stop.is_set():
            try:
                batch = self.run_once()
            except StorageError as error:
                # The store is down: nothing was delivered or lost; wait, longer each time.
                outage += 1
                if outage == 1:
                    outage_began = time.monotonic()
                if give_up_after is not None and (time.monotonic() - outage_began >= give_up_after):
                    raise
                delay = min(poll_interval * 2**outage, _MAX_OUTAGE_WAIT)
                _log.warning(
                    "relay %s: store unavailable (%s); retrying in %.1fs",
                    self.worker_id,
                    error,
                    delay,
                )
                stop.wait(delay)
                continue
            outage = 0
            report += batch
            if batch == _NOTHING:
                stop.wait(poll_interval)
        return report

    def _deliver(self, message: OutboxMessage) -> str:
        """Run one message's effect; say how it ended (delivered, failed or dead)."""
        try:
            self._effects.run(message)
        except Exception as error:
            retry_at = (
                None
                if isinstance(error, PaymentRejected)
                else self._policy.next_attempt(
                    attempts_so_far=message.attempts + 1, now=self._clock.now()
                )
            )
            failed = self._effects.record_failure(message, error, retry_at=retry_at)
            if failed.status is MessageStatus.DEAD:
                return _DEAD
            return _FAILED
        return _DELIVERED
