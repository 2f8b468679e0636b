"""The minimal PostgreSQL baseline: a cancel with its effects by hand with ``psycopg``, in
the fewest transactions and round trips that keep the guarantees.

The library's own schema and rows (the tables ``Sales.postgres`` created), the same
logical writes as a library cancel with effects inline and no publisher, set-based where
SQL allows it:

1. the command, with everything that touches only this database: read the order,
   compare-and-set it, insert the refund order (its stock already restored), insert the
   ledger movements (one statement; the ledger's key refuses a second restock), raise the
   levels (one statement), insert **one** outbox row: the settlement still owed;
2. the payment service voids the authorization (in-process, once per idempotency key);
3. one transaction records the outcome: update the refund order, complete the outbox row.

psycopg sends ``BEGIN`` before a transaction's first statement: 12 round trips per cancel.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from benchmarks.orders import START

Record = dict[str, Any]
NOW_JSON = START.isoformat()


class RawPostgresCancels:
    def __init__(self, dsn: str, schema: str, shop: str, *, now: datetime = START) -> None:
        self.db = psycopg.connect(dsn, autocommit=False)
        self.shop = shop
        self.now = now
        self.voided: dict[str, Record] = {}
        name = sql.Identifier(schema)

        def q(text: str) -> sql.Composed:
            return sql.SQL(text).format(s=name)

        self._read = q("SELECT version, data FROM {s}.orders WHERE shop = %s AND id = %s")
        self._cas = q(
            "UPDATE {s}.orders SET state = %s, status = %s, version = %s, data = %s"
            " WHERE shop = %s AND id = %s AND version = %s"
        )
        self._refund = q(
            "INSERT INTO {s}.refund_orders (shop, id, order_id, created_at, version,"
            " payment_status, stock_status, data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
        )
        self._movements = q(
            "INSERT INTO {s}.stock_movements (shop, order_id, line_id, kind, reference, sku,"
            " delta) SELECT %s, %s, m.line_id, 'cancel_restock', '', m.sku, m.delta"
            " FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS m(line_id, sku, delta)"
        )
        self._levels = q(
            "UPDATE {s}.stock_levels AS l SET level = l.level + a.delta"
            " FROM unnest(%s::text[], %s::bigint[]) AS a(sku, delta)"
            " WHERE l.shop = %s AND l.sku = a.sku"
        )
        self._message = q(
            "INSERT INTO {s}.outbox (shop, id, handler, refund_order_id, status, attempts,"
            " created_at, available_at, event) VALUES (%s, %s, %s, %s, 'pending', 0, %s, %s, %s)"
        )
        self._settled = q(
            "UPDATE {s}.refund_orders SET version = %s, payment_status = %s, data = %s"
            " WHERE shop = %s AND id = %s AND version = %s"
        )
        self._done = q(
            "UPDATE {s}.outbox SET status = 'done', lease_until = NULL WHERE shop = %s AND id = %s"
        )

    def close(self) -> None:
        self.db.close()

    def cancel(self, order_id: str) -> Record:
        db, shop = self.db, self.shop
        version, order = db.execute(self._read, (shop, order_id)).fetchone()  # type: ignore[misc]
        if order["state"] != "open":
            db.rollback()
            raise ValueError(f"order {order_id} is {order['state']}")
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
            version=version + 1,
            cancellation={
                "actor": None, "at": NOW_JSON, "reason": None, "reason_code": None,
                "refund_order_id": refund_id, "status": "Canceled",
            },
        )  # fmt: skip
        done = db.execute(
            self._cas,
            ("canceled", "Canceled", version + 1, Jsonb(order), shop, order_id, version),
        ).rowcount
        if done != 1:
            db.rollback()
            raise ValueError(f"order {order_id} changed")
        zero = {"currency": currency, "minor": 0}
        refund = {
            "amount": amount, "created_at": NOW_JSON, "id": refund_id, "kind": "cancellation",
            "lines": lines, "manual_amount": zero, "payment_error": None, "stock_error": None,
            "manual_refund_note": None, "order_id": order_id, "payment_attempts": 0,
            "payment_detail": None, "payment_status": "pending", "provider_reference": None,
            "reason": None, "reason_code": None, "refunded": zero, "released": zero,
            "restock": True, "shop": shop, "stock_status": "done", "version": 2,
        }  # fmt: skip
        db.execute(
            self._refund,
            (shop, refund_id, order_id, self.now, 2, "pending", "done", Jsonb(refund)),
        )
        db.execute(
            self._movements,
            (
                shop,
                order_id,
                [line["line_id"] for line in lines],
                [line["sku"] for line in lines],
                [line["quantity"] for line in lines],
            ),
        )
        db.execute(
            self._levels,
            ([line["sku"] for line in lines], [line["quantity"] for line in lines], shop),
        )
        event = {
            "type": "OrderCanceled",
            "data": {
                "actor": None, "amount": amount, "lines": lines, "occurred_at": NOW_JSON,
                "order_id": order_id, "payment": order["payment"], "reason": None,
                "reason_code": None, "refund_order_id": refund_id, "restock": True,
                "shop": shop, "status": "Canceled",
            },
        }  # fmt: skip
        message_id = f"msg_{os.urandom(16).hex()}"
        db.execute(
            self._message,
            (shop, message_id, "settle_payment", refund_id, self.now, self.now,
             json.dumps(event)),
        )  # fmt: skip
        db.commit()
        # The provider: the authorization is canceled, once per idempotency key.
        reference = order["payment"]["reference"]
        self.voided.setdefault(reference, {"amount": amount, "key": refund_id})
        refund.update(payment_status="voided", released=amount, version=3, payment_attempts=1)
        db.execute(self._settled, (3, "voided", Jsonb(refund), shop, refund_id, 2))
        db.execute(self._done, (shop, message_id))
        db.commit()
        return refund
