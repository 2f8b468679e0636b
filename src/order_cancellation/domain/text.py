"""Text from outside (a payment service's error, an exception's message) made fit to store.

Such text may hold a NUL, which PostgreSQL refuses in ``text`` and ``jsonb`` columns, lone
surrogates, which no UTF-8 store accepts, or a whole HTML error page. A record that cannot be
stored is worse than a shortened message: the failure itself would then be lost.
"""

from __future__ import annotations

from typing import Final

MAX_STORED_TEXT: Final = 500
"""Characters kept of an error or a provider's detail; the rest is dropped."""

REPLACEMENT: Final = "\N{REPLACEMENT CHARACTER}"
_BLANKS: Final = frozenset("\t\n\r")


def storable(text: str, *, limit: int = MAX_STORED_TEXT) -> str:
    """``text`` cut to ``limit`` characters, line breaks and tabs turned into spaces and every
    other character that is not printable (NUL and other controls, lone surrogates) into
    U+FFFD, so that any store accepts it and a reader sees where something was."""
    kept = text[:limit]
    if kept.isprintable():
        return kept
    return "".join(
        char if char.isprintable() else " " if char in _BLANKS else REPLACEMENT for char in kept
    )
