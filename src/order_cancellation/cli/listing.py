"""``order list`` (filters and paging) and ``order import FILE`` (CSV or JSON Lines)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from order_cancellation.cli import render
from order_cancellation.cli.base import Commands, command, optional_number, with_shop
from order_cancellation.cli.console import JSON, Console
from order_cancellation.cli.exits import UsageError
from order_cancellation.domain.errors import InvalidInput
from order_cancellation.sales import Sales

PROGRESS_EVERY = 100


def register(orders: Commands) -> None:
    listed = command(orders, "list", "orders, newest first, a page at a time", with_shop(_list))
    listed.add_argument("--state", help="open, fulfilled, canceled or returned")
    listed.add_argument(
        "--payment-status", metavar="STATUS", help="with a refund order in this payment status"
    )
    listed.add_argument("--sku", help="with a line of this SKU")
    listed.add_argument("--from", dest="placed_from", metavar="TIME", help="placed at or after")
    listed.add_argument("--to", dest="placed_to", metavar="TIME", help="placed before")
    listed.add_argument("--limit", metavar="N", help="orders per page (default 50, at most 500)")
    listed.add_argument("--after", metavar="CURSOR", help="the next_cursor of the page before")

    imported = command(
        orders,
        "import",
        "place orders from a CSV or JSON Lines file, each on its real date",
        with_shop(_import),
    )
    imported.set_defaults(creates=True)
    imported.add_argument("file", type=Path, metavar="FILE", help="*.csv, or JSON Lines")
    imported.add_argument(
        "--format", choices=["csv", "jsonl"], help="default: csv for *.csv, else jsonl"
    )


def _moment(text: str | None, option: str) -> Any:
    if text is None:
        return None
    from datetime import datetime  # noqa: PLC0415

    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise InvalidInput(f"{option} is a time with its offset, such as 2026-11-02T00:00:00Z.")
    return moment


def _list(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    page = sales.orders(
        state=args.state,
        payment_status=args.payment_status,
        sku=args.sku,
        placed_from=_moment(args.placed_from, "--from"),
        placed_to=_moment(args.placed_to, "--to"),
        limit=optional_number(args, "limit", "--limit") or 50,
        after=args.after,
    )
    text = [
        f"{order.id}  {order.placed_at.isoformat()}  {order.state.value:<9}  {order.total}"
        for order in page
    ] or ["no orders"]
    if page.next_cursor:
        text.append(f"more: --after {page.next_cursor}")
    console.result(
        {"orders": [render.order(order) for order in page], "next_cursor": page.next_cursor},
        text,
    )


# -- import --------------------------------------------------------------------------------


def _records(path: Path, kind: str) -> Iterator[Any]:
    """The file's records: one per JSON line, or the CSV's rows grouped by order_id (each
    row is a line: order_id, placed_at, currency, sku, quantity, unit_price, tax_rate,
    payment_provider, payment_reference, prices_include_tax)."""
    with path.open(encoding="utf-8", newline="") as file:
        if kind == "jsonl":
            for number, text in enumerate(file, start=1):
                if text.strip():
                    try:
                        yield json.loads(text)
                    except ValueError as error:
                        yield {"invalid": f"line {number} is not JSON: {error}"}
            return
        yield from _csv_orders(csv.DictReader(file))


def _csv_orders(rows: csv.DictReader[str]) -> Iterator[dict[str, Any]]:
    current: dict[str, Any] | None = None
    for row in rows:
        order_id = (row.get("order_id") or "").strip()
        if current is None or order_id != current["order_id"]:
            if current is not None:
                yield current
            current = {
                "order_id": order_id,
                "placed_at": row.get("placed_at"),
                "currency": row.get("currency"),
                "lines": [],
            }
            if row.get("payment_provider"):
                current["payment"] = {
                    "provider": row.get("payment_provider"),
                    "reference": row.get("payment_reference"),
                }
            flag = (row.get("prices_include_tax") or "").strip().lower()
            if flag:
                current["prices_include_tax"] = flag in ("true", "yes", "1")
        current["lines"].append(
            {
                "sku": row.get("sku"),
                "quantity": row.get("quantity"),
                "unit_price": row.get("unit_price"),
                "tax_rate": row.get("tax_rate") or "0",
            }
        )
    if current is not None:
        yield current


def _import(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    path: Path = args.file
    if not path.is_file():
        raise UsageError(f"no file {str(path)!r}")
    kind = args.format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")

    def progress(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            print(f"imported {done} records...", file=sys.stderr, flush=True)

    summary = sales.import_orders(_records(path, kind), progress=progress)
    refused: list[JSON] = [
        {"record": item.record, "order_id": item.order_id, "code": item.code, "reason": item.reason}
        for item in summary.refused
    ]
    text = [f"imported {len(summary.imported)} orders, refused {len(refused)}"]
    text += [
        f"  record {item.record} ({item.order_id or 'no order id'}): {item.reason}"
        for item in summary.refused
    ]
    imported: list[JSON] = list(summary.imported)
    console.result({"imported": imported, "refused": refused}, text)
