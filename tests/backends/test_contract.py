"""Every backend passes the shipped contract suites (memory, SQLite, PostgreSQL); the
``damage_event`` and ``open_after_newer_release`` fixtures come from
``tests/backends/conftest.py``."""

from __future__ import annotations

import pytest

from order_cancellation.ports.backend import Backend
from order_cancellation.testing.contracts import (
    BackendContract,
    OutboxFailuresContract,
    SchemaContract,
)
from tests.backends.conftest import BackendFactory


class TestBackendContract(BackendContract, OutboxFailuresContract, SchemaContract):
    @pytest.fixture
    def backend(self, backend_factory: BackendFactory) -> Backend:
        return backend_factory()
