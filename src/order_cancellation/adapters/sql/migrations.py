"""The vocabulary of schema migrations, the same for every SQL store.

A migration is data: a number, a name and its statements (the DDL is the dialect's). A
store records each applied number in ``schema_migrations``; opening it applies the missing
ones in order, in one transaction under the store's lock, and refuses a store that a newer
release migrated (:class:`ConfigurationError`: this library is too old for it, which no
retry mends). Never edit a released migration: add the next number.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import attrs

from order_cancellation.domain.errors import ConfigurationError


@attrs.frozen
class Migration:
    version: int
    name: str
    statements: tuple[str, ...]


def missing(
    migrations: Sequence[Migration], applied: Collection[int], *, store: str
) -> list[Migration]:
    """The ``migrations`` not yet ``applied``, oldest first; ``store`` names the database in
    the error raised when a newer release migrated it."""
    latest = max(migration.version for migration in migrations)
    newer = [version for version in applied if version > latest]
    if newer:
        raise ConfigurationError(
            f"{store} was migrated to schema version {max(newer)} by a newer release of "
            f"order-cancellation; this one knows version {latest}. Upgrade the library to "
            "open it."
        )
    return sorted(
        (migration for migration in migrations if migration.version not in applied),
        key=lambda migration: migration.version,
    )
