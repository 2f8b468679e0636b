"""Contract suites of the outbox: claims and leases (:class:`OutboxContract`, part of
:class:`~order_cancellation.testing.contracts.BackendContract`), and failure handling:
listing failures and quarantine (:class:`OutboxFailuresContract`).

Subclass :class:`OutboxFailuresContract` beside :class:`~.contracts.BackendContract` and
provide the same ``backend`` fixture, and a ``damage_event`` fixture: a callable
``(backend, shop, message_id, text)`` that overwrites one message's stored event behind the
library's back. A store that keeps events as objects, which never fail to decode, skips the
quarantine tests by calling ``pytest.skip`` in that fixture::

    class TestMyBackend(BackendContract, OutboxFailuresContract):
        @pytest.fixture
        def damage_event(self):
            def damage(backend, shop, message_id, text):
                ...  # UPDATE outbox SET event = text WHERE shop = ... AND id = ...
            return damage
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest

from order_cancellation.domain.errors import ConcurrencyConflict, StorageError
from order_cancellation.domain.text import storable
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import Effect, MessageStatus
from order_cancellation.testing.samples import (
    SHOP,
    T0,
    add_messages,
    claim,
    refused,
    sample_message,
)

DamageEvent = Callable[[Backend, str, str, str], None]
FUTURE_EVENT = '{"type": "EventFromANewerRelease", "data": {"order_id": "o-9"}}'
"""A stored event this release cannot decode, naming its order as every event does."""


class OutboxContract:
    """Provide ``backend``: a fresh, empty store."""

    def test_a_claimed_message_is_leased_to_its_worker(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        first = claim(backend, T0, worker="w1")
        second = claim(backend, T0 + timedelta(seconds=30), worker="w2")
        assert [(m.id, m.leased_by) for m in first] == [("m-1", "w1")]
        assert second == []

    def test_a_lease_that_ran_out_is_taken_over(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        claim(backend, T0, worker="w1")
        taken = claim(backend, T0 + timedelta(minutes=2), worker="w2")
        assert [(m.id, m.leased_by) for m in taken] == [("m-1", "w2")]

    def test_messages_are_claimed_oldest_first_up_to_the_limit(self, backend: Backend) -> None:
        messages = [sample_message(f"m-{n}", at=T0 + timedelta(seconds=n)) for n in range(5)]
        add_messages(backend, *messages)
        claimed = claim(backend, T0 + timedelta(minutes=1), worker="w", limit=3)
        assert [m.id for m in claimed] == ["m-0", "m-1", "m-2"]

    def test_a_message_not_yet_due_is_not_claimed(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1", at=T0 + timedelta(hours=1)))
        assert claim(backend, T0, worker="w") == []

    def test_a_completed_message_is_neither_pending_nor_claimed(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.complete("m-1")
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.outbox.pending()) == []
            assert uow.outbox.get("m-1").status is MessageStatus.DONE
        assert claim(backend, T0 + timedelta(hours=1), worker="w") == []

    def test_a_failed_attempt_waits_for_its_retry_time(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        claim(backend, T0, worker="w")
        retry_at = T0 + timedelta(minutes=10)
        with backend.unit_of_work(SHOP) as uow:
            failed = uow.outbox.attempt_failed("m-1", error="timeout", now=T0, retry_at=retry_at)
            uow.commit()
        assert (failed.attempts, failed.status, failed.last_error) == (
            1,
            MessageStatus.PENDING,
            "timeout",
        )
        assert claim(backend, T0 + timedelta(minutes=9), worker="w") == []
        again = claim(backend, retry_at, worker="w")
        assert [(m.id, m.attempts, m.first_attempt_at) for m in again] == [("m-1", 1, T0)]

    def test_a_dead_lettered_message_waits_until_revived(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1", refund_order_id="r-1"))
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.attempt_failed("m-1", error="refused", now=T0, retry_at=None)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.outbox.get("m-1").status is MessageStatus.DEAD
            assert list(uow.outbox.pending()) == []
            assert [m.id for m in uow.outbox.for_refund_order("r-1")] == ["m-1"]
        assert claim(backend, T0 + timedelta(days=1), worker="w") == []
        later = T0 + timedelta(days=2)
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.revive("m-1", now=later)
            uow.commit()
        revived = claim(backend, later, worker="w")
        assert [(m.id, m.attempts, m.status) for m in revived] == [
            ("m-1", 1, MessageStatus.PENDING)
        ]

    def test_a_message_keeps_its_event(self, backend: Backend) -> None:
        message = sample_message("m-1")
        add_messages(backend, message)
        with backend.unit_of_work(SHOP) as uow:
            assert uow.outbox.get("m-1").event == message.event

    def test_concurrent_claims_never_hand_one_message_to_two_workers(
        self, backend: Backend
    ) -> None:
        add_messages(
            backend,
            *(sample_message(f"m-{n}", at=T0 + timedelta(microseconds=n)) for n in range(40)),
        )
        claimed: list[str] = []
        lock = threading.Lock()

        def worker(name: str) -> None:
            while True:
                batch = claim(backend, T0 + timedelta(seconds=1), worker=name, limit=3)
                if not batch:
                    return
                with lock:
                    claimed.extend(m.id for m in batch)

        threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(claimed) == sorted(f"m-{n}" for n in range(40))

    def test_a_batch_with_a_taken_id_adds_none_of_its_messages(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        batch = [sample_message("m-2"), sample_message("m-1")]
        assert refused(backend, lambda uow: uow.outbox.add(batch), ConcurrencyConflict) == 1
        with backend.unit_of_work(SHOP) as uow:
            assert [m.id for m in uow.outbox.pending()] == ["m-1"]


class OutboxFailuresContract:
    """Provide ``backend`` and ``damage_event``; every test below runs against them."""

    # -- listing failures ------------------------------------------------------------------------

    def test_failures_are_the_retrying_and_dead_messages_oldest_first(
        self, backend: Backend
    ) -> None:
        add_messages(backend, *(sample_message(f"m-{n}", refund_order_id="r-1") for n in range(4)))
        retry_at = T0 + timedelta(minutes=5)
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.attempt_failed("m-1", error="timeout", now=T0, retry_at=retry_at)
            uow.outbox.attempt_failed("m-2", error="refused", now=T0, retry_at=None)
            uow.outbox.attempt_failed("m-3", error="timeout", now=T0, retry_at=retry_at)
            uow.outbox.complete("m-3")
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            failures = list(uow.outbox.failures())
        assert [
            (f.id, f.status, f.attempts, f.last_error, f.available_at, f.first_attempt_at)
            for f in failures
        ] == [
            ("m-1", MessageStatus.PENDING, 1, "timeout", retry_at, T0),
            ("m-2", MessageStatus.DEAD, 1, "refused", T0, T0),
        ]
        assert {(f.handler, f.order_id, f.refund_order_id, f.created_at) for f in failures} == {
            (Effect.PUBLISH, "o-1", "r-1", T0)
        }

    def test_a_revived_message_stays_a_failure_until_it_is_done(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        later = T0 + timedelta(hours=1)
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.attempt_failed("m-1", error="refused", now=T0, retry_at=None)
            uow.outbox.revive("m-1", now=later)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            (revived,) = uow.outbox.failures()
            assert (revived.status, revived.available_at) == (MessageStatus.PENDING, later)
            uow.outbox.complete("m-1")
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.outbox.failures()) == []

    def test_reviving_a_done_message_leaves_it_done_and_a_missing_one_is_an_error(
        self, backend: Backend
    ) -> None:
        add_messages(backend, sample_message("m-1"))
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.complete("m-1")
            uow.outbox.revive("m-1", now=T0)
            assert uow.outbox.get("m-1").status is MessageStatus.DONE
            with pytest.raises(StorageError, match="m-404"):
                uow.outbox.revive("m-404", now=T0)

    def test_an_error_made_storable_is_kept_as_it_was_given(self, backend: Backend) -> None:
        add_messages(backend, sample_message("m-1"))
        error = storable("Klarna said: \x00 «nein» 'x'; %s {schema} \u2603" + "z" * 2_000)
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.attempt_failed("m-1", error=error, now=T0, retry_at=None)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            (failure,) = uow.outbox.failures()
        assert failure.last_error == error
        assert len(error) == 500

    # -- quarantine ------------------------------------------------------------------------------

    def test_an_undecodable_message_is_quarantined_and_the_others_are_claimed(
        self, backend: Backend, damage_event: DamageEvent
    ) -> None:
        add_messages(backend, *(sample_message(f"m-{n}") for n in range(3)))
        damage_event(backend, SHOP, "m-1", FUTURE_EVENT)

        claimed = claim(backend, T0 + timedelta(seconds=1), worker="w", limit=10)

        assert [m.id for m in claimed] == ["m-0", "m-2"]
        with backend.unit_of_work(SHOP) as uow:
            (quarantined,) = uow.outbox.failures()
            assert [m.id for m in uow.outbox.pending()] == ["m-0", "m-2"]
        assert (quarantined.id, quarantined.status, quarantined.attempts) == (
            "m-1",
            MessageStatus.QUARANTINED,
            1,
        )
        assert quarantined.order_id == "o-9"
        assert "EventFromANewerRelease" in (quarantined.last_error or "")

    def test_a_claim_reads_past_quarantined_messages_up_to_its_limit(
        self, backend: Backend, damage_event: DamageEvent
    ) -> None:
        add_messages(backend, *(sample_message(f"m-{n}") for n in range(4)))
        damage_event(backend, SHOP, "m-0", FUTURE_EVENT)
        damage_event(backend, SHOP, "m-1", FUTURE_EVENT)

        claimed = claim(backend, T0 + timedelta(seconds=1), worker="w", limit=1)

        assert [m.id for m in claimed] == ["m-2"]

    def test_a_quarantined_message_is_revived_without_decoding_it(
        self, backend: Backend, damage_event: DamageEvent
    ) -> None:
        add_messages(backend, sample_message("m-1"))
        damage_event(backend, SHOP, "m-1", FUTURE_EVENT)
        claim(backend, T0 + timedelta(seconds=1), worker="w", limit=10)
        later = T0 + timedelta(days=1)

        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.revive("m-1", now=later)
            uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            (revived,) = uow.outbox.failures()
        assert (revived.status, revived.available_at) == (MessageStatus.PENDING, later)
