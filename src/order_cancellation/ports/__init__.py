"""Ports: the typing.Protocol interfaces that adapters implement."""

from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import CaptureRequest, PaymentGateway, SettlementRequest
from order_cancellation.ports.persistence import (
    FailedMessage,
    IdempotencyRecord,
    IdempotencyStore,
    MessageStatus,
    OrderRepository,
    Outbox,
    OutboxMessage,
    RefundOrderRepository,
    StatusLabelRepository,
    UnitOfWork,
)
from order_cancellation.ports.stock import StockLedger

__all__ = [
    "Backend",
    "CaptureRequest",
    "Clock",
    "EventPublisher",
    "FailedMessage",
    "IdempotencyRecord",
    "IdempotencyStore",
    "MessageStatus",
    "OrderRepository",
    "Outbox",
    "OutboxMessage",
    "PaymentGateway",
    "RefundOrderRepository",
    "SettlementRequest",
    "StatusLabelRepository",
    "StockLedger",
    "UnitOfWork",
]
