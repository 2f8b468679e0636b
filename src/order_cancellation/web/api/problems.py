"""Errors as RFC 9457 problem details (``application/problem+json``).

Each carries the library's stable ``code`` (:func:`error_code`) and the exception's name as
``error``, so that a client branches on data rather than on English. The status follows
what went wrong: 404 for an id the shop does not have (another shop's id included, so that
its existence does not leak), 409 for a command the order's state refuses or a concurrent
change, 412 for a stale ``If-Match``, 422 for input the library refuses.
"""

from __future__ import annotations

from typing import Any, Final

from starlette.responses import JSONResponse

from order_cancellation.application.errors import error_code
from order_cancellation.domain.errors import (
    CommandRejected,
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    NotFound,
    OrderCancellationError,
    PaymentError,
    StorageError,
)

PROBLEM_TYPE: Final = "https://order-cancellation.invalid/problems/"
MEDIA_TYPE: Final = "application/problem+json"


class ProblemResponse(JSONResponse):
    media_type = MEDIA_TYPE


class HttpProblem(Exception):
    """A refusal made by the HTTP layer itself (no credential, a body that is not JSON)."""

    def __init__(self, status: int, code: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.title, self.detail = status, code, title, detail


_STATUSES: Final[tuple[tuple[type[OrderCancellationError], int], ...]] = (
    (NotFound, 404),
    (IdempotencyKeyReused, 409),
    (CommandRejected, 409),
    (InvalidInput, 422),
    (PaymentError, 502),
    (StorageError, 503),
)


def status_of(error: OrderCancellationError, *, conditional: bool) -> int:
    """The HTTP status for a library error; ``conditional``: the request sent If-Match."""
    if isinstance(error, ConcurrencyConflict):
        return 412 if conditional else 409
    for kind, status in _STATUSES:
        if isinstance(error, kind):
            return status
    return 409


TITLES: Final = {
    404: "Not found",
    409: "Conflict",
    412: "Precondition failed",
    422: "Unprocessable content",
    502: "Payment service failed",
    503: "Store unavailable",
}


def problem(
    status: int, code: str, title: str, detail: str, *, error: str | None = None
) -> ProblemResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if error is not None:
        body["error"] = error
    headers = {"WWW-Authenticate": 'Bearer realm="order-cancellation"'} if status == 401 else None
    return ProblemResponse(body, status_code=status, headers=headers)


def library_problem(error: OrderCancellationError, *, conditional: bool) -> ProblemResponse:
    status = status_of(error, conditional=conditional)
    code = "precondition_failed" if status == 412 else error_code(error)
    return problem(
        status, code, TITLES.get(status, "Refused"), str(error), error=type(error).__name__
    )


def http_problem(error: HttpProblem) -> ProblemResponse:
    return problem(error.status, error.code, error.title, error.detail)


PROBLEM_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "RFC 9457 problem details, with the library's error code.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {
            "type": "string",
            "description": "not_found, already_canceled, already_exists, conflict, bad_input, "
            "payment_failed, storage_error, refused, precondition_failed, unauthorized, "
            "malformed",
        },
        "error": {"type": "string", "description": "the library's exception, when one"},
    },
    "required": ["type", "title", "status", "detail", "code"],
}
