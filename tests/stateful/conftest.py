"""The state machines run on PostgreSQL too: they share the backends' server fixture."""

from tests.backends.conftest import postgres_dsn

__all__ = ["postgres_dsn"]
