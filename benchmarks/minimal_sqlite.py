"""The minimal SQLite baseline: the fewest transactions and statements that keep the
guarantees of a cancel with its effects, written by hand with ``sqlite3``.

Two transactions per cancel, as little as exactly-once effects allow with a payment
service outside the database:

1. the command, with everything that touches only this database: read the order,
   compare-and-set it, insert the refund order (its stock already restored), insert one
   ledger movement per line (the ledger's primary key refuses a second restock) and
   raise each SKU's level in place, insert **one** outbox row: the settlement still owed;
2. the payment service voids the authorization (in-process, once per idempotency key);
3. one transaction records the outcome: update the refund order and complete the outbox
   row, one statement each, neither read first (the process knows both).

Same file, schema, pragmas and JSON records as :class:`benchmarks.raw_sqlite.RawCancels`
(which replays the library's own statements instead).
"""

from __future__ import annotations

import json

from benchmarks.raw_sqlite import RawCancels, Record
from benchmarks.sqlite_files import SHOP


class MinimalCancels(RawCancels):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.handlers = ("settle_payment",)

    def cancel(self, order_id: str) -> Record:
        refund_id = self._command(order_id)
        refund, event = self.last_refund, json.loads(self.last_event)["data"]
        reference = event["payment"]["reference"]
        self.voided.setdefault(reference, {"amount": event["amount"], "key": refund_id})
        refund.update(
            payment_status="voided",
            released=event["amount"],
            payment_attempts=refund["payment_attempts"] + 1,
            payment_error=None,
        )
        self.db.execute("BEGIN IMMEDIATE")
        self._update_refund(refund)
        self.db.execute(
            "UPDATE outbox SET status = 'done', lease_until = NULL"
            " WHERE shop = ? AND refund_order_id = ?",
            (SHOP, refund_id),
        )
        self.db.execute("COMMIT")
        return refund

    def _in_command(self, order_id: str, refund: Record) -> None:
        db = self.db
        for line in refund["lines"]:
            db.execute(
                "INSERT INTO stock_movements (shop, order_id, line_id, kind, reference, sku,"
                " delta) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (SHOP, order_id, line["line_id"], "cancel_restock", "", line["sku"],
                 line["quantity"]),
            )  # fmt: skip
        for line in refund["lines"]:
            db.execute(
                "UPDATE stock_levels SET level = level + ? WHERE shop = ? AND sku = ?",
                (line["quantity"], SHOP, line["sku"]),
            )
        # Stored restocked: its second version, as the library stores it.
        refund["stock_status"], refund["stock_error"], refund["version"] = "done", None, 2
