"""Cancel and return e-commerce orders the way a merchant's admin does.

Stock goes back exactly once, refund orders keep the sales report right, and the payment is
released or refunded through the provider (Klarna) or recorded as a manual refund.
"""

from order_cancellation.application.relay import RelayReport
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.domain.errors import (
    CommandRejected,
    ConcurrencyConflict,
    ConfigurationError,
    CurrencyMismatch,
    EffectNotRetryable,
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidInput,
    InvalidMoney,
    ManualRefundNotOwed,
    NotACancelStatus,
    NotFound,
    NothingToReturn,
    OrderAlreadyCanceled,
    OrderAlreadyExists,
    OrderAlreadyReturned,
    OrderCancellationError,
    OrderFulfilledError,
    OrderNotFound,
    OverFulfillment,
    PaymentError,
    PaymentRejected,
    PaymentTemporarilyUnavailable,
    RefundOrderNotFound,
    RepositoryCorrupted,
    StockLevelOutOfRange,
    StorageError,
    UnknownLine,
    UnknownStatusLabel,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order, OrderLine
from order_cancellation.domain.refunds import PaymentStatus, RefundKind, RefundOrder, StockStatus
from order_cancellation.domain.report import CurrencyTotals, SalesReport
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import LineItem, PaymentRef, ReasonCode
from order_cancellation.sales import Sales

__version__ = "0.1.0"

__all__ = [
    "CommandRejected",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CurrencyMismatch",
    "CurrencyTotals",
    "EffectNotRetryable",
    "IdempotencyKeyReused",
    "InsufficientStock",
    "InvalidInput",
    "InvalidMoney",
    "LineItem",
    "ManualRefundNotOwed",
    "Money",
    "NotACancelStatus",
    "NotFound",
    "NothingToReturn",
    "Order",
    "OrderAlreadyCanceled",
    "OrderAlreadyExists",
    "OrderAlreadyReturned",
    "OrderCancellationError",
    "OrderFulfilledError",
    "OrderLine",
    "OrderNotFound",
    "OrderState",
    "OverFulfillment",
    "PaymentError",
    "PaymentRef",
    "PaymentRejected",
    "PaymentStatus",
    "PaymentTemporarilyUnavailable",
    "ReasonCode",
    "RefundKind",
    "RefundOrder",
    "RefundOrderNotFound",
    "RelayReport",
    "RepositoryCorrupted",
    "RetryPolicy",
    "Sales",
    "SalesReport",
    "StockLevelOutOfRange",
    "StockStatus",
    "StorageError",
    "UnknownLine",
    "UnknownStatusLabel",
    "__version__",
]
