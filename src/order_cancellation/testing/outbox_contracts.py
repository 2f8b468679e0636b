"""Contract suite of the outbox's failure handling: listing failures and quarantine.

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

from collections.abc import Callable
from datetime import timedelta

import pytest

from order_cancellation.domain.errors import StorageError
from order_cancellation.domain.text import storable
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import MessageStatus, OutboxMessage
from order_cancellation.testing.contracts import SHOP, T0, sample_message

DamageEvent = Callable[[Backend, str, str, str], None]
FUTURE_EVENT = '{"type": "EventFromANewerRelease", "data": {"order_id": "o-9"}}'
"""A stored event this release cannot decode, naming its order as every event does."""


class OutboxFailuresContract:
    """Provide ``backend`` and ``damage_event``; every test below runs against them."""

    # -- listing failures ------------------------------------------------------------------------

    def test_failures_are_the_retrying_and_dead_messages_oldest_first(
        self, backend: Backend
    ) -> None:
        self._add_all(backend, *(sample_message(f"m-{n}", refund_order_id="r-1") for n in range(4)))
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
            ("publish", "o-1", "r-1", T0)
        }

    def test_a_revived_message_stays_a_failure_until_it_is_done(self, backend: Backend) -> None:
        self._add_all(backend, sample_message("m-1"))
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
        self._add_all(backend, sample_message("m-1"))
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.complete("m-1")
            uow.outbox.revive("m-1", now=T0)
            assert uow.outbox.get("m-1").status is MessageStatus.DONE
            with pytest.raises(StorageError, match="m-404"):
                uow.outbox.revive("m-404", now=T0)

    def test_an_error_made_storable_is_kept_as_it_was_given(self, backend: Backend) -> None:
        self._add_all(backend, sample_message("m-1"))
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
        self._add_all(backend, *(sample_message(f"m-{n}") for n in range(3)))
        damage_event(backend, SHOP, "m-1", FUTURE_EVENT)

        claimed = self._claim_due(backend, limit=10)

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
        self._add_all(backend, *(sample_message(f"m-{n}") for n in range(4)))
        damage_event(backend, SHOP, "m-0", FUTURE_EVENT)
        damage_event(backend, SHOP, "m-1", FUTURE_EVENT)

        claimed = self._claim_due(backend, limit=1)

        assert [m.id for m in claimed] == ["m-2"]

    def test_a_quarantined_message_is_revived_without_decoding_it(
        self, backend: Backend, damage_event: DamageEvent
    ) -> None:
        self._add_all(backend, sample_message("m-1"))
        damage_event(backend, SHOP, "m-1", FUTURE_EVENT)
        self._claim_due(backend, limit=10)
        later = T0 + timedelta(days=1)

        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.revive("m-1", now=later)
            uow.commit()

        with backend.unit_of_work(SHOP) as uow:
            (revived,) = uow.outbox.failures()
        assert (revived.status, revived.available_at) == (MessageStatus.PENDING, later)

    # -- helpers ---------------------------------------------------------------------------------

    def _add_all(self, backend: Backend, *messages: OutboxMessage) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.add(list(messages))
            uow.commit()

    def _claim_due(self, backend: Backend, *, limit: int) -> list[OutboxMessage]:
        with backend.unit_of_work(SHOP) as uow:
            claimed = list(
                uow.outbox.claim(
                    now=T0 + timedelta(seconds=1),
                    limit=limit,
                    lease=timedelta(minutes=1),
                    worker="w",
                )
            )
            uow.commit()
        return claimed
