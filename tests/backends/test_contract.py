"""Every backend passes the shipped contract suite (memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

from order_cancellation.ports.backend import Backend
from order_cancellation.testing.contracts import BackendContract
from tests.backends.conftest import BackendFactory


class TestBackendContract(BackendContract):
    @pytest.fixture
    def backend(self, backend_factory: BackendFactory) -> Backend:
        return backend_factory()
