"""An operator at the command line, on a SQLite file: ``main([...])`` run in-process.

``operator("order", "show", order_id)`` runs ``order-cancellation --db <file> order show ID``
and returns what it printed and its exit code; ``operator.json(...)`` also checks it
succeeded and reads its ``--json`` document. ``shop`` reads the same file through the
library, to assert what is stored rather than what is printed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from order_cancellation import Sales
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.cli import main


@attrs.frozen
class Outcome:
    code: int
    out: str
    err: str

    def document(self) -> Any:
        return json.loads(self.out)

    @property
    def one_error_line(self) -> str:
        """The single line a refused command prints on stderr (fails if there are more)."""
        lines = self.err.splitlines()
        assert len(lines) == 1, self.err
        assert lines[0].startswith("order-cancellation: "), self.err
        return lines[0]


class Operator:
    def __init__(self, capsys: pytest.CaptureFixture[str], db: Path) -> None:
        self._capsys = capsys
        self.db = db

    def run(self, *argv: str) -> Outcome:
        """Any command line, exactly as given."""
        code = main(list(argv))
        captured = self._capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    def __call__(self, *argv: str) -> Outcome:
        """A command on this operator's database."""
        return self.run(*argv, "--db", str(self.db))

    def json(self, *argv: str) -> Any:
        outcome = self(*argv, "--json")
        assert outcome.code == 0, outcome.err
        assert outcome.err == ""
        return outcome.document()

    def place(self, *lines: str, order_id: str | None = None, paid_by: str | None = None) -> str:
        """Place an order of ``SKU:QTY:PRICE`` lines in EUR, stocking what is missing first."""
        for line in lines:
            sku, quantity, _ = line.rsplit(":", 2)
            if self.json("stock", "show", sku)["stock"][sku] < int(quantity):
                self.json("stock", "set", sku, quantity)
        extra = ["--order-id", order_id] if order_id else []
        if paid_by:
            extra += ["--payment-provider", paid_by, "--payment-ref", f"{paid_by}-1"]
        placed = self.json("order", "place", *lines, "--currency", "EUR", *extra)
        return str(placed["order"]["id"])


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A fresh database file, created the way an operator would: ``init``."""
    path = tmp_path / "shop.db"
    assert main(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    return path


@pytest.fixture
def operator(capsys: pytest.CaptureFixture[str], db: Path) -> Operator:
    return Operator(capsys, db)


@pytest.fixture
def shop(db: Path) -> Iterator[Sales]:
    """The "default" shop of the operator's file, read through the library."""
    backend = SQLiteBackend(db)
    yield Sales.sqlite(backend=backend)
    backend.close()
