"""Every error a caller can see.

All of them derive from :class:`OrderCancellationError`, so one ``except`` catches the
library's failures and nothing else. Each message says what to do next.
"""

from __future__ import annotations


class OrderCancellationError(Exception):
    """Root of every error raised by this library."""


class InvalidInput(OrderCancellationError, ValueError):
    """A command or value is malformed; fix the input and call again. Nothing was changed."""


class InvalidMoney(InvalidInput):
    """An amount or currency cannot be represented exactly."""


class CurrencyMismatch(InvalidInput):
    """Two amounts in different currencies were combined."""


class UnknownStatusLabel(InvalidInput):
    """The merchant has not defined the status label that was asked for."""


class NotACancelStatus(InvalidInput):
    """The status label exists but does not mean "canceled"."""


class InvalidDiscount(InvalidInput):
    """A discount that cannot apply: no amount or percentage, or more than its lines cost."""


class UnknownLine(InvalidInput):
    """A line id or SKU that the order does not have."""


class TendersDoNotAddUp(InvalidInput):
    """The payments of an order do not add up to its total, or one has no amount."""


class UnknownTender(InvalidInput):
    """A payment reference that the order was not paid with."""


class StockLevelOutOfRange(InvalidInput):
    """A stock level would pass the largest number any backend stores."""


class NotFound(OrderCancellationError, LookupError):
    """Nothing with that id exists in this shop."""


class OrderNotFound(NotFound):
    """No order with that id exists in this shop."""


class RefundOrderNotFound(NotFound):
    """No refund order with that id exists in this shop."""


class CommandRejected(OrderCancellationError):
    """The command is well formed but the order's state does not allow it."""


class OrderAlreadyExists(CommandRejected):
    """An order with that id exists in this shop; a new order needs a new id."""


class OrderFulfilledError(CommandRejected):
    """A fulfilled order cannot be canceled; create a return instead."""


class OrderAlreadyCanceled(CommandRejected):
    """The order was canceled before; nothing more can happen to it."""


class OrderAlreadyReturned(CommandRejected):
    """Every unit of the order was returned; nothing more can happen to it."""


class NothingToReturn(CommandRejected):
    """The return asks for units that are not fulfilled or were returned already."""


class RefundExceedsCharge(CommandRejected):
    """The refund asks for more than is left to refund of what was charged."""


class NothingShipped(CommandRejected):
    """Canceling the unshipped rest of an order that shipped nothing: cancel the order."""


class NothingLeftToShip(CommandRejected):
    """The units asked for have shipped or were canceled already."""


class OverFulfillment(CommandRejected):
    """The fulfillment asks for more units than remain to be shipped."""


class InsufficientStock(CommandRejected):
    """Placing the order would take more stock than there is."""


class ManualRefundNotOwed(CommandRejected):
    """The refund order does not have a manual refund outstanding."""


class EffectNotRetryable(CommandRejected):
    """The effect is neither failed nor dead-lettered, so there is nothing to retry."""


class ConcurrencyConflict(OrderCancellationError):
    """Someone else changed the record first; reload it and decide again."""


class IdempotencyKeyReused(OrderCancellationError):
    """The idempotency key was used before for a different command."""


class ConfigurationError(OrderCancellationError):
    """The library was set up in a way that cannot work; fix the configuration."""


class InvalidOption(InvalidInput, ConfigurationError):
    """An option given when opening a backend is unknown or out of range; nothing was opened."""


class MissingDependency(ConfigurationError, ImportError):
    """An optional extra is not installed; the message names the pip command."""


class PaymentError(OrderCancellationError):
    """The payment service could not settle; the effect stays pending and is retried."""


class PaymentTemporarilyUnavailable(PaymentError):
    """A transient failure (timeout, 5xx, rate limit): retrying with the same key is safe."""


class PaymentRejected(PaymentError):
    """The payment service refused the operation for good; a person must look at it."""


class StorageError(OrderCancellationError):
    """The storage backend failed; nothing was half-written."""


class RepositoryCorrupted(StorageError):
    """A stored record breaks the library's invariants; it is reported, never silently fixed."""
