"""The outbox of one shop, shared by any number of relays on any number of machines.

A claim locks due rows with ``FOR UPDATE SKIP LOCKED`` and writes a lease in the same
statement, so two relays never take one message: the second skips rows the first is
claiming, and once the first commits, the lease keeps them out until it runs out. The row
locks end with the claiming unit of work; the lease, a plain column, is what outlives it,
so nothing is locked while an effect calls a payment service. A row whose event does not
decode is quarantined by the claim that meets it, so it never stops the shop's other
messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from order_cancellation.adapters import codec
from order_cancellation.adapters.postgres.connection import Row, Session, corrupted, utc
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    RepositoryCorrupted,
    StorageError,
)
from order_cancellation.domain.text import storable
from order_cancellation.ports.persistence import FailedMessage, MessageStatus, OutboxMessage

_COLUMNS = (
    "id, handler, refund_order_id, status, attempts, created_at, available_at, lease_until,"
    " leased_by, first_attempt_at, last_error, event::text, seq"
)


class PostgresOutbox:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, messages: Sequence[OutboxMessage]) -> None:
        if not messages:
            return
        ids = [m.id for m in messages]
        # One event sets off several handlers: its JSON is made once, not once per message.
        texts: dict[int, str] = {}
        for m in messages:
            if id(m.event) not in texts:
                texts[id(m.event)] = codec.dumps_event(m.event)
        added = self._s.rows(
            "INSERT INTO {schema}.outbox (shop, id, handler, refund_order_id, status,"
            " attempts, created_at, available_at, lease_until, leased_by, first_attempt_at,"
            " last_error, event)"
            " SELECT %s, m.id, m.handler, m.refund_order_id, m.status, m.attempts,"
            " m.created_at, m.available_at, m.lease_until, m.leased_by, m.first_attempt_at,"
            " m.last_error, m.event::jsonb"
            " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::integer[],"
            " %s::timestamptz[], %s::timestamptz[], %s::timestamptz[], %s::text[],"
            # The events in binary (%b): a text array would escape every quote of every
            # event's JSON with a regular expression, the costliest part of a cancel.
            " %s::timestamptz[], %s::text[], %b::text[])"
            " WITH ORDINALITY AS m(id, handler, refund_order_id, status, attempts, created_at,"
            " available_at, lease_until, leased_by, first_attempt_at, last_error, event, n)"
            " ORDER BY m.n"  # seq follows the order of the batch
            " ON CONFLICT (shop, id) DO NOTHING RETURNING id",
            (
                self._s.shop,
                ids,
                [m.handler for m in messages],
                [m.refund_order_id for m in messages],
                [m.status.value for m in messages],
                [m.attempts for m in messages],
                [m.created_at for m in messages],
                [m.available_at for m in messages],
                [m.lease_until for m in messages],
                [m.leased_by for m in messages],
                [m.first_attempt_at for m in messages],
                [m.last_error for m in messages],
                [texts[id(m.event)] for m in messages],
            ),
            "adding outbox messages",
        )
        if len(added) == len(set(ids)) == len(ids):
            return
        # Take back what this call added, so that a caller who handles the conflict does
        # not commit half a batch.
        self._s.run(
            "DELETE FROM {schema}.outbox WHERE shop = %s AND id = ANY(%s::text[])",
            (self._s.shop, [row[0] for row in added]),
            "adding outbox messages",
        )
        stored = {row[0] for row in added}
        taken = sorted(set(ids) - stored) or sorted({i for i in ids if ids.count(i) > 1})
        raise ConcurrencyConflict(f"outbox message {taken[0]!r} exists already.")

    def get(self, message_id: str) -> OutboxMessage:
        row = self._s.one(
            "SELECT {columns} FROM {schema}.outbox WHERE shop = %s AND id = %s",
            (self._s.shop, message_id),
            "reading an outbox message",
            columns=_COLUMNS,
        )
        if row is None:
            raise StorageError(f"no outbox message {message_id!r} in this shop.")
        return _message(row)

    def claim(
        self, *, now: datetime, limit: int, lease: timedelta, worker: str
    ) -> Sequence[OutboxMessage]:
        claimed: list[OutboxMessage] = []
        while True:
            rows = self._lease(now=now, limit=limit - len(claimed), lease=lease, worker=worker)
            quarantined = 0
            for row in sorted(rows, key=lambda row: int(row[-1])):
                try:
                    claimed.append(_message(row))
                except RepositoryCorrupted as error:
                    self._quarantine(row[0], str(error), now=now)
                    quarantined += 1
            # A quarantined row leaves the due set: read again to fill its place.
            if not quarantined:
                break
        return claimed

    def _lease(self, *, now: datetime, limit: int, lease: timedelta, worker: str) -> list[Row]:
        return self._s.rows(
            "WITH due AS ("
            " SELECT id FROM {schema}.outbox"
            " WHERE shop = %s AND status = 'pending' AND available_at <= %s"
            " AND (lease_until IS NULL OR lease_until <= %s)"
            " ORDER BY seq LIMIT %s FOR UPDATE SKIP LOCKED)"
            " UPDATE {schema}.outbox AS o SET lease_until = %s, leased_by = %s,"
            " first_attempt_at = COALESCE(o.first_attempt_at, %s)"
            " FROM due WHERE o.shop = %s AND o.id = due.id"
            " RETURNING o.id, o.handler, o.refund_order_id, o.status, o.attempts,"
            " o.created_at, o.available_at, o.lease_until, o.leased_by, o.first_attempt_at,"
            " o.last_error, o.event::text, o.seq",
            (self._s.shop, now, now, limit, now + lease, worker, now, self._s.shop),
            "claiming outbox messages",
        )

    def _quarantine(self, message_id: str, reason: str, *, now: datetime) -> None:
        self._s.run(
            "UPDATE {schema}.outbox SET status = 'quarantined', attempts = attempts + 1,"
            " last_error = %s, lease_until = NULL, available_at = %s,"
            " first_attempt_at = COALESCE(first_attempt_at, %s)"
            " WHERE shop = %s AND id = %s",
            (storable(reason), now, now, self._s.shop, message_id),
            "quarantining an outbox message",
        )

    def complete(self, message_id: str) -> None:
        done = self._s.run(
            "UPDATE {schema}.outbox SET status = 'done', lease_until = NULL"
            " WHERE shop = %s AND id = %s",
            (self._s.shop, message_id),
            "completing an outbox message",
        )
        if not done:
            raise StorageError(f"no outbox message {message_id!r} in this shop.")

    def attempt_failed(
        self, message_id: str, *, error: str, now: datetime, retry_at: datetime | None
    ) -> OutboxMessage:
        status = MessageStatus.PENDING if retry_at else MessageStatus.DEAD
        row = self._s.one(
            "UPDATE {schema}.outbox SET attempts = attempts + 1, last_error = %s,"
            " lease_until = NULL, status = %s,"
            " available_at = COALESCE(%s::timestamptz, available_at),"
            " first_attempt_at = COALESCE(first_attempt_at, %s)"
            " WHERE shop = %s AND id = %s RETURNING {columns}",
            (error, status.value, retry_at, now, self._s.shop, message_id),
            "recording a failed attempt",
            columns=_COLUMNS,
        )
        if row is None:
            raise StorageError(f"no outbox message {message_id!r} in this shop.")
        return _message(row)

    def revive(self, message_id: str, *, now: datetime) -> None:
        revived = self._s.run(
            "UPDATE {schema}.outbox SET status = 'pending', available_at = %s,"
            " lease_until = NULL WHERE shop = %s AND id = %s AND status <> 'done'",
            (now, self._s.shop, message_id),
            "reviving an outbox message",
        )
        if not revived:
            self.get(message_id)  # a done message is left alone; a missing one is an error

    def for_refund_order(self, refund_order_id: str) -> Sequence[OutboxMessage]:
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.outbox"
            " WHERE shop = %s AND refund_order_id = %s ORDER BY seq",
            (self._s.shop, refund_order_id),
            "listing outbox messages",
            columns=_COLUMNS,
        )
        return [_message(row) for row in rows]

    def pending(self) -> Sequence[OutboxMessage]:
        rows = self._s.rows(
            "SELECT {columns} FROM {schema}.outbox"
            " WHERE shop = %s AND status = 'pending' ORDER BY seq",
            (self._s.shop,),
            "listing outbox messages",
            columns=_COLUMNS,
        )
        return [_message(row) for row in rows]

    def failures(self) -> Sequence[FailedMessage]:
        rows = self._s.rows(
            "SELECT id, handler, refund_order_id, status, attempts, created_at, available_at,"
            " first_attempt_at, last_error, event::text FROM {schema}.outbox"
            " WHERE shop = %s AND status <> 'done'"
            " AND (attempts > 0 OR status <> 'pending') ORDER BY seq",
            (self._s.shop,),
            "listing failed outbox messages",
        )
        return [_failed(row) for row in rows]


def _failed(row: Row) -> FailedMessage:
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
    return FailedMessage(
        id=message_id,
        handler=handler,
        status=_status(message_id, status),
        attempts=attempts,
        created_at=utc(created_at),
        available_at=utc(available_at),
        order_id=codec.event_order_id(event),
        refund_order_id=refund_order_id,
        first_attempt_at=utc(first_attempt_at),
        last_error=last_error,
    )


def _status(message_id: str, status: str) -> MessageStatus:
    try:
        return MessageStatus(status)
    except ValueError:
        raise corrupted(
            f"outbox message {message_id!r}", f"its status {status!r} is unknown"
        ) from None


def _message(row: Row) -> OutboxMessage:
    (
        message_id,
        handler,
        refund_order_id,
        status,
        attempts,
        created_at,
        available_at,
        lease_until,
        leased_by,
        first_attempt_at,
        last_error,
        event,
        _seq,
    ) = row
    message_status = _status(message_id, status)
    return OutboxMessage(
        id=message_id,
        handler=handler,
        event=codec.loads_event(event),
        created_at=utc(created_at),
        available_at=utc(available_at),
        refund_order_id=refund_order_id,
        status=message_status,
        attempts=attempts,
        first_attempt_at=utc(first_attempt_at),
        last_error=last_error,
        lease_until=utc(lease_until),
        leased_by=leased_by,
    )
