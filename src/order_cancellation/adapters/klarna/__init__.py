"""Klarna Order Management as a payment gateway: cancel, refund, release, capture, extend.

Install the ``klarna`` extra (``pip install order-cancellation[klarna]``) for httpx, then::

    gateway = KlarnaGateway(KlarnaConfig.from_env())
    sales = Sales.in_memory(shop="my-shop", gateways={"klarna": gateway})

See docs/klarna.md for the configuration and what happens in each Klarna state.
"""

from order_cancellation.domain.errors import MissingDependency

try:
    import httpx  # noqa: F401
except ImportError as error:
    raise MissingDependency(
        "The Klarna gateway needs the 'klarna' extra: pip install 'order-cancellation[klarna]'"
    ) from error

from order_cancellation.adapters.klarna.config import (
    Credentials,
    HttpRetryPolicy,
    KlarnaConfig,
    Region,
)
from order_cancellation.adapters.klarna.errors import (
    KlarnaAmountOutOfRange,
    KlarnaAnswerContradictory,
    KlarnaCaptureRefused,
    KlarnaCredentialsRejected,
    KlarnaExtensionRefused,
    KlarnaOrderMismatch,
    KlarnaOrderNotFound,
    KlarnaProblem,
    KlarnaRequestRejected,
    KlarnaResponseUnexpected,
    KlarnaResponseUnreadable,
    KlarnaStateConflict,
    KlarnaUnavailable,
)
from order_cancellation.adapters.klarna.gateway import KlarnaGateway, intent_key

__all__ = [
    "Credentials",
    "HttpRetryPolicy",
    "KlarnaAmountOutOfRange",
    "KlarnaAnswerContradictory",
    "KlarnaCaptureRefused",
    "KlarnaConfig",
    "KlarnaCredentialsRejected",
    "KlarnaExtensionRefused",
    "KlarnaGateway",
    "KlarnaOrderMismatch",
    "KlarnaOrderNotFound",
    "KlarnaProblem",
    "KlarnaRequestRejected",
    "KlarnaResponseUnexpected",
    "KlarnaResponseUnreadable",
    "KlarnaStateConflict",
    "KlarnaUnavailable",
    "Region",
    "intent_key",
]
