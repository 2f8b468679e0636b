"""Contract suite of a store's schema version: a store that a newer release of the library
migrated is refused, the same way on every backend, rather than misread.

Subclass :class:`SchemaContract` and provide an ``open_after_newer_release`` fixture: a
callable that records, behind the library's back, that a newer release migrated the store
(for a SQL store, a row of a higher version in ``schema_migrations``) and then opens the
store again. A store without a schema skips the suite by calling ``pytest.skip`` in that
fixture::

    class TestMyBackend(BackendContract, SchemaContract):
        @pytest.fixture
        def open_after_newer_release(self, path):
            def open_():
                ...  # INSERT INTO schema_migrations a version above the latest
                return MyBackend(path)
            return open_
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from order_cancellation.domain.errors import ConfigurationError

OpenAfterNewerRelease = Callable[[], object]


class SchemaContract:
    """Provide ``open_after_newer_release``."""

    def test_a_store_a_newer_release_migrated_is_refused_as_a_configuration_error(
        self, open_after_newer_release: OpenAfterNewerRelease
    ) -> None:
        with pytest.raises(ConfigurationError, match="newer release"):
            open_after_newer_release()
