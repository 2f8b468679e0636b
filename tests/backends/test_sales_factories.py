"""``Sales.sqlite`` and ``Sales.postgres``: a path (or DSN) or a shared backend, never both;
options checked by name; a missing extra named with its pip command."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from order_cancellation import InvalidInput, Sales
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.domain.errors import MissingDependency


def test_a_shop_on_a_shared_sqlite_backend_needs_no_path(tmp_path: Path) -> None:
    backend = SQLiteBackend(tmp_path / "shop.db")

    Sales.sqlite(shop="acme", backend=backend).set_stock("MUG", 2)

    assert Sales.sqlite(shop="acme", backend=backend).stock_level("MUG") == 2
    backend.close()


def test_a_path_and_a_shared_backend_together_are_refused(tmp_path: Path) -> None:
    backend = SQLiteBackend(tmp_path / "shop.db")

    with pytest.raises(InvalidInput, match="give either a path or a backend, not both"):
        Sales.sqlite(tmp_path / "other.db", "acme", backend=backend)

    assert not (tmp_path / "other.db").exists()
    backend.close()


def test_neither_a_path_nor_a_backend_is_refused() -> None:
    with pytest.raises(InvalidInput, match="give the path of the store, or a backend to share"):
        Sales.sqlite(shop="acme")


def test_options_beside_a_shared_backend_are_refused(tmp_path: Path) -> None:
    backend = SQLiteBackend(tmp_path / "shop.db")

    with pytest.raises(InvalidInput, match=r"options \(busy_timeout\) are for opening a backend"):
        Sales.sqlite(shop="acme", backend=backend, busy_timeout=1)

    backend.close()


def test_a_mistyped_option_names_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidInput,
        match=r"unknown option 'busy_timout' for SQLiteBackend; "
        r"the options are: busy_timeout, synchronous\.",
    ):
        Sales.sqlite(tmp_path / "shop.db", busy_timout=1)

    assert not (tmp_path / "shop.db").exists()


def test_a_known_option_reaches_the_backend(tmp_path: Path) -> None:
    with Sales.sqlite(tmp_path / "shop.db", synchronous="NORMAL") as sales:
        sales.set_stock("MUG", 1)
        assert sales.stock_level("MUG") == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"busy_timeout": 1e300}, "busy_timeout is a number of seconds from 0 to 86,400"),
        ({"busy_timeout": float("inf")}, "busy_timeout is a number of seconds from 0 to 86,400"),
        ({"busy_timeout": float("nan")}, "busy_timeout is a number of seconds from 0 to 86,400"),
    ],
    ids=["1e300", "infinite", "nan"],
)
def test_a_busy_timeout_sqlite_cannot_wait_is_invalid_input(
    tmp_path: Path, options: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        Sales.sqlite(tmp_path / "shop.db", **options)


def test_a_path_with_a_nul_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot contain a NUL character"):
        Sales.sqlite(f"{tmp_path}/shop\x00.db")


@pytest.mark.parametrize(
    "option",
    [
        {"lock_timeout": float("inf")},
        {"connect_timeout": float("inf")},
        {"statement_timeout": 1e300},
        {"pool_timeout": 86_401},
    ],
    ids=["lock", "connect", "statement", "pool"],
)
def test_a_postgres_timeout_beyond_a_day_is_invalid_input_before_connecting(
    option: dict[str, Any],
) -> None:
    with pytest.raises(InvalidInput, match="seconds above zero and at most 86,400"):
        Sales.postgres("postgresql://nobody@127.0.0.1:1/none", **option)


def test_a_mistyped_postgres_option_names_the_valid_ones() -> None:
    with pytest.raises(InvalidInput, match=r"unknown option 'lock_timout' for PostgresBackend"):
        Sales.postgres("postgresql://nobody@127.0.0.1:1/none", lock_timout=1)


def test_a_postgres_shop_needs_a_dsn_or_a_backend() -> None:
    with pytest.raises(InvalidInput, match="give the dsn of the store, or a backend to share"):
        Sales.postgres(shop="acme")


def _without(monkeypatch: pytest.MonkeyPatch, driver: str, package: str) -> Callable[[], object]:
    """Import ``package`` afresh as if ``driver`` were not installed."""
    monkeypatch.setitem(sys.modules, driver, None)
    for name in [name for name in sys.modules if name.startswith(package)]:
        monkeypatch.delitem(sys.modules, name)
    return lambda: __import__(package)


@pytest.mark.parametrize(
    ("driver", "package", "extra"),
    [
        ("psycopg", "order_cancellation.adapters.postgres", "postgres"),
        ("httpx", "order_cancellation.adapters.klarna", "klarna"),
    ],
)
def test_a_missing_extra_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch, driver: str, package: str, extra: str
) -> None:
    load = _without(monkeypatch, driver, package)

    with pytest.raises(MissingDependency, match=rf"pip install 'order-cancellation\[{extra}\]'"):
        load()


def test_sales_postgres_without_the_extra_says_which_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without(monkeypatch, "psycopg", "order_cancellation.adapters.postgres")

    with pytest.raises(MissingDependency, match=r"pip install 'order-cancellation\[postgres\]'"):
        Sales.postgres("postgresql://nobody@127.0.0.1:1/none")
