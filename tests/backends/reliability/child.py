"""What the child processes of the reliability tests run.

Two ways in: functions that ``multiprocessing`` (spawn) calls, and a command line for the
crash tests, which start ``python -m tests.backends.reliability.child <command> ...`` with
``ORDER_CANCELLATION_CRASHPOINT`` set and expect to be killed.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from order_cancellation import LineItem, Money, PaymentRef, Sales
from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    OrderAlreadyCanceled,
    OrderCancellationError,
    StorageError,
)
from tests.backends.reliability.support import (
    DurableProvider,
    FilePublisher,
    StoreSpec,
    opened,
    sales_on,
)

if TYPE_CHECKING:
    from multiprocessing.queues import Queue
    from multiprocessing.synchronize import Barrier

CRASH_SKU = "SKU-1"
CRASH_STOCK = 10
CRASH_ORDER = "ord-1"


def cancel_all(  # noqa: PLR0917 - multiprocessing passes arguments by position
    spec_json: str,
    shop: str,
    order_ids: Sequence[str],
    seed: int,
    start: Barrier,
    results: Queue[dict[str, Any]],
) -> None:
    """C2: open a shop of one's own and cancel every order, in a shuffled order."""
    outcome: dict[str, Any] = {"won": 0, "rejected": 0, "busy": 0, "raw": [], "latencies": []}
    with opened(StoreSpec.from_json(spec_json)) as backend:
        sales = sales_on(backend, shop, effects="deferred")
        ids = list(order_ids)
        random.Random(seed).shuffle(ids)
        start.wait()
        for order_id in ids:
            began = time.perf_counter()
            try:
                sales.cancel_order(order_id)
                outcome["won"] += 1
            except (OrderAlreadyCanceled, ConcurrencyConflict):
                outcome["rejected"] += 1
            except StorageError as error:
                outcome["busy"] += 1
                outcome["raw"].append(repr(error))
            except Exception as error:
                outcome["raw"].append(repr(error))
            outcome["latencies"].append(time.perf_counter() - began)
    results.put(outcome)


def open_backend(spec_json: str, start: Barrier, results: Queue[dict[str, Any]]) -> None:
    """Open a store at the same moment as other processes; report its schema version."""
    spec = StoreSpec.from_json(spec_json)
    start.wait()
    try:
        with opened(spec) as backend:
            results.put({"version": getattr(backend, "schema_version", None)})
    except OrderCancellationError as error:
        results.put({"error": repr(error)})


def crash_cancel(spec: StoreSpec, provider_path: str, shop: str) -> None:
    """K1: place an order and cancel it with inline effects; a crash point kills us."""
    with opened(spec) as backend:
        sales = sales_on(
            backend, shop, gateways={"card": DurableProvider(provider_path)}, effects="inline"
        )
        sales.set_stock(CRASH_SKU, CRASH_STOCK)
        sales.place_order(
            [LineItem(CRASH_SKU, 3, Money.of("9.90", "EUR"))],
            payment=PaymentRef(provider="card", reference=f"pay-{shop}"),
            order_id=CRASH_ORDER,
        )
        sales.cancel_order(CRASH_ORDER, reason="crash test")


def soak_order_id(n: int) -> str:
    return f"ord-{n:05d}"


def soak(spec: StoreSpec, provider_path: str, shop: str, orders: int, seed: int) -> None:
    """K2: cancel the orders one after another, with inline effects, until killed."""
    with opened(spec) as backend:
        sales = sales_on(
            backend, shop, gateways={"card": DurableProvider(provider_path)}, effects="inline"
        )
        order_ids = [soak_order_id(n) for n in range(orders)]
        random.Random(seed).shuffle(order_ids)
        print("ready", flush=True)
        for order_id in order_ids:
            with contextlib.suppress(OrderAlreadyCanceled):
                sales.cancel_order(order_id)
        sales.process_pending()


def main(argv: Sequence[str]) -> int:
    command, spec_json, provider_path, shop, *rest = argv
    spec = StoreSpec.from_json(spec_json)
    if command == "crash-cancel":
        crash_cancel(spec, provider_path, shop)
    elif command == "soak":
        soak(spec, provider_path, shop, int(rest[0]), int(rest[1]))
    else:
        raise SystemExit(f"unknown command {command!r}")
    return 0


def crash_cancel_publishing(
    spec_json: str, provider_path: str, publisher_path: str, shop: str
) -> None:
    """K6: as :func:`crash_cancel`, with every event published to a file as it is delivered.
    Started with ``python -c`` (``main`` keeps to the K1/K2 commands)."""
    with opened(StoreSpec.from_json(spec_json)) as backend:
        sales = Sales(
            shop=shop,
            backend=backend,
            gateways={"card": DurableProvider(provider_path)},
            default_gateway=ManualPaymentGateway(),
            clock=SystemClock(),
            publisher=FilePublisher(publisher_path),
            effects="inline",
        )
        sales.set_stock(CRASH_SKU, CRASH_STOCK)
        sales.place_order(
            [LineItem(CRASH_SKU, 3, Money.of("9.90", "EUR"))],
            payment=PaymentRef(provider="card", reference=f"pay-{shop}"),
            order_id=CRASH_ORDER,
        )
        sales.cancel_order(CRASH_ORDER, reason="event loss test")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
