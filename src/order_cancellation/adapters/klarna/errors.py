"""The errors the Klarna adapter raises, each a subclass of the domain's payment errors.

:class:`~order_cancellation.domain.errors.PaymentTemporarilyUnavailable` subclasses mean
"nothing is lost, the relay retries with the same keys"; :class:`PaymentRejected`
subclasses mean "a person must look first". None of them ever carries credentials.
"""

from __future__ import annotations

from order_cancellation.domain.errors import (
    ConfigurationError,
    InvalidInput,
    PaymentRejected,
    PaymentTemporarilyUnavailable,
)


class KlarnaProblem(Exception):
    """What Klarna said, when it said anything: HTTP status, error code, correlation id.

    Quote the correlation id to Klarna's merchant support; it finds their logs.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        error_code: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.error_code = error_code
        self.correlation_id = correlation_id


class KlarnaUnavailable(KlarnaProblem, PaymentTemporarilyUnavailable):
    """Klarna did not answer, or answered 5xx/429/409, on every attempt of this call."""


class KlarnaResponseUnreadable(KlarnaProblem, PaymentTemporarilyUnavailable):
    """Klarna's answer was not JSON or was cut short; nothing was changed by reading it."""


class KlarnaResponseUnexpected(KlarnaProblem, PaymentRejected):
    """Klarna's answer was JSON but not the shape this library knows (unknown status,
    missing field); nothing was changed, and retrying is safe once it is understood."""


class KlarnaCredentialsRejected(KlarnaProblem, PaymentRejected, ConfigurationError):
    """Klarna answered 401: the credentials are wrong, disabled, or for another region."""


class KlarnaOrderNotFound(KlarnaProblem, PaymentRejected):
    """Klarna has no order with that id in this region and environment."""


class KlarnaOrderMismatch(KlarnaProblem, PaymentRejected):
    """The Klarna order does not belong with the request (another currency)."""


class KlarnaAmountOutOfRange(KlarnaProblem, PaymentRejected, InvalidInput):
    """An amount is above what Klarna accepts in one call; nothing was sent."""


class KlarnaRequestRejected(KlarnaProblem, PaymentRejected):
    """Klarna refused the request itself (400, 403 with an unknown code, 413, 422 ...)."""


class KlarnaStateConflict(KlarnaProblem, PaymentRejected):
    """Klarna kept refusing a step that its own order view said was allowed."""


class KlarnaCaptureRefused(KlarnaProblem, PaymentRejected):
    """The order cannot be captured: canceled, expired, or not enough authorization left."""


class KlarnaExtensionRefused(KlarnaProblem, PaymentRejected):
    """Klarna would not extend the authorization (expired, canceled, or past 180 days)."""


class KlarnaAnswerContradictory(KlarnaProblem, PaymentRejected):
    """Klarna's answer contradicts itself or the request (more refunded than captured, another
    order's id); nothing was sent or recorded on it, and a person must look first."""
