"""What the PostgreSQL backend does when things go wrong: locks held too long, a server that
is not there, connections that die or run out, bad options (a schema from a newer release: the
contract suite, testing/schema_contracts.py).

Every failure surfaces as a typed library error (StorageError, ConcurrencyConflict,
RepositoryCorrupted), never as a driver error, and leaves nothing half-written.

Needs a server: ``bash .ci/postgres.sh`` (see tests/backends/conftest.py).
"""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql

from order_cancellation import (
    ConfigurationError,
    LineItem,
    StorageError,
)
from order_cancellation.adapters.postgres import PostgresBackend
from order_cancellation.adapters.postgres.migrations import LATEST
from order_cancellation.domain.stock import MovementKey, MovementKind
from tests.backends.postgres_support import SHOP, T0, Figure, OpenBackend, eur, execute, sales_on

# -- locks and timeouts --------------------------------------------------------------------------


def test_a_row_locked_too_long_fails_within_lock_timeout_and_writes_nothing(
    open_backend: OpenBackend,
    raw: psycopg.Connection[tuple[object, ...]],
    schema: str,
    reliability: Figure,
) -> None:
    sales = sales_on(open_backend(lock_timeout=0.5))
    sales.set_stock("SKU-1", 5)
    order = sales.place_order([LineItem("SKU-1", 2, eur("4.00"))])
    execute(raw, schema, "SELECT 1 FROM {schema}.orders WHERE id = %s FOR UPDATE", order.id)

    started = time.monotonic()
    with pytest.raises(StorageError, match="lock_timeout"):
        sales.cancel_order(order.id, idempotency_key="cancel-1")
    waited = time.monotonic() - started
    raw.rollback()  # the other transaction ends; the row is free again

    half_written = (
        sales.get_order(order.id) != order,
        sales.refund_orders() != [],
        sales.pending_effects() != 0,
        sales.stock_level("SKU-1") != 3,
    )
    reliability(
        f"RELIABILITY PG-LOCK backend=postgres lock_timeout_s=0.5 waited_s={waited:.2f} "
        f"error=StorageError half_written={sum(half_written)}"
    )
    assert 0.4 < waited < 2.0
    assert not any(half_written)
    assert sales.cancel_order(order.id, idempotency_key="cancel-1").order_id == order.id


def test_a_stock_row_locked_too_long_fails_the_placement_and_writes_nothing(
    open_backend: OpenBackend, raw: psycopg.Connection[tuple[object, ...]], schema: str
) -> None:
    sales = sales_on(open_backend(lock_timeout=0.3))
    sales.set_stock("SKU-1", 5)
    execute(raw, schema, "UPDATE {schema}.stock_levels SET level = level WHERE sku = %s", "SKU-1")
    with pytest.raises(StorageError, match="lock_timeout"):
        sales.place_order([LineItem("SKU-1", 2, eur("4.00"))], order_id="o-1")
    raw.rollback()
    with open_backend().unit_of_work(SHOP) as uow:
        assert uow.orders.placed_between(T0, T0 + timedelta(days=1)) == []
        assert not uow.stock.applied(_sale_key("o-1"))
    assert sales.stock_level("SKU-1") == 5


def test_a_unit_of_work_left_idle_is_ended_by_the_server(open_backend: OpenBackend) -> None:
    backend = open_backend(idle_in_transaction_timeout=0.3)
    with pytest.raises(StorageError, match="idle"), backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 5)
        time.sleep(0.8)
        uow.stock.set_level("SKU-2", 5)
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:  # the pool replaced the dead connection
        assert uow.stock.levels() == {}


