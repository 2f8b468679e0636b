"""The use cases: what a merchant's admin (or a platform on its behalf) can do with orders.

:class:`SalesService` gathers them: the order commands (:mod:`.orders`) on the shared
plumbing (:mod:`.core`), and here the Returns list, money owed by hand, stock, labels,
reports and effects.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, tzinfo
from typing import overload

from order_cancellation.application import failures
from order_cancellation.application.core import EffectsMode, check_flag, command_fingerprint
from order_cancellation.application.failures import FailedEffect
from order_cancellation.application.importing import OrderImports
from order_cancellation.application.listing import DEFAULT_PAGE, Listing, Page
from order_cancellation.application.orders import OrderCommands
from order_cancellation.application.relay import RelayReport
from order_cancellation.application.tokens import TokenAdmin
from order_cancellation.application.webhooks import WebhookAdmin
from order_cancellation.domain.errors import (
    InvalidInput,
)
from order_cancellation.domain.events import ManualRefundCompleted
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport, build_report, report_period
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.status import validate_label_text
from order_cancellation.domain.stock import (
    MAX_STOCK_LEVEL,
)
from order_cancellation.domain.values import (
    check_identifier,
    check_reason,
    shown,
)
from order_cancellation.ports.persistence import UnitOfWork

__all__ = ["EffectsMode", "SalesService"]


class SalesService(OrderCommands, Listing, WebhookAdmin, OrderImports, TokenAdmin):
    """One shop's sales: place, fulfill, cancel and return orders; list refunds; report.

    ``effects="inline"`` runs the effects (restock, settle payment, publish) right after
    each command in the caller's thread; ``"deferred"`` leaves them to
    :meth:`process_pending` or a worker (:meth:`run_worker`).
    """

    # -- refund orders -----------------------------------------------------------------------

    @overload
    def refund_orders(
        self, *, order_id: str | None = None, pending: bool | None = None
    ) -> list[RefundOrder]: ...

    @overload
    def refund_orders(
        self,
        *,
        order_id: str | None = None,
        pending: bool | None = None,
        limit: int,
        after: str | None = None,
    ) -> Page[RefundOrder]: ...

    @overload
    def refund_orders(
        self, *, order_id: str | None = None, pending: bool | None = None, after: str
    ) -> Page[RefundOrder]: ...

    def refund_orders(
        self,
        *,
        order_id: str | None = None,
        pending: bool | None = None,
        limit: int | None = None,
        after: str | None = None,
    ) -> list[RefundOrder] | Page[RefundOrder]:
        """The Returns list, newest first. ``pending=True``: only those with an effect
        (stock or payment) not yet settled; ``False``: only fully settled ones.

        With ``limit`` or ``after``, one :class:`Page` (newest first, ties by id; answered
        from an index), else every one as a list."""
        if limit is not None or after is not None:
            return self.refund_order_page(
                order_id=order_id, pending=pending, limit=limit or DEFAULT_PAGE, after=after
            )
        if order_id is not None:
            check_identifier(order_id, "the order id")
        if pending is not None:
            check_flag(pending, "pending")
        with self._uow() as uow:
            refunds = list(uow.refunds.list(order_id=order_id))
        if pending is None:
            return refunds
        return [refund for refund in refunds if refund.has_pending_effect is pending]

    def mark_manual_refund_done(
        self,
        refund_order_id: str,
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
        amount: Money | None = None,
    ) -> RefundOrder:
        """Record that the money of a manual refund was paid back: all of it, or ``amount``
        (the rest then stays owed and listed)."""
        check_identifier(refund_order_id, "the refund order id")
        check_reason(note)
        # An amount joins the fingerprint only when given, so that keys recorded before it
        # existed still replay.
        parts = (refund_order_id, note) if amount is None else (refund_order_id, note, repr(amount))
        fingerprint = command_fingerprint("mark_manual_refund_done", *parts)

        def command(uow: UnitOfWork) -> str:
            refund = uow.refunds.get(refund_order_id)
            done = refund.manual_refund_done(note, amount)
            uow.refunds.update(done)
            event = ManualRefundCompleted(
                shop=self.shop,
                order_id=refund.order_id,
                occurred_at=self._now(),
                refund_order_id=refund.id,
                amount=done.refunded - refund.refunded,
                note=note,
            )
            self._record(uow, [event])
            self._remember(uow, idempotency_key, fingerprint, refund.id)
            return refund.id

        refund_id = self._command(command, idempotency_key, fingerprint)
        self._after_command(refund_order_id=refund_id)
        return self.get_refund_order(refund_id)

    def retry_effects(self, refund_order_id: str) -> RefundOrder:
        """Try a refund order's failed or dead-lettered effects again, now."""
        check_identifier(refund_order_id, "the refund order id")
        with self._uow() as uow:
            failures.revive_refund_order(uow, refund_order_id, now=self._now())
            uow.commit()
        self._after_command(refund_order_id=refund_order_id)
        return self.get_refund_order(refund_order_id)

    def failed_effects(self) -> list[FailedEffect]:
        """Every effect (restock, settlement, capture, publication) that failed and is not
        done: retrying, dead-lettered or quarantined, oldest first, each with its reason."""
        with self._uow() as uow:
            return failures.failed_effects(uow, self.shop)

    def retry_effect(self, effect_id: str) -> FailedEffect | None:
        """Try one failed effect (an id from :meth:`failed_effects`) again, now. Returns it
        as it then stands, or None when it has been delivered."""
        check_identifier(effect_id, "the effect id")
        with self._uow() as uow:
            failures.revive_one(uow, self.shop, effect_id, now=self._now())
            uow.commit()
        self._after_command()
        with self._uow() as uow:
            return failures.find_failed(uow, self.shop, effect_id)

    # -- stock, labels, reports ----------------------------------------------------------------

    def stock_level(self, sku: str) -> int:
        check_identifier(sku, "the SKU")
        if self._external_stock is not None:
            return self._external_stock.level(sku)
        with self._uow() as uow:
            return uow.stock.level(sku)

    def stock_levels(self) -> dict[str, int]:
        if self._external_stock is not None:
            return dict(self._external_stock.levels())
        with self._uow() as uow:
            return dict(uow.stock.levels())

    def set_stock(self, sku: str, quantity: int) -> None:
        """Set the units on hand of ``sku`` (the merchant's count)."""
        check_identifier(sku, "the SKU")
        if type(quantity) is not int or not 0 <= quantity <= MAX_STOCK_LEVEL:
            raise InvalidInput(
                f"a stock level is a whole number from 0 to {MAX_STOCK_LEVEL}, "
                f"got {shown(quantity)}."
            )
        if self._external_stock is not None:
            self._external_stock.set_level(sku, quantity)
            return
        with self._uow() as uow:
            uow.stock.set_level(sku, quantity)
            uow.commit()

    def define_status_label(self, label: str, *, means: OrderState = OrderState.CANCELED) -> None:
        """Add a merchant status label, for example ``"Canceled - out of stock"``."""
        validate_label_text(label)
        if not isinstance(means, OrderState):
            raise InvalidInput("means is an OrderState, for example OrderState.CANCELED.")
        with self._uow() as uow:
            uow.labels.catalog().define(label, means)  # validates before storing
            uow.labels.define(label, means)
            uow.commit()

    def status_labels(self) -> dict[str, OrderState]:
        with self._uow() as uow:
            return dict(uow.labels.catalog().labels)

    def report(
        self,
        day: date | str | None = None,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        tz: tzinfo | str = UTC,
    ) -> SalesReport:
        """Gross sales, refunds and net per currency for one ``day`` (midnight to midnight
        in ``tz``) or for ``[start, end)``. ``day`` may be ISO text (``"2026-11-02"``) and
        ``tz`` a zone name (``"Europe/Helsinki"``)."""
        start, end = report_period(day, start, end, tz)
        with self._uow() as uow:
            orders = uow.orders.placed_between(start, end)
            refunds = uow.refunds.created_between(start, end)
        return build_report(orders, refunds, start=start, end=end)

    # -- effects -----------------------------------------------------------------------------

    def process_pending(self) -> RelayReport:
        """Run every effect that is due now, in this thread."""
        return self._relay.drain()

    def pending_effects(self) -> int:
        """How many effects are waiting (due or scheduled for a retry), dead letters excluded."""
        with self._uow() as uow:
            return len(uow.outbox.pending())

    def run_worker(
        self,
        stop: threading.Event,
        *,
        poll_interval: float = 1.0,
        worker_id: str | None = None,
        give_up_after: float | None = None,
    ) -> RelayReport:
        """Deliver effects until ``stop`` is set; one per thread or process. A failing store
        is retried with backoff, or re-raised once it has failed for ``give_up_after`` s."""
        relay = self._new_relay(worker_id=worker_id)
        return relay.run_forever(stop, poll_interval=poll_interval, give_up_after=give_up_after)
