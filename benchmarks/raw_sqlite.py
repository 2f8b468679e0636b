"""The raw ``sqlite3`` baseline: a cancel with its effects, as the SQLite adapter runs it,
written by hand.

Same file, same schema, same pragmas (WAL, the given ``synchronous``, a 5 s busy timeout,
foreign keys on), and the same statements in the same transactions as a library cancel
with effects inline and no publisher (read them with ``set_trace_callback``):

1. the command: read the order and the labels, compare-and-set the order, insert the
   refund order and one outbox row per effect (restock, settle);
2. the relay's claim: select the due rows, lease each;
3. restock: read the refund order, look up each line's movement key and each SKU's
   level, insert the movements, write the levels, update the refund order, complete the
   message;
4. settle: read the refund order (a transaction of its own, before the provider is
   called), void the authorization, then read and update the refund order and complete
   the message;
5. the relay's next claim, which finds nothing, and the read of the refund order that
   ``cancel_order`` returns.

Records are JSON of the same shape, made with ``json`` from dicts. What it leaves out is
the library's own work: domain objects, validation, the codec, error translation, the
busy-timeout pragmas around ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from benchmarks.orders import START
from benchmarks.sqlite_files import SHOP

NOW = START.isoformat(timespec="microseconds")  # the columns' fixed-width UTC text
NOW_JSON = START.isoformat()  # the records' datetimes
LEASE_UNTIL = START.replace(minute=START.minute + 1).isoformat(timespec="microseconds")
_COLUMNS = (
    "id, handler, refund_order_id, status, attempts, available_at, lease_until, leased_by,"
    " first_attempt_at, last_error, created_at, event"
)
_REFUND_COLUMNS = "id, order_id, version, payment_status, stock_status, data"

Record = dict[str, Any]


class RawCancels:
    def __init__(self, path: Path, *, synchronous: str) -> None:
        self.db = sqlite3.connect(path, timeout=5.0, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = WAL")
        # Not caller text: the benchmark passes FULL or NORMAL.
        self.db.execute(f"PRAGMA synchronous = {synchronous}")
        self.db.execute("PRAGMA busy_timeout = 5000")
        self.db.execute("PRAGMA foreign_keys = ON")
        self.worker = f"relay-{os.urandom(6).hex()}"
        self.voided: dict[str, Record] = {}
        self.handlers: tuple[str, ...] = ("restock", "settle_payment")
        self.last_refund: Record = {}
        self.last_event = ""

    def close(self) -> None:
        self.db.close()

    def cancel(self, order_id: str) -> Record:
        refund_id = self._command(order_id)
        while self._claim_and_deliver():
            pass
        self.db.execute("BEGIN IMMEDIATE")
        refund = self._refund(refund_id)
        self.db.execute("ROLLBACK")
        return refund

    # -- 1. the command ------------------------------------------------------------------

    def _command(self, order_id: str) -> str:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        row = db.execute(
            "SELECT id, state, status, version, data FROM orders WHERE shop = ? AND id = ?",
            (SHOP, order_id),
        ).fetchone()
        order = json.loads(row[4])
        if order["state"] != "open":
            db.execute("ROLLBACK")
            raise ValueError(f"order {order_id} is {order['state']}")
        db.execute(
            "SELECT label, means FROM status_labels WHERE shop = ? ORDER BY seq", (SHOP,)
        ).fetchall()
        refund_id = f"ref_{os.urandom(16).hex()}"
        lines = [
            {
                "line_id": line["id"],
                "quantity": line["quantity"],
                "sku": line["sku"],
                "unit_price": line["unit_price"],
            }
            for line in order["lines"]
        ]
        currency = order["currency"]
        amount = {
            "currency": currency,
            "minor": sum(line["quantity"] * line["unit_price"]["minor"] for line in lines),
        }
        order.update(
            state="canceled",
            status="Canceled",
            version=order["version"] + 1,
            cancellation={
                "actor": None,
                "at": NOW_JSON,
                "reason": None,
                "reason_code": None,
                "refund_order_id": refund_id,
                "status": "Canceled",
            },
        )
        db.execute(
            "UPDATE orders SET state = ?, status = ?, version = ?, placed_at = ?, currency = ?,"
            " data = ? WHERE shop = ? AND id = ? AND version = ?",
            ("canceled", "Canceled", order["version"], NOW, currency,
             json.dumps(order, sort_keys=True), SHOP, order_id, order["version"] - 1),
        )  # fmt: skip
        zero = {"currency": currency, "minor": 0}
        refund = {
            "amount": amount, "created_at": NOW_JSON, "id": refund_id, "kind": "cancellation",
            "lines": lines, "manual_amount": zero, "payment_error": None, "stock_error": None,
            "manual_refund_note": None, "order_id": order_id, "payment_attempts": 0,
            "payment_detail": None, "payment_status": "pending", "provider_reference": None,
            "reason": None, "reason_code": None, "refunded": zero, "released": zero,
            "restock": True, "shop": SHOP, "stock_status": "pending", "version": 1,
        }  # fmt: skip
        self._in_command(order_id, refund)
        db.execute(
            "INSERT INTO refund_orders (shop, id, order_id, created_at, version, payment_status,"
            " stock_status, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (SHOP, refund_id, order_id, NOW, refund["version"], "pending",
             refund["stock_status"], json.dumps(refund, sort_keys=True)),
        )  # fmt: skip
        event = json.dumps(
            {
                "type": "OrderCanceled",
                "data": {
                    "actor": None, "amount": amount, "lines": lines, "occurred_at": NOW_JSON,
                    "order_id": order_id, "payment": order["payment"], "reason": None,
                    "reason_code": None, "refund_order_id": refund_id, "restock": True,
                    "shop": SHOP, "status": "Canceled",
                },
            },
            sort_keys=True,
        )  # fmt: skip
        for handler in self.handlers:
            db.execute(
                "INSERT INTO outbox (shop, id, handler, refund_order_id, status, attempts,"
                " available_at, lease_until, leased_by, first_attempt_at, last_error,"
                " created_at, event) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (SHOP, f"msg_{os.urandom(16).hex()}", handler, refund_id, "pending", 0, NOW,
                 None, None, None, None, NOW, event),
            )  # fmt: skip
        db.execute("COMMIT")
        self.last_refund, self.last_event = refund, event
        return refund_id

    def _in_command(self, order_id: str, refund: Record) -> None:
        """What a subclass writes in the command's own transaction (here: nothing)."""

    # -- 2. the relay ------------------------------------------------------------------------

    def _claim_and_deliver(self) -> int:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        rows = db.execute(
            f"SELECT {_COLUMNS} FROM outbox"  # noqa: S608 - constant columns
            " WHERE shop = ? AND status = ? AND available_at <= ?"
            " AND (lease_until IS NULL OR lease_until <= ?) ORDER BY seq LIMIT ?",
            (SHOP, "pending", NOW, NOW, 100),
        ).fetchall()
        for row in rows:
            self._save_message(row[0], "pending", LEASE_UNTIL)
        db.execute("COMMIT")
        for row in rows:
            event = json.loads(row[11])["data"]
            if row[1] == "restock":
                self._restock(row[0], event)
            else:
                self._settle(row[0], event)
        return len(rows)

    def _save_message(self, message_id: str, status: str, lease_until: str | None) -> None:
        self.db.execute(
            "UPDATE outbox SET status = ?, attempts = ?, available_at = ?, lease_until = ?,"
            " leased_by = ?, first_attempt_at = ?, last_error = ? WHERE shop = ? AND id = ?",
            (status, 0, NOW, lease_until, self.worker, NOW, None, SHOP, message_id),
        )

    def _complete(self, message_id: str) -> None:
        self.db.execute(
            f"SELECT {_COLUMNS} FROM outbox WHERE shop = ? AND id = ?",  # noqa: S608 - constant columns
            (SHOP, message_id),
        ).fetchone()
        self._save_message(message_id, "done", None)

    def _refund(self, refund_id: str) -> Record:
        row = self.db.execute(
            f"SELECT {_REFUND_COLUMNS} FROM refund_orders WHERE shop = ? AND id = ?",  # noqa: S608 - constant columns
            (SHOP, refund_id),
        ).fetchone()
        refund: Record = json.loads(row[5])
        return refund

    def _update_refund(self, refund: Record) -> None:
        refund["version"] += 1
        self.db.execute(
            "UPDATE refund_orders SET version = ?, payment_status = ?, stock_status = ?,"
            " data = ? WHERE shop = ? AND id = ? AND version = ?",
            (refund["version"], refund["payment_status"], refund["stock_status"],
             json.dumps(refund, sort_keys=True), SHOP, refund["id"], refund["version"] - 1),
        )  # fmt: skip

    # -- 3. and 4. the effects ------------------------------------------------------------------

    def _restock(self, message_id: str, event: Record) -> None:
        db = self.db
        order_id = event["order_id"]
        db.execute("BEGIN IMMEDIATE")
        refund = self._refund(event["refund_order_id"])
        fresh = [
            line
            for line in event["lines"]
            if db.execute(
                "SELECT 1 FROM stock_movements WHERE shop = ? AND order_id = ? AND line_id = ?"
                " AND kind = ? AND reference = ?",
                (SHOP, order_id, line["line_id"], "cancel_restock", ""),
            ).fetchone()
            is None
        ]
        levels: dict[str, int] = {}
        for line in fresh:
            if line["sku"] not in levels:
                row = db.execute(
                    "SELECT level FROM stock_levels WHERE shop = ? AND sku = ?",
                    (SHOP, line["sku"]),
                ).fetchone()
                levels[line["sku"]] = 0 if row is None else row[0]
            levels[line["sku"]] += line["quantity"]
        for line in fresh:
            db.execute(
                "INSERT INTO stock_movements (shop, order_id, line_id, kind, reference, sku,"
                " delta) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (SHOP, order_id, line["line_id"], "cancel_restock", "", line["sku"],
                 line["quantity"]),
            )  # fmt: skip
        for sku, level in levels.items():
            db.execute(
                "INSERT INTO stock_levels (shop, sku, level) VALUES (?, ?, ?)"
                " ON CONFLICT (shop, sku) DO UPDATE SET level = excluded.level",
                (SHOP, sku, level),
            )
        refund["stock_status"], refund["stock_error"] = "done", None
        self._update_refund(refund)
        self._complete(message_id)
        db.execute("COMMIT")

    def _settle(self, message_id: str, event: Record) -> None:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        self._refund(event["refund_order_id"])
        db.execute("ROLLBACK")
        # The provider: the authorization is canceled, once per idempotency key.
        reference = event["payment"]["reference"]
        self.voided.setdefault(reference, {"amount": event["amount"], "key": message_id})
        db.execute("BEGIN IMMEDIATE")
        refund = self._refund(event["refund_order_id"])
        refund.update(
            payment_status="voided",
            released=event["amount"],
            payment_attempts=refund["payment_attempts"] + 1,
            payment_error=None,
        )
        self._update_refund(refund)
        self._complete(message_id)
        db.execute("COMMIT")
