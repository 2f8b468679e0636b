"""Stable codes for refusals, for scripts and JSON clients that must not parse English."""

from __future__ import annotations

from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    OrderAlreadyCanceled,
    OrderAlreadyExists,
    OrderCancellationError,
    PaymentError,
    StorageError,
)

_CODES: tuple[tuple[type[BaseException], str], ...] = (
    (OrderAlreadyCanceled, "already_canceled"),
    (OrderAlreadyExists, "already_exists"),
    (NotFound, "not_found"),
    (IdempotencyKeyReused, "conflict"),
    (ConcurrencyConflict, "conflict"),
    (InvalidInput, "bad_input"),
    (PaymentError, "payment_failed"),
    (StorageError, "storage_error"),
)


def error_code(error: BaseException) -> str:
    """``not_found``, ``already_canceled``, ``already_exists``, ``conflict``, ``bad_input``,
    ``payment_failed``, ``storage_error``, ``refused`` (any other command refused) or
    ``error``."""
    for kind, code in _CODES:
        if isinstance(error, kind):
            return code
    return "refused" if isinstance(error, OrderCancellationError) else "error"
