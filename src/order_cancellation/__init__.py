"""Cancel and return e-commerce orders the way a merchant's admin does.

Stock goes back exactly once, refund orders keep the sales report right, and the payment is
released or refunded through the provider (Klarna) or recorded as a manual refund.
"""

from order_cancellation.application.failures import EffectState, FailedEffect
from order_cancellation.application.relay import RelayReport
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.domain.charges import (
    AppliedDiscount,
    Discount,
    LineDiscount,
    ShippingFee,
    ShippingLine,
    ShippingPortion,
)
from order_cancellation.domain.errors import (
    CommandRejected,
    ConcurrencyConflict,
    ConfigurationError,
    CurrencyMismatch,
    EffectNotRetryable,
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidDiscount,
    InvalidInput,
    InvalidMoney,
    ManualRefundNotOwed,
    NotACancelStatus,
    NotFound,
    NothingLeftToShip,
    NothingShipped,
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
    RefundExceedsCharge,
    RefundOrderNotFound,
    RepositoryCorrupted,
    StockLevelOutOfRange,
    StorageError,
    TendersDoNotAddUp,
    UnknownLine,
    UnknownStatusLabel,
    UnknownTender,
)
from order_cancellation.domain.fees import FeePortion, ReturnFee
from order_cancellation.domain.lines import OrderLine
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.refunds import (
    PaymentStatus,
    RefundKind,
    RefundOrder,
    StockStatus,
    TenderRefund,
)
from order_cancellation.domain.report import CurrencyTotals, SalesReport, TaxTotals
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.tenders import Tender, TenderPolicy
from order_cancellation.domain.tokens import ApiToken, ApiTokenNotFound, InvalidApiToken
from order_cancellation.domain.values import (
    LineItem,
    LineQuantity,
    PaymentRef,
    ReasonCode,
    TenderKind,
    TenderShare,
)
from order_cancellation.ports.persistence import Effect
from order_cancellation.sales import Sales

__version__ = "0.1.0"

__all__ = [
    "ApiToken",
    "ApiTokenNotFound",
    "AppliedDiscount",
    "CommandRejected",
    "ConcurrencyConflict",
    "ConfigurationError",
    "CurrencyMismatch",
    "CurrencyTotals",
    "Discount",
    "Effect",
    "EffectNotRetryable",
    "EffectState",
    "FailedEffect",
    "FeePortion",
    "IdempotencyKeyReused",
    "InsufficientStock",
    "InvalidApiToken",
    "InvalidDiscount",
    "InvalidInput",
    "InvalidMoney",
    "LineDiscount",
    "LineItem",
    "LineQuantity",
    "ManualRefundNotOwed",
    "Money",
    "NotACancelStatus",
    "NotFound",
    "NothingLeftToShip",
    "NothingShipped",
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
    "RefundExceedsCharge",
    "RefundKind",
    "RefundOrder",
    "RefundOrderNotFound",
    "RelayReport",
    "RepositoryCorrupted",
    "RetryPolicy",
    "ReturnFee",
    "Sales",
    "SalesReport",
    "ShippingFee",
    "ShippingLine",
    "ShippingPortion",
    "StockLevelOutOfRange",
    "StockStatus",
    "StorageError",
    "TaxRate",
    "TaxTotals",
    "Tender",
    "TenderKind",
    "TenderPolicy",
    "TenderRefund",
    "TenderShare",
    "TendersDoNotAddUp",
    "UnknownLine",
    "UnknownStatusLabel",
    "UnknownTender",
    "__version__",
]
