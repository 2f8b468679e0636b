"""K3: the durability settings are what the live connection reports, not what was asked."""

from __future__ import annotations

import pytest

from order_cancellation.adapters.sqlite import SQLiteBackend
from tests.backends.conftest import BackendFactory
from tests.backends.reliability.support import Report, figure

SYNCHRONOUS_RANK = {"OFF": 0, "NORMAL": 1, "FULL": 2, "EXTRA": 3}


@pytest.mark.parametrize("backend_name", ["sqlite"])
def test_k3_a_file_opened_by_default_reads_back_wal_full_sync_and_a_5_s_busy_timeout(
    backend_factory: BackendFactory, backend_name: str, reliability: Report
) -> None:
    backend = backend_factory()
    assert isinstance(backend, SQLiteBackend)
    with backend.unit_of_work("acme") as uow:  # a connection that has done real work
        uow.stock.set_level("SKU-1", 1)
        uow.commit()
    pragmas = backend.pragmas()
    figure(
        reliability,
        "K3",
        backend=backend_name,
        journal_mode=pragmas.journal_mode,
        synchronous=pragmas.synchronous,
        busy_timeout=pragmas.busy_timeout,
        foreign_keys=int(pragmas.foreign_keys),
    )
    assert pragmas.journal_mode == "wal"
    assert SYNCHRONOUS_RANK[pragmas.synchronous] >= SYNCHRONOUS_RANK["NORMAL"]
    assert pragmas.synchronous == "FULL"
    assert pragmas.busy_timeout >= 5000
    assert pragmas.foreign_keys is True
