"""Exit codes, and which failure gets which one.

Scripts branch on the code, people read the one line on stderr: a failure the operator can
fix (bad input, unknown id, a command the order's state refuses, a conflict) is 1; a command
line argparse cannot parse is 2; a store that cannot be opened or used is 3.
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Mapping
from typing import Final

from order_cancellation.domain.errors import (
    InsufficientStock,
    OrderCancellationError,
    OrderFulfilledError,
    StorageError,
    UnknownStatusLabel,
)

# The library's messages name its Python calls; at the command line, name the command too.
_HINTS: Final[Mapping[type[OrderCancellationError], str]] = {
    OrderFulfilledError: "order-cancellation order return ID LINE_OR_SKU=QTY",
    UnknownStatusLabel: "order-cancellation labels add LABEL",
    InsufficientStock: "order-cancellation stock set SKU QTY",
}


class ExitCode(enum.IntEnum):
    OK = 0
    USER_ERROR = 1  # a typed OrderCancellationError: invalid input, not found, rejected, conflict
    USAGE = 2  # the command line itself is wrong (argparse's own code)
    STORAGE = 3  # the database file is missing, the server unreachable, the store failed
    INTERRUPTED = 130  # a second Ctrl-C, the shell's convention for SIGINT


class UsageError(Exception):
    """The options do not fit together (for example both --db and --dsn)."""


class StoreUnavailable(Exception):
    """The store cannot be opened: no such SQLite file, no server, no driver."""


def classify(error: BaseException) -> ExitCode | None:
    """The exit code for an expected failure, or None for a bug (which keeps its traceback)."""
    if isinstance(error, StoreUnavailable | StorageError | sqlite3.Error) or _is_driver_error(
        error
    ):
        return ExitCode.STORAGE
    if isinstance(error, OrderCancellationError):
        return ExitCode.USER_ERROR
    return None


def one_line(error: BaseException) -> str:
    """The error's message on one line: drivers like to spread theirs over several."""
    text = " ".join(str(error).split()) or type(error).__name__
    hint = next((hint for kind, hint in _HINTS.items() if isinstance(error, kind)), None)
    return text if hint is None else f"{text} (command line: `{hint}`)"


def _is_driver_error(error: BaseException) -> bool:
    # psycopg is an optional dependency: recognise its errors without importing it.
    return any(cls.__module__.split(".")[0] == "psycopg" for cls in type(error).__mro__)
