"""What the PostgreSQL backend keeps true about its records: rows changed by hand are
reported, hostile ids and labels round-trip unchanged, instants come back in UTC, a stale
version always conflicts, and orders sharing SKUs never deadlock.

Needs a server: ``bash .ci/postgres.sh`` (see tests/backends/conftest.py).
"""

from __future__ import annotations

import random
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import psycopg
import pytest

from order_cancellation import (
    ConcurrencyConflict,
    LineItem,
    OrderState,
    RepositoryCorrupted,
)
from order_cancellation.domain.events import OrderPlaced
from order_cancellation.domain.order import Order
from order_cancellation.domain.values import PaymentRef
from order_cancellation.ports.persistence import OutboxMessage
from tests.backends.postgres_support import SHOP, T0, Figure, OpenBackend, eur, execute, sales_on

# -- corrupted rows ------------------------------------------------------------------------------

CORRUPTIONS = {
    "unknown state column": ("UPDATE {schema}.orders SET state = 'lost'", "o-1"),
    "unknown state in the record": (
        "UPDATE {schema}.orders SET state = 'lost',"
        " data = jsonb_set(data, '{{state}}', '\"lost\"')",
        "o-1",
    ),
    "version column ahead of the record": (
        "UPDATE {schema}.orders SET version = version + 1",
        "o-1",
    ),
    "record that is not an order": ("UPDATE {schema}.orders SET data = '{{\"id\": 1}}'", "o-1"),
    "record of another order": ("UPDATE {schema}.orders SET id = 'o-2'", "o-2"),
}


