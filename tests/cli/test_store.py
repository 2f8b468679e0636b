"""Choosing the store: ``init``, a missing file, an unreachable server, exit code 3."""

from __future__ import annotations

from pathlib import Path

import pytest

from order_cancellation import Sales
from tests.cli.conftest import Operator


def test_init_creates_the_database_file(operator: Operator, tmp_path: Path) -> None:
    path = tmp_path / "new.db"

    created = operator.run("init", "--db", str(path), "--json")

    assert created.code == 0
    assert created.document() == {
        "backend": "sqlite",
        "database": str(path),
        "shop": "default",
        "created": True,
    }
    assert path.is_file()


def test_init_on_an_existing_database_keeps_its_data(operator: Operator, shop: Sales) -> None:
    operator.json("stock", "set", "MUG", "4")

    again = operator.json("init")

    assert again["created"] is False
    assert shop.stock_level("MUG") == 4


@pytest.mark.parametrize(
    "command",
    [
        ["order", "show", "o-1"],
        ["stock", "set", "MUG", "5"],
        ["labels", "list"],
        ["worker", "--once"],
    ],
)
def test_an_operator_command_never_creates_a_missing_database(
    operator: Operator, tmp_path: Path, command: list[str]
) -> None:
    missing = tmp_path / "typo.db"

    refused = operator.run(*command, "--db", str(missing))

    assert refused.code == 3
    assert "no SQLite database at" in refused.one_error_line
    assert "order-cancellation init" in refused.one_error_line
    assert refused.out == ""
    assert not missing.exists()


def test_a_file_that_is_not_a_database_is_a_storage_error(
    operator: Operator, tmp_path: Path
) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("these are not the tables you are looking for\n" * 100)

    refused = operator.run("order", "show", "o-1", "--db", str(junk))

    assert refused.code == 3
    assert str(junk) in refused.one_error_line


@pytest.mark.parametrize(
    "command", [["order", "cancel", "o-1"], ["init"], ["worker", "--once"], ["labels", "list"]]
)
def test_an_unreachable_postgresql_server_is_one_line_and_exit_3(
    operator: Operator, command: list[str]
) -> None:
    refused = operator.run(*command, "--dsn", "postgresql://x@127.0.0.1:1/x")

    assert refused.code == 3
    assert "PostgreSQL" in refused.one_error_line
    assert refused.out == ""


def test_the_password_of_a_dsn_is_never_printed(operator: Operator) -> None:
    refused = operator.run("labels", "list", "--dsn", "postgresql://x:secret-pw@127.0.0.1:1/x")

    assert refused.code == 3
    assert "secret-pw" not in refused.err


def test_without_a_store_the_command_line_is_a_usage_error(operator: Operator) -> None:
    refused = operator.run("order", "show", "o-1")

    assert refused.code == 2
    assert "--db PATH" in refused.err


def test_both_stores_at_once_is_a_usage_error(operator: Operator, db: Path) -> None:
    refused = operator.run("labels", "list", "--db", str(db), "--dsn", "postgresql://x@h/x")

    assert refused.code == 2
    assert "not both" in refused.err


def test_store_options_may_come_before_the_command(operator: Operator, db: Path) -> None:
    before = operator.run("--db", str(db), "--json", "stock", "set", "MUG", "2")

    assert before.code == 0
    assert before.document() == {"stock": {"MUG": 2}}


def test_each_shop_in_one_file_sees_only_its_own_orders(operator: Operator) -> None:
    order = operator.place("MUG:1:9.50")
    assert operator("stock", "set", "MUG", "1", "--shop", "other-shop").code == 0

    elsewhere = operator("order", "show", order, "--shop", "other-shop")

    assert elsewhere.code == 1
    assert order in elsewhere.one_error_line


def test_a_shop_the_database_does_not_know_is_refused_naming_the_known_ones(
    operator: Operator,
) -> None:
    order = operator.place("MUG:1:9.50")

    typo = operator("order", "show", order, "--shop", "defualt")

    assert typo.code == 1
    assert "knows no shop 'defualt'; its shops are: default" in typo.one_error_line


def test_a_command_that_creates_data_may_start_a_new_shop(operator: Operator) -> None:
    operator.place("MUG:1:9.50")

    started = operator("stock", "set", "CUP", "3", "--shop", "second-shop")

    assert started.code == 0
    assert operator("stock", "show", "--shop", "second-shop").code == 0
