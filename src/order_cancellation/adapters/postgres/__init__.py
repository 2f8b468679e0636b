"""The PostgreSQL backend (the ``postgres`` extra): many shops, processes and machines on
one database. See docs/postgres.md."""

from order_cancellation.domain.errors import MissingDependency

try:
    import psycopg  # noqa: F401
except ImportError as error:
    raise MissingDependency(
        "PostgreSQL support needs the 'postgres' extra: pip install 'order-cancellation[postgres]'"
    ) from error

from order_cancellation.adapters.postgres.backend import PostgresBackend
from order_cancellation.adapters.postgres.unit_of_work import PostgresUnitOfWork

__all__ = ["PostgresBackend", "PostgresUnitOfWork"]
