"""API tokens: made per shop, stored hashed, checked, revoked; and the CLI that manages them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from order_cancellation import Sales
from order_cancellation.cli import main
from order_cancellation.domain.errors import NotFound
from order_cancellation.domain.tokens import InvalidApiToken, parse_token, secret_hash


def test_a_new_token_is_accepted_by_its_shop_only(acme: Sales, bolt: Sales) -> None:
    text, _ = acme.create_api_token(name="storefront")
    assert acme.accepts_api_token(text)
    assert not bolt.accepts_api_token(text)


def test_the_store_keeps_the_hash_of_the_secret_never_the_secret(acme: Sales) -> None:
    text, token = acme.create_api_token()
    secret = parse_token(text).secret
    assert token.secret_hash == secret_hash(secret)
    assert secret not in repr(acme.api_tokens())


def test_a_revoked_token_is_refused_and_still_listed(acme: Sales) -> None:
    text, token = acme.create_api_token()
    acme.revoke_api_token(token.id)
    assert not acme.accepts_api_token(text)
    assert [listed.active for listed in acme.api_tokens()] == [False]


def test_revoking_an_unknown_token_says_so(acme: Sales) -> None:
    with pytest.raises(NotFound, match="token list"):
        acme.revoke_api_token("tok_missing")


def test_a_token_with_a_changed_secret_is_refused(acme: Sales) -> None:
    text, _ = acme.create_api_token()
    assert not acme.accepts_api_token(text[:-2] + ("AA" if not text.endswith("AA") else "BB"))


def test_text_that_is_no_token_is_refused_by_the_parser(acme: Sales) -> None:
    with pytest.raises(InvalidApiToken):
        parse_token("Bearer nonsense")
    assert not acme.accepts_api_token("oct_.x.y")


def test_sqlite_stores_tokens_hashed_in_its_own_table(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with Sales.sqlite(path, shop="acme") as sales:
        text, token = sales.create_api_token()
        sales.revoke_api_token(token.id)
        assert not sales.accepts_api_token(text)
    with sqlite3.connect(path) as db:
        version = db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        rows = db.execute("SELECT shop, secret_hash, revoked_at FROM api_tokens").fetchall()
    assert version >= 4
    assert rows[0][0] == "acme"
    assert rows[0][1] == secret_hash(parse_token(text).secret)
    assert rows[0][2] is not None


def test_the_cli_creates_lists_and_revokes_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "shop.db")
    assert main(["init", "--db", db]) == 0
    capsys.readouterr()
    assert main(["token", "create", "--shop", "acme", "--name", "pos", "--db", db, "--json"]) == 0
    created = json.loads(capsys.readouterr().out)
    with Sales.sqlite(db, shop="acme") as sales:
        assert sales.accepts_api_token(created["token"])
    assert main(["token", "revoke", created["id"], "--shop", "acme", "--db", db]) == 0
    assert main(["token", "list", "--shop", "acme", "--db", db]) == 0
    listed = capsys.readouterr().out
    assert f"revoked {created['id']}" in listed
    assert "pos" in listed
    with Sales.sqlite(db, shop="acme") as sales:
        assert not sales.accepts_api_token(created["token"])
