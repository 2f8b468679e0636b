"""The PostgreSQL backend at its edges: the options and errors a deployment meets (roles
with fewer rights, read-only servers, dropped tables, timeouts, races while opening) and the
unit of work and repositories used the unusual way round (twice, outside the block, with
missing or duplicate records).

Needs a server: ``bash .ci/postgres.sh`` (see tests/backends/conftest.py).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import timedelta

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from order_cancellation import (
    ConcurrencyConflict,
    ConfigurationError,
    LineItem,
    OrderState,
    StorageError,
)
from order_cancellation.adapters.postgres import PostgresBackend
from order_cancellation.adapters.postgres.migrations import LATEST
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from order_cancellation.ports.persistence import MessageStatus, OutboxMessage
from order_cancellation.testing.contracts import sample_message, sample_order, sample_refund
from tests.backends.postgres_support import SHOP, T0, OpenBackend, eur, execute, sales_on

Raw = psycopg.Connection[tuple[object, ...]]


def _autocommit(dsn: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(dsn, autocommit=True)


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:  # pragma: no cover - only when the test fails
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.01)


def _blocked_by(watcher: Raw, pid: int) -> list[int]:
    """The connections that wait for a lock the connection ``pid`` holds."""
    rows = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", (pid,)
    ).fetchall()
    return [int(str(row[0])) for row in rows]


@contextmanager
def _role(
    dsn: str, schema: str | None = None, *, grants: str = "", connection_limit: int = -1
) -> Iterator[str]:
    """A login role with only ``grants`` on ``schema``; yields a DSN that connects as it."""
    name = f"role_{uuid.uuid4().hex[:12]}"
    role = sql.Identifier(name)
    with _autocommit(dsn) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN CONNECTION LIMIT {}").format(
                role, sql.Literal(connection_limit)
            )
        )
        if schema is not None:
            admin.execute(sql.SQL(grants).format(schema=sql.Identifier(schema), role=role))
    try:
        yield make_conninfo(dsn, user=name)
    finally:
        with _autocommit(dsn) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE usename = %s",
                (name,),
            )
            admin.execute(sql.SQL("DROP OWNED BY {}").format(role))
            admin.execute(sql.SQL("DROP ROLE {}").format(role))


_READ_ONLY = (
    "GRANT USAGE ON SCHEMA {schema} TO {role};"
    " GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role}"
)


# -- opening and closing -------------------------------------------------------------------------


def test_a_backend_used_in_a_with_block_is_closed_when_the_block_ends(
    postgres_dsn: str, schema: str
) -> None:
    with PostgresBackend(postgres_dsn, schema=schema, pool_size=1) as backend:
        sales_on(backend).set_stock("SKU-1", 3)
    with pytest.raises(StorageError, match="closed"), backend.unit_of_work(SHOP):
        pass


def test_the_repr_names_the_server_and_schema_but_never_the_password(
    postgres_dsn: str, schema: str
) -> None:
    parts = conninfo_to_dict(postgres_dsn)
    with PostgresBackend(make_conninfo(postgres_dsn, password="s3cret"), schema=schema) as backend:
        shown = repr(backend)
    assert shown == (
        f"PostgresBackend('{parts['user']}@{parts['host']}:{parts['port']}/{parts['dbname']}', "
        f"schema='{schema}')"
    )
    assert "s3cret" not in shown


def test_a_dsn_that_is_not_a_connection_string_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="not a valid connection string"):
        PostgresBackend("not a dsn")


def test_a_malformed_dsn_never_shows_its_password() -> None:
    # libpq's own message quotes the DSN; neither the error nor its chain may carry it.
    with pytest.raises(ConfigurationError) as raised:
        PostgresBackend("postgresql://app:s3cret-pw@[bad/shop")
    assert "s3cret-pw" not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_no_statement_or_idle_limit_is_set_as_zero_on_every_connection(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend(statement_timeout=None, idle_in_transaction_timeout=None)
    with backend.unit_of_work(SHOP) as uow:
        connection = uow._session.connection
        settings = [
            connection.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
            for name in ("statement_timeout", "idle_in_transaction_session_timeout")
        ]
    assert settings == [("0",), ("0",)]


def test_opening_while_another_session_creates_the_schema_waits_and_then_migrates_it(
    postgres_dsn: str, schema: str, raw: Raw
) -> None:
    # A deployment tool creating the schema at the same moment holds its name until it
    # commits; opening must not fail on that race (it used to raise ConcurrencyConflict).
    execute(raw, schema, "CREATE SCHEMA {schema}")
    opened: list[PostgresBackend] = []
    errors: list[BaseException] = []

    def open_() -> None:
        try:
            opened.append(PostgresBackend(postgres_dsn, schema=schema, pool_size=1))
        except BaseException as error:
            errors.append(error)

    opener = threading.Thread(target=open_)
    opener.start()
    with _autocommit(postgres_dsn) as watcher:
        _wait_until(
            lambda: bool(_blocked_by(watcher, raw.info.backend_pid)), "opening waits for the schema"
        )
    raw.commit()
    opener.join(10)
    for backend in opened:
        backend.close()
    assert errors == []
    assert [backend.migrations_applied for backend in opened] == [LATEST]


# -- rights and servers that refuse writes -------------------------------------------------------


def test_a_role_without_the_right_to_create_a_schema_cannot_open_a_new_one(
    postgres_dsn: str, schema: str
) -> None:
    with (
        _role(postgres_dsn) as dsn,
        pytest.raises(StorageError, match="may not do this while migrating schema") as raised,
    ):
        PostgresBackend(dsn, schema=schema)
    assert isinstance(raised.value.__cause__, psycopg.errors.InsufficientPrivilege)
    with _autocommit(postgres_dsn) as admin:
        found = admin.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,))
        assert found.fetchone() is None


def test_a_role_that_may_only_read_reads_and_its_writes_are_storage_errors_naming_the_grants(
    postgres_dsn: str, schema: str, open_backend: OpenBackend
) -> None:
    sales_on(open_backend()).set_stock("SKU-1", 3)
    with (
        _role(postgres_dsn, schema, grants=_READ_ONLY) as dsn,
        PostgresBackend(dsn, schema=schema, pool_size=1) as reader,
    ):
        sales = sales_on(reader)
        assert sales.stock_level("SKU-1") == 3
        with pytest.raises(StorageError, match="grant it USAGE and CREATE"):
            sales.set_stock("SKU-1", 5)
    assert sales_on(open_backend()).stock_level("SKU-1") == 3


def test_a_pool_the_server_will_not_fill_in_time_is_a_storage_error_naming_pool_size(
    postgres_dsn: str, schema: str, open_backend: OpenBackend
) -> None:
    open_backend().close()  # the schema exists; the role below may not create it
    with (
        _role(postgres_dsn, schema, grants=_READ_ONLY, connection_limit=1) as dsn,
        pytest.raises(StorageError, match="could not open 2 connections") as raised,
    ):
        PostgresBackend(dsn, schema=schema, pool_size=2, connect_timeout=1)
    assert "lower pool_size" in str(raised.value)


def test_writes_to_a_read_only_server_are_storage_errors_with_the_sqlstate(
    postgres_dsn: str, schema: str, open_backend: OpenBackend
) -> None:
    open_backend().close()
    # What a hot standby does: every transaction is read-only.
    read_only = make_conninfo(postgres_dsn, options="-c default_transaction_read_only=on")
    with PostgresBackend(read_only, schema=schema, pool_size=1) as standby:
        with pytest.raises(StorageError, match="25006") as raised:
            sales_on(standby).set_stock("SKU-1", 5)
        assert sales_on(standby).stock_level("SKU-1") == 0
    assert isinstance(raised.value.__cause__, psycopg.errors.ReadOnlySqlTransaction)


def test_a_table_dropped_outside_the_library_is_a_storage_error_saying_how_to_recover(
    open_backend: OpenBackend, raw: Raw, schema: str
) -> None:
    sales = sales_on(open_backend())
    execute(raw, schema, "DROP TABLE {schema}.status_labels")
    raw.commit()
    with pytest.raises(StorageError, match=r"(?s)a table is missing.*restore it from a backup"):
        sales.status_labels()


# -- values and statements the server refuses ----------------------------------------------------


def test_a_label_with_a_nul_character_is_a_storage_error_that_names_the_fix(
    open_backend: OpenBackend,
) -> None:
    with (
        open_backend().unit_of_work(SHOP) as uow,
        pytest.raises(StorageError, match="cannot hold NUL characters"),
    ):
        uow.labels.define("Canceled\x00", OrderState.CANCELED)


def test_after_a_failed_statement_the_unit_of_work_refuses_more_and_says_start_again(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend()
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 3)
        with pytest.raises(StorageError, match="64 bits"):
            uow.stock.set_level("SKU-2", 2**70)
        with pytest.raises(StorageError, match="start a new unit of work"):
            uow.stock.level("SKU-1")
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.levels() == {}


def test_a_statement_waiting_past_statement_timeout_is_a_storage_error_and_writes_nothing(
    open_backend: OpenBackend, raw: Raw, schema: str
) -> None:
    sales = sales_on(open_backend(statement_timeout=0.3, lock_timeout=10))
    sales.set_stock("SKU-1", 5)
    order = sales.place_order([LineItem("SKU-1", 2, eur("4.00"))])
    execute(raw, schema, "SELECT 1 FROM {schema}.orders WHERE id = %s FOR UPDATE", order.id)
    started = time.monotonic()
    with pytest.raises(StorageError, match="statement_timeout"):
        sales.cancel_order(order.id)
    waited = time.monotonic() - started
    raw.rollback()
    assert waited < 5
    assert sales.get_order(order.id) == order
    assert sales.refund_orders() == []


# -- the unit of work used the unusual way round -------------------------------------------------


def test_a_unit_of_work_is_entered_once(open_backend: OpenBackend) -> None:
    uow = open_backend().unit_of_work(SHOP)
    with uow, pytest.raises(StorageError, match="entered once"), uow:
        pass


def test_leaving_a_unit_of_work_twice_gives_its_connection_back_once(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend(pool_size=2, pool_timeout=0.3)
    uow = backend.unit_of_work(SHOP)
    uow.__enter__()
    uow.__exit__(None, None, None)
    uow.__exit__(None, None, None)
    # Both connections are still distinct: a connection given back twice would be handed
    # to two units of work at once.
    with backend.unit_of_work(SHOP) as first, backend.unit_of_work(SHOP) as second:
        pids = {
            first._session.connection.info.backend_pid,
            second._session.connection.info.backend_pid,
        }
    assert len(pids) == 2


def test_rolling_back_inside_the_block_undoes_what_was_not_committed(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend()
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
        uow.stock.set_level("SKU-1", 9)
        uow.rollback()
        assert uow.stock.level("SKU-1") == 3
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.level("SKU-1") == 3


def test_rolling_back_outside_the_block_does_nothing(open_backend: OpenBackend) -> None:
    backend = open_backend()
    uow = backend.unit_of_work(SHOP)
    uow.rollback()
    with uow:
        uow.stock.set_level("SKU-1", 3)
        uow.commit()
    uow.rollback()
    with backend.unit_of_work(SHOP) as reader:
        assert reader.stock.level("SKU-1") == 3


def test_a_connection_lost_before_leaving_the_block_is_reported_when_leaving(
    open_backend: OpenBackend, raw: Raw
) -> None:
    backend = open_backend(pool_size=1)
    with (
        pytest.raises(StorageError, match=r"lost the connection.*rolling back"),
        backend.unit_of_work(SHOP) as uow,
    ):
        uow.stock.set_level("SKU-1", 5)
        pid = uow._session.connection.info.backend_pid
        raw.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
    with backend.unit_of_work(SHOP) as uow:  # the pool replaced the dead connection
        assert uow.stock.levels() == {}


# -- repositories: duplicates and missing records ------------------------------------------------


def test_a_refund_order_added_twice_conflicts_and_the_first_stays(
    open_backend: OpenBackend,
) -> None:
    order = sample_order()
    refund = sample_refund(order)
    with open_backend().unit_of_work(SHOP) as uow:
        uow.orders.add(order)
        uow.refunds.add(refund)
        with pytest.raises(ConcurrencyConflict, match="refund order 'r-1' exists already"):
            uow.refunds.add(refund)
        assert uow.refunds.get(refund.id) == refund


def test_an_outbox_batch_with_a_taken_id_conflicts_and_adds_none_of_its_messages(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend()
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([sample_message("m-1")])
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        with pytest.raises(ConcurrencyConflict, match="'m-1' exists already"):
            uow.outbox.add([sample_message("m-2"), sample_message("m-1")])
        uow.commit()  # a caller who handles the conflict commits no half batch
    with backend.unit_of_work(SHOP) as uow:
        assert [message.id for message in uow.outbox.pending()] == ["m-1"]


def test_an_outbox_batch_holding_one_id_twice_conflicts_and_adds_nothing(
    open_backend: OpenBackend,
) -> None:
    backend = open_backend()
    with backend.unit_of_work(SHOP) as uow:
        with pytest.raises(ConcurrencyConflict, match="'m-1' exists already"):
            uow.outbox.add([sample_message("m-1"), sample_message("m-1")])
        uow.commit()
    with backend.unit_of_work(SHOP) as uow:
        assert uow.outbox.pending() == []


MISSING_MESSAGE_OPERATIONS: dict[str, Callable[..., object]] = {
    "get": lambda outbox: outbox.get("m-9"),
    "complete": lambda outbox: outbox.complete("m-9"),
    "attempt_failed": lambda outbox: outbox.attempt_failed(
        "m-9", error="timeout", now=T0, retry_at=None
    ),
    "revive": lambda outbox: outbox.revive("m-9", now=T0),
}


@pytest.mark.parametrize("operation", MISSING_MESSAGE_OPERATIONS)
def test_an_outbox_message_the_shop_does_not_have_is_a_storage_error(
    open_backend: OpenBackend, operation: str
) -> None:
    with (
        open_backend().unit_of_work(SHOP) as uow,
        pytest.raises(StorageError, match="no outbox message 'm-9' in this shop"),
    ):
        MISSING_MESSAGE_OPERATIONS[operation](uow.outbox)


def test_reviving_a_delivered_message_leaves_it_delivered(open_backend: OpenBackend) -> None:
    with open_backend().unit_of_work(SHOP) as uow:
        message = sample_message("m-1")
        uow.outbox.add([message])
        uow.outbox.complete("m-1")
        uow.outbox.revive("m-1", now=message.available_at + timedelta(hours=1))
        revived: OutboxMessage = uow.outbox.get("m-1")
    assert (revived.status, revived.available_at) == (MessageStatus.DONE, message.available_at)


# -- the stock ledger ----------------------------------------------------------------------------


def _sale(order_id: str, sku: str, quantity: int) -> StockMovement:
    key = MovementKey(order_id=order_id, line_id="L1", kind=MovementKind.SALE)
    return StockMovement(key=key, sku=sku, delta=-quantity)


def test_applying_no_movements_changes_nothing(open_backend: OpenBackend) -> None:
    with open_backend().unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-1", 3)
        assert uow.stock.apply([]) == 0
        assert uow.stock.levels() == {"SKU-1": 3}


def test_a_stock_step_that_deadlocks_with_another_transaction_is_run_again(
    open_backend: OpenBackend, postgres_dsn: str, raw: Raw, schema: str
) -> None:
    backend = open_backend()
    with backend.unit_of_work(SHOP) as uow:
        uow.stock.set_level("SKU-0", 1)
        uow.stock.set_level("SKU-1", 5)
        uow.commit()
    # The other transaction detects deadlocks only after a minute, so this unit of work is
    # always the one PostgreSQL aborts (its stock step, back to the savepoint).
    raw.execute("SET deadlock_timeout = '60s'")
    raw_pid = raw.info.backend_pid
    execute(raw, schema, "UPDATE {schema}.stock_levels SET level = level WHERE sku = 'SKU-1'")

    outcome: list[object] = []
    pid: list[int] = []

    def sell() -> None:
        try:
            with backend.unit_of_work(SHOP) as uow:
                pid.append(uow._session.connection.info.backend_pid)
                uow.stock.set_level("SKU-0", 2)  # a row lock the other transaction wants
                outcome.append(uow.stock.apply([_sale("o-1", "SKU-1", 2)]))
                uow.commit()
        except BaseException as error:
            outcome.append(error)

    def other() -> None:
        # Waits for SKU-0, held by the seller who waits for SKU-1: a deadlock.
        with suppress(psycopg.errors.QueryCanceled):
            execute(
                raw, schema, "UPDATE {schema}.stock_levels SET level = level WHERE sku = 'SKU-0'"
            )
        raw.rollback()

    seller = threading.Thread(target=sell)
    seller.start()
    with _autocommit(postgres_dsn) as watcher:
        _wait_until(lambda: bool(_blocked_by(watcher, raw_pid)), "the seller waits for SKU-1")
        seller_pid = pid[0]
        first_try = _query_start(watcher, seller_pid)
        blocker = threading.Thread(target=other)
        blocker.start()
        # PostgreSQL aborts the seller's first try after deadlock_timeout (1 s); its second
        # try waits again, in a statement of its own. Only then does the other one give up.
        _wait_until(
            lambda: (
                _query_start(watcher, seller_pid) != first_try
                and seller_pid in _blocked_by(watcher, raw_pid)
            ),
            "the seller's second try waits for SKU-1",
        )
        watcher.execute("SELECT pg_cancel_backend(%s)", (raw_pid,))
    blocker.join(10)
    seller.join(10)
    assert outcome == [1]
    with backend.unit_of_work(SHOP) as uow:
        assert uow.stock.levels() == {"SKU-0": 2, "SKU-1": 3}


def _query_start(watcher: Raw, pid: int) -> object:
    row = watcher.execute(
        "SELECT query_start FROM pg_stat_activity WHERE pid = %s", (pid,)
    ).fetchone()
    return None if row is None else row[0]
