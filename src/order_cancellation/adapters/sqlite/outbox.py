"""The outbox in SQLite: messages written with the command, leased to relays, oldest first.

"Oldest" is the order messages were recorded (the ``seq`` column), as in the in-memory
store. Claims run inside the unit of work's ``BEGIN IMMEDIATE`` transaction, so two relays
(threads or processes) can never lease one message at once; a lease that ran out is taken
over by the next claim. A row whose event does not decode is quarantined by the claim that
meets it, so it never stops the shop's other messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from order_cancellation.adapters import codec
from order_cancellation.adapters.sqlite.columns import (
    corrupted,
    enum_member,
    optional_utc_datetime,
    optional_utc_text,
    utc_datetime,
    utc_text,
)
from order_cancellation.adapters.sqlite.connection import Statements
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    RepositoryCorrupted,
    StorageError,
)
from order_cancellation.domain.text import storable
from order_cancellation.ports.persistence import FailedMessage, MessageStatus, OutboxMessage

_COLUMNS: Final = (
    "id, handler, refund_order_id, status, attempts, available_at, lease_until, leased_by,"
    " first_attempt_at, last_error, created_at, event"
)
_PENDING: Final = MessageStatus.PENDING.value
_QUARANTINED: Final = MessageStatus.QUARANTINED.value


class SQLiteOutbox:
    def __init__(self, statements: Statements, shop: str) -> None:
        self._db, self._shop = statements, shop

    def add(self, messages: Sequence[OutboxMessage]) -> None:
        added: list[str] = []
        # One event sets off several handlers: its JSON is made once, not once per message.
        texts: dict[int, str] = {}
        try:
            for message in messages:
                event = texts.get(id(message.event))
                if event is None:
                    event = texts[id(message.event)] = codec.dumps_event(message.event)
                self._db.run(
                    "INSERT INTO outbox (shop, id, handler, refund_order_id, status, attempts,"
                    " available_at, lease_until, leased_by, first_attempt_at, last_error,"
                    " created_at, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        self._shop,
                        message.id,
                        message.handler,
                        message.refund_order_id,
                        message.status.value,
                        message.attempts,
                        utc_text(message.available_at),
                        optional_utc_text(message.lease_until),
                        message.leased_by,
                        optional_utc_text(message.first_attempt_at),
                        message.last_error,
                        utc_text(message.created_at),
                        event,
                    ),
                    conflict=f"outbox message {message.id!r} exists already.",
                )
                added.append(message.id)
        except ConcurrencyConflict:
            # Take back what this call added, so that a caller who handles the conflict
            # does not commit half a batch (as every backend does).
            for message_id in added:
                self._db.run(
                    "DELETE FROM outbox WHERE shop = ? AND id = ?", (self._shop, message_id)
                )
            raise

    def get(self, message_id: str) -> OutboxMessage:
        row = self._db.run(
            f"SELECT {_COLUMNS} FROM outbox WHERE shop = ? AND id = ?",  # noqa: S608 - constant columns
            (self._shop, message_id),
        ).fetchone()
        if row is None:
            raise StorageError(f"no outbox message {message_id!r} in this shop.")
        return self._message(row)

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str
    ) -> Sequence[OutboxMessage]:
        moment = utc_text(now)
        claimed: list[OutboxMessage] = []
        while True:
            rows = self._db.run(
                f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 - constant columns
                " WHERE shop = ? AND status = ? AND available_at <= ?"
                " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY seq LIMIT ?",
                (self._shop, _PENDING, moment, moment, max(limit - len(claimed), 0)),
            ).fetchall()
            quarantined = 0
            for row in rows:
                try:
                    message = self._message(row)
                except RepositoryCorrupted as error:
                    self._quarantine(row[0], str(error), now=now)
                    quarantined += 1
                    continue
                leased = attrs.evolve(
                    message,
                    lease_until=now + lease,
                    leased_by=worker,
                    first_attempt_at=message.first_attempt_at or now,
                )
                self._save(leased)
                claimed.append(leased)
            # A quarantined row leaves the due set: read again to fill its place.
            if not quarantined:
                break
        return claimed

    def _quarantine(self, message_id: str, reason: str, *, now: datetime) -> None:
        self._db.run(
            # available_at becomes the moment it was set aside: it may be what was damaged.
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
            " lease_until = NULL, available_at = ?,"
            " first_attempt_at = COALESCE(first_attempt_at, ?) WHERE shop = ? AND id = ?",
            (_QUARANTINED, storable(reason), utc_text(now), utc_text(now), self._shop, message_id),
        )

    def complete(self, message_id: str) -> None:
        # One statement, without reading the message first.
        done = self._db.run(
            "UPDATE outbox SET status = ?, lease_until = NULL WHERE shop = ? AND id = ?",
            (MessageStatus.DONE.value, self._shop, message_id),
        ).rowcount
        if not done:
            raise StorageError(f"no outbox message {message_id!r} in this shop.")

    def attempt_failed(
        self, message_id: str, *, error: str, now: datetime, retry_at: datetime | None
    ) -> OutboxMessage:
        message = self.get(message_id)
        failed = attrs.evolve(
            message,
            attempts=message.attempts + 1,
            last_error=error,
            lease_until=None,
            status=MessageStatus.PENDING if retry_at else MessageStatus.DEAD,
            available_at=retry_at or message.available_at,
            first_attempt_at=message.first_attempt_at or now,
        )
        self._save(failed)
        return failed

    def revive(self, message_id: str, *, now: datetime) -> None:
        # Without reading the message first: a quarantined one's event does not decode.
        revived = self._db.run(
            "UPDATE outbox SET status = ?, available_at = ?, lease_until = NULL"
            " WHERE shop = ? AND id = ? AND status <> ?",
            (_PENDING, utc_text(now), self._shop, message_id, MessageStatus.DONE.value),
        ).rowcount
        if not revived:
            self.get(message_id)  # a done message is left alone; a missing one is an error

    def for_refund_order(self, refund_order_id: str) -> Sequence[OutboxMessage]:
        rows = self._db.run(
            f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 - constant columns
            " WHERE shop = ? AND refund_order_id = ? ORDER BY seq",
            (self._shop, refund_order_id),
        ).fetchall()
        return [self._message(row) for row in rows]

    def pending(self) -> Sequence[OutboxMessage]:
        rows = self._db.run(
            f"SELECT {_COLUMNS} FROM outbox WHERE shop = ? AND status = ? ORDER BY seq",  # noqa: S608 - constant columns
            (self._shop, _PENDING),
        ).fetchall()
        return [self._message(row) for row in rows]

    def failures(self) -> Sequence[FailedMessage]:
        rows = self._db.run(
            "SELECT id, handler, refund_order_id, status, attempts, created_at, available_at,"
            " first_attempt_at, last_error, event FROM outbox"
            " WHERE shop = ? AND status <> 'done'"
            " AND (attempts > 0 OR status <> 'pending') ORDER BY seq",
            (self._shop,),
        ).fetchall()
        return [self._failed(row) for row in rows]

    def _failed(self, row: Sequence[Any]) -> FailedMessage:
        (
            message_id,
            handler,
            refund_order_id,
            status,
            attempts,
            created_at,
            available_at,
            first_attempt_at,
            last_error,
            event,
        ) = row
        what = f"outbox message {message_id!r} of shop {self._shop!r}"
        return FailedMessage(
            id=message_id,
            handler=handler,
            status=enum_member(MessageStatus, status, what=what),
            attempts=attempts,
            created_at=utc_datetime(created_at, what=what),
            available_at=utc_datetime(available_at, what=what),
            order_id=codec.event_order_id(event) if isinstance(event, str) else None,
            refund_order_id=refund_order_id,
            first_attempt_at=optional_utc_datetime(first_attempt_at, what=what),
            last_error=last_error,
        )

    def _save(self, message: OutboxMessage) -> None:
        """Store the changing part of a message read in this transaction."""
        self._db.run(
            "UPDATE outbox SET status = ?, attempts = ?, available_at = ?, lease_until = ?,"
            " leased_by = ?, first_attempt_at = ?, last_error = ? WHERE shop = ? AND id = ?",
            (
                message.status.value,
                message.attempts,
                utc_text(message.available_at),
                optional_utc_text(message.lease_until),
                message.leased_by,
                optional_utc_text(message.first_attempt_at),
                message.last_error,
                self._shop,
                message.id,
            ),
        )

    def _message(self, row: Sequence[Any]) -> OutboxMessage:
        (
            message_id,
            handler,
            refund_order_id,
            status,
            attempts,
            available_at,
            lease_until,
            leased_by,
            first_attempt_at,
            last_error,
            created_at,
            event,
        ) = row
        what = f"outbox message {message_id!r} of shop {self._shop!r}"
        if not isinstance(event, str) or not isinstance(attempts, int):
            raise corrupted(what, "its event is not JSON text or its attempts not a number")
        try:
            decoded = codec.loads_event(event)
        except RepositoryCorrupted as error:
            raise corrupted(what, str(error).rstrip(".")) from error
        return OutboxMessage(
            id=message_id,
            handler=handler,
            event=decoded,
            created_at=utc_datetime(created_at, what=what),
            available_at=utc_datetime(available_at, what=what),
            refund_order_id=refund_order_id,
            status=enum_member(MessageStatus, status, what=what),
            attempts=attempts,
            first_attempt_at=optional_utc_datetime(first_attempt_at, what=what),
            last_error=last_error,
            lease_until=optional_utc_datetime(lease_until, what=what),
            leased_by=leased_by,
        )