@pytest.mark.parametrize(("change", "order_id"), CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_an_order_changed_by_hand_is_reported_as_corrupted(
    open_backend: OpenBackend,
    raw: psycopg.Connection[tuple[object, ...]],
    schema: str,
    change: str,
    order_id: str,
) -> None:
    backend = open_backend()
    with backend.unit_of_work(SHOP) as uow:
        uow.orders.add(_order("o-1"))
        uow.commit()
    execute(raw, schema, change)
    raw.commit()
    with backend.unit_of_work(SHOP) as uow:
        with pytest.raises(RepositoryCorrupted):
            uow.orders.get(order_id)
        with pytest.raises(RepositoryCorrupted):
            uow.orders.placed_between(T0, T0 + timedelta(days=1))


def test_refund_orders_outbox_rows_and_labels_changed_by_hand_are_reported_as_corrupted(
    open_backend: OpenBackend, raw: psycopg.Connection[tuple[object, ...]], schema: str
) -> None:
    backend = open_backend()
    sales = sales_on(backend)
    sales.set_stock("SKU-1", 5)
    order = sales.place_order([LineItem("SKU-1", 1, eur("4.00"))])
    refund = sales_on(backend, effects="deferred").cancel_order(order.id)
    sales.define_status_label("Canceled - fraud")
    execute(raw, schema, "UPDATE {schema}.refund_orders SET payment_status = 'paid_twice'")
    execute(raw, schema, 'UPDATE {schema}.outbox SET event = \'{{"type": "Unheard"}}\'')
    execute(raw, schema, "UPDATE {schema}.status_labels SET means = 'lost'")
    raw.commit()
    with backend.unit_of_work(SHOP) as uow:
        with pytest.raises(RepositoryCorrupted):
            uow.refunds.get(refund.id)
        with pytest.raises(RepositoryCorrupted):
            uow.outbox.pending()
        with pytest.raises(RepositoryCorrupted):
            uow.labels.catalog()
    execute(raw, schema, "UPDATE {schema}.outbox SET status = 'half-done'")
    raw.commit()
    with backend.unit_of_work(SHOP) as uow, pytest.raises(RepositoryCorrupted):
        uow.outbox.for_refund_order(refund.id)


# -- values --------------------------------------------------------------------------------------

TRICKY = "o'; DROP TABLE orders; --%s%(x)s\"\\{schema}"


def test_ids_labels_and_keys_with_quotes_semicolons_and_placeholders_round_trip(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend()
    shop = f"shop {TRICKY}"
    sales = sales_on(backend, shop)
    label = f"Canceled {TRICKY}"
    sales.define_status_label(label)
    sales.set_stock(f"SKU {TRICKY}", 3)
    order = sales.place_order(
        [LineItem(f"SKU {TRICKY}", 1, eur("1.00"))],
        order_id=TRICKY,
        payment=PaymentRef(provider="card", reference=TRICKY),
        idempotency_key=TRICKY,
    )
    refund = sales.cancel_order(TRICKY, status=label, reason=TRICKY, idempotency_key=TRICKY + "!")

    again = sales_on(backend, shop)
    assert again.get_order(TRICKY).id == order.id == TRICKY
    assert again.get_order(TRICKY).status == label
    assert again.get_refund_order(refund.id).reason == TRICKY
    assert again.stock_levels() == {f"SKU {TRICKY}": 3}
    assert again.status_labels()[label] is OrderState.CANCELED
    with backend.unit_of_work("acme") as uow:
        assert uow.orders.placed_between(T0, T0 + timedelta(days=1)) == []


def test_datetimes_come_back_in_utc_as_the_same_instants(open_backend: OpenBackend) -> None:
    backend = open_backend()
    east = timezone(timedelta(hours=2))
    created = datetime(2026, 3, 2, 11, 0, 0, 123456, tzinfo=east)
    message = OutboxMessage(
        id="m-1",
        handler="publish",
        event=OrderPlaced(
            shop=SHOP,
            order_id="o-1",
            occurred_at=created,
            lines=(),
            total=eur("1.00"),
            payment=None,
        ),
        created_at=created,
        available_at=created,
    )
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([message])
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        (claimed,) = uow.outbox.claim(now=created, limit=1, lease=timedelta(seconds=30), worker="w")
        uow.commit()
    assert claimed.created_at == created
    assert claimed.created_at.tzinfo is UTC
    assert claimed.lease_until == created + timedelta(seconds=30)
    assert claimed.event == message.event


# -- races ---------------------------------------------------------------------------------------


def test_a_stale_version_is_always_a_conflict_and_never_a_lost_update(
    open_backend: OpenBackend, reliability: Figure
) -> None:
    backend, rounds, conflicts = open_backend(), 100, 0
    with backend.unit_of_work(SHOP) as uow:
        for n in range(rounds):
            uow.orders.add(_order(f"o-{n}"))
        uow.commit()
    for n in range(rounds):
        stale = _order(f"o-{n}")
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.update(stale.fulfill({"L1": 1}, at=T0).order)
            uow.commit()
        try:
            with backend.unit_of_work(SHOP) as uow:
                uow.orders.update(stale.fulfill({"L2": 1}, at=T0).order)
                uow.commit()
        except ConcurrencyConflict:
            conflicts += 1
    with backend.unit_of_work(SHOP) as uow:
        lost = sum(uow.orders.get(f"o-{n}").lines[0].fulfilled != 1 for n in range(rounds))
    reliability(
        f"RELIABILITY C4 backend=postgres conflicts={conflicts}/{rounds} lost_updates={lost}"
    )
    assert (conflicts, lost) == (rounds, 0)


def test_orders_taking_shared_skus_in_any_order_never_deadlock(
    postgres_dsn: str, open_backend: OpenBackend, reliability: Figure
) -> None:
    skus = [f"SKU-{n}" for n in range(5)]
    threads, per_thread = 8, 10
    backend = open_backend(pool_size=threads)
    sales = sales_on(backend)
    for sku in skus:
        sales.set_stock(sku, 10_000)
    before = _deadlocks(postgres_dsn)
    failures: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def place(seed: int) -> None:
        rng = random.Random(seed)
        barrier.wait()
        for _ in range(per_thread):
            chosen = rng.sample(skus, 3)  # a random lock request order every time
            try:
                order = sales.place_order([LineItem(sku, 1, eur("1.00")) for sku in chosen])
                sales.cancel_order(order.id)  # restocks inline, the same rows again
            except BaseException as error:  # pragma: no cover - reported below
                failures.append(error)

    started = time.monotonic()
    workers = [threading.Thread(target=place, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.monotonic() - started
    backend.close()
    _wait_for_backends_to_end(postgres_dsn)
    deadlocks = _deadlocks(postgres_dsn) - before
    operations = threads * per_thread * 2
    reliability(
        f"RELIABILITY C7 backend=postgres ops={operations} threads={threads} "
        f"deadlocks={deadlocks} errors={len(failures)} wall_s={wall:.2f}"
    )
    assert failures == []
    assert deadlocks == 0
    assert sales_on(open_backend()).stock_levels() == dict.fromkeys(skus, 10_000)


def _deadlocks(dsn: str) -> int:
    """The server's count of deadlocks in this database so far."""
    with psycopg.connect(dsn) as connection:
        row = connection.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()
    assert row is not None
    return int(str(row[0]))


def _wait_for_backends_to_end(dsn: str) -> None:
    """Server processes report their statistics (deadlocks too) as they exit."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        with psycopg.connect(dsn) as connection:
            row = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
                ("order-cancellation",),
            ).fetchone()
        if row is not None and row[0] == 0:
            return
        time.sleep(0.05)


def _order(order_id: str) -> Order:
    return Order.place(
        order_id=order_id,
        shop=SHOP,
        items=[LineItem("SKU-1", 2, eur("12.50")), LineItem("SKU-2", 1, eur("5.00"))],
        payment=None,
        at=T0,
    ).order