def test_every_connection_busy_is_a_storage_error_naming_pool_size(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend(pool_size=1, pool_timeout=0.2)
    with backend.unit_of_work(SHOP), pytest.raises(StorageError, match="pool_size"):
        backend.unit_of_work(SHOP).__enter__()


# -- connections ---------------------------------------------------------------------------------


def test_an_unreachable_server_is_a_storage_error_at_once(reliability: Figure) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(StorageError, match="cannot connect to PostgreSQL") as raised:
        PostgresBackend(f"postgresql://shop:s3cret@127.0.0.1:{port}/shop", connect_timeout=2)
    elapsed = time.monotonic() - started
    reliability(
        f"RELIABILITY PG-CONNECT backend=postgres closed_port=1 error_after_s={elapsed:.3f}"
    )
    assert elapsed < 2.0
    assert f"127.0.0.1:{port}" in str(raised.value)
    assert "s3cret" not in str(raised.value)
    assert isinstance(raised.value.__cause__, psycopg.OperationalError)


def test_a_connection_killed_mid_unit_of_work_fails_it_and_the_pool_recovers(
    open_backend: OpenBackend, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    backend = open_backend(pool_size=2)
    with (
        pytest.raises(StorageError, match="lost the connection"),
        backend.unit_of_work(SHOP) as uow,
    ):
        uow.stock.set_level("SKU-1", 5)
        pid = uow._session.connection.info.backend_pid
        raw.execute("SELECT pg_terminate_backend(%s)", (pid,))
        uow.stock.set_level("SKU-2", 5)
        uow.commit()
    for _ in range(3):  # every pooled connection works again
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.levels() == {}


def test_a_closed_backend_refuses_new_units_of_work(open_backend: OpenBackend) -> None:
    backend = open_backend()
    backend.close()
    backend.close()
    with pytest.raises(StorageError, match="closed"), backend.unit_of_work(SHOP):
        pass


def test_a_unit_of_work_is_used_inside_its_with_block_only(open_backend: OpenBackend) -> None:
    uow = open_backend().unit_of_work(SHOP)
    with pytest.raises(StorageError, match="with"):
        uow.orders.get("o-1")
    with pytest.raises(StorageError, match="with"):
        uow.commit()


@pytest.mark.parametrize(
    "name",
    ["", "has-dash", "x;DROP SCHEMA public", 'quo"te', "1starts_with_digit", "a" * 64, "pg_x"],
)
def test_a_schema_name_outside_letters_digits_and_underscores_is_refused(name: str) -> None:
    with pytest.raises(ConfigurationError, match="schema"):
        PostgresBackend("postgresql://nobody@127.0.0.1:1/none", schema=name)


@pytest.mark.parametrize(
    "options",
    [
        {"pool_size": 0},
        {"lock_timeout": 0},
        {"connect_timeout": -1},
        {"connect_timeout": None},
        {"statement_timeout": "1"},
        {"pool_timeout": float("nan")},
    ],
)
def test_nonsense_options_are_refused_before_connecting(options: dict[str, object]) -> None:
    with pytest.raises(ConfigurationError):
        PostgresBackend("postgresql://nobody@127.0.0.1:1/none", **options)  # type: ignore[arg-type]


# -- migrations ----------------------------------------------------------------------------------


def test_opening_creates_the_schema_once_and_records_its_migrations(
    postgres_dsn: str, schema: str, raw: psycopg.Connection[tuple[object, ...]]
) -> None:
    backends: list[PostgresBackend] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def open_() -> None:
        barrier.wait()
        try:
            backends.append(PostgresBackend(postgres_dsn, schema=schema, pool_size=1))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=open_) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for backend in backends:
        backend.close()
    assert errors == []
    assert sorted(backend.migrations_applied for backend in backends) == [0, 0, 0, LATEST]
    versions = raw.execute(
        sql.SQL("SELECT version FROM {}.schema_migrations ORDER BY version").format(
            sql.Identifier(schema)
        )
    ).fetchall()
    assert [row[0] for row in versions] == list(range(1, LATEST + 1))


def _sale_key(order_id: str) -> MovementKey:
    return MovementKey(order_id=order_id, line_id="L1", kind=MovementKind.SALE)
