"""The use cases: what a merchant's admin (or a platform on its behalf) can do with orders.

Every mutating call is one transaction: the guarded state change, the refund order if any,
the idempotency record and the outbox messages for its effects. Nothing outside the store
is called inside that transaction; effects run afterwards, from the outbox.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal, Self, TypeVar

from order_cancellation.application import crashpoints, failures
from order_cancellation.application.effects import Effects
from order_cancellation.application.failures import FailedEffect
from order_cancellation.application.ids import new_id
from order_cancellation.application.relay import Relay, RelayReport
from order_cancellation.application.retry import RetryPolicy
from order_cancellation.application.routing import messages_for
from order_cancellation.domain.charges import Discount, ShippingFee
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    OrderAlreadyExists,
    OrderNotFound,
)
from order_cancellation.domain.events import DomainEvent, ManualRefundCompleted
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Decision, Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport, build_report, report_period
from order_cancellation.domain.states import TRANSITIONS, Command, OrderState, Rejection
from order_cancellation.domain.status import DEFAULT_CANCEL_LABEL, validate_label_text
from order_cancellation.domain.stock import (
    MAX_STOCK_LEVEL,
    MovementKey,
    MovementKind,
    StockMovement,
)
from order_cancellation.domain.values import (
    LineItem,
    PaymentRef,
    ReasonCode,
    check_identifier,
    check_reason,
    shown,
)
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.events import Clock, EventPublisher
from order_cancellation.ports.payments import PaymentGateway
from order_cancellation.ports.persistence import IdempotencyRecord, UnitOfWork
from order_cancellation.ports.stock import StockLedger

T = TypeVar("T")
CONFLICT_ATTEMPTS = 3  # deciding again after a conflict; each retry sees a newer version
EffectsMode = Literal["inline", "deferred"]


class SalesService:
    """One shop's sales: place, fulfill, cancel and return orders; list refunds; report.

    ``effects="inline"`` runs the effects (restock, settle payment, publish) right after
    each command in the caller's thread; ``"deferred"`` leaves them to
    :meth:`process_pending` or a worker (:meth:`run_worker`).
    """

    def __init__(
        self,
        *,
        shop: str,
        backend: Backend,
        gateways: Mapping[str, PaymentGateway],
        default_gateway: PaymentGateway,
        clock: Clock,
        publisher: EventPublisher | None = None,
        stock: StockLedger | None = None,
        effects: EffectsMode = "inline",
        retry_policy: RetryPolicy | None = None,
        lease: timedelta = timedelta(seconds=60),
        prices_include_tax: bool = True,
    ) -> None:
        self.shop = check_identifier(shop, "the shop")
        if effects not in ("inline", "deferred"):
            raise InvalidInput("effects is 'inline' or 'deferred'.")
        _check_flag(prices_include_tax, "prices_include_tax")
        self.prices_include_tax = prices_include_tax
        self._backend = backend
        self._clock = clock
        self._publisher = publisher
        self._external_stock = stock
        self._effects_mode: EffectsMode = effects
        self._effects = Effects(
            shop=self.shop,
            backend=backend,
            gateways=gateways,
            default_gateway=default_gateway,
            publisher=publisher,
            clock=clock,
            external_stock=stock,
        )
        self._retry_policy = retry_policy or RetryPolicy()
        self._lease = lease
        self._relay = self._new_relay()

    # -- orders ------------------------------------------------------------------------------

    def place_order(
        self,
        lines: Sequence[LineItem],
        *,
        payment: PaymentRef | None = None,
        order_id: str | None = None,
        idempotency_key: str | None = None,
        shipping: Sequence[ShippingFee] = (),
        discounts: Sequence[Discount] = (),
        prices_include_tax: bool | None = None,
    ) -> Order:
        """Record a new order and take its units from stock.

        ``shipping`` fees and ``discounts`` (on the goods) count in the order's total;
        ``prices_include_tax`` says how the prices were entered (the shop's setting unless
        given: see :class:`Sales`).
        """
        if not isinstance(lines, Sequence):
            raise InvalidInput("an order's lines are a list of LineItem values.")
        include_tax = self.prices_include_tax if prices_include_tax is None else prices_include_tax
        # Only a command with a key is ever compared with an earlier one.
        fingerprint = (
            _fingerprint(
                "place_order",
                [repr(line) for line in lines],
                repr(payment),
                order_id,
                repr(shipping),
                repr(discounts),
                include_tax,
            )
            if idempotency_key is not None
            else ""
        )
        given_id = order_id is not None
        if given_id:
            check_identifier(order_id, "the order id")
        decision = Order.place(
            order_id=order_id or _new_id("ord"),
            shop=self.shop,
            items=lines,
            payment=payment,
            at=self._now(),
            shipping=shipping,
            discounts=discounts,
            prices_include_tax=include_tax,
        )
        order_id = decision.order.id
        sale = [
            StockMovement(
                key=MovementKey(
                    order_id=order_id,
                    line_id=line.id,
                    kind=MovementKind.SALE,
                    reference=self._sale_reference(),
                ),
                sku=line.sku,
                delta=-line.quantity,
            )
            for line in decision.order.lines
        ]

        def command(uow: UnitOfWork) -> str:
            if given_id:
                _refuse_existing(uow, order_id)
            if self._external_stock is None:
                uow.stock.apply(sale)
            self._store(uow, decision, idempotency_key, fingerprint, decision.order.id)
            return decision.order.id

        try:
            if self._external_stock is not None:
                placed = self._place_with_external_stock(
                    command, sale, idempotency_key, fingerprint
                )
            else:
                placed = self._command(command, idempotency_key, fingerprint)
        except ConcurrencyConflict:
            # A placement conflicts when another one took the id first: say so.
            with self._uow() as uow:
                _refuse_existing(uow, order_id)
            raise
        self._after_command(order_id=placed)
        return self.get_order(placed)

    def fulfill(
        self,
        order_id: str,
        quantities: Mapping[str, int] | None = None,
        *,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> Order:
        """Ship the whole order, or ``quantities`` (line id or SKU -> units)."""
        check_identifier(order_id, "the order id")
        fingerprint = _fingerprint("fulfill", order_id, _quantities_text(quantities))

        def command(uow: UnitOfWork) -> str:
            order = self._load(uow, order_id, expected_version)
            decision = order.fulfill(quantities, at=self._now())
            self._store(uow, decision, idempotency_key, fingerprint, order.id)
            return order.id

        fulfilled = self._command(
            command, idempotency_key, fingerprint, decide_again=expected_version is None
        )
        self._after_command(order_id=fulfilled)
        return self.get_order(fulfilled)

    def cancel_order(
        self,
        order_id: str,
        *,
        status: str = DEFAULT_CANCEL_LABEL,
        reason: str | None = None,
        reason_code: ReasonCode | str | None = None,
        restock: bool = True,
        actor: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> RefundOrder:
        """Cancel an unfulfilled order and return its refund order.

        The order's status becomes ``status`` (a label meaning canceled); a refund order is
        created; stock goes back to what it was before the order (unless ``restock`` is
        False) and the payment is released, refunded or recorded as a manual refund.
        A fulfilled order raises :class:`OrderFulfilledError`: create a return instead.
        """
        check_identifier(order_id, "the order id")
        code = _reason_code(reason_code)
        _check_flag(restock, "restock")
        check_reason(reason)
        fingerprint = _fingerprint(
            "cancel_order", order_id, status, reason, code and code.name, restock, actor
        )

        def command(uow: UnitOfWork) -> str:
            order = self._load(uow, order_id, expected_version)
            label = self._cancel_label(uow, order, status)
            decision = order.cancel(
                refund_order_id=_new_id("ref"),
                status=label,
                reason=reason,
                reason_code=code,
                actor=actor,
                restock=restock,
                at=self._now(),
            )
            assert decision.refund_order is not None
            self._store(uow, decision, idempotency_key, fingerprint, decision.refund_order.id)
            return decision.refund_order.id

        refund_id = self._command(
            command, idempotency_key, fingerprint, decide_again=expected_version is None
        )
        self._after_command(order_id=order_id, refund_order_id=refund_id)
        return self.get_refund_order(refund_id)

    def create_return(
        self,
        order_id: str,
        quantities: Mapping[str, int],
        *,
        restock: bool = True,
        reason: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
        refund_shipping: bool | Money = False,
    ) -> RefundOrder:
        """Take back fulfilled units (line id or SKU -> units) and refund what they cost
        after discounts.

        ``restock=False`` when the goods cannot be sold again. Shipping is refunded only
        when asked: ``refund_shipping=True`` gives back all that is left of it, a
        :class:`Money` that much (tax included).
        """
        check_identifier(order_id, "the order id")
        _check_flag(restock, "restock")
        fingerprint = _fingerprint(
            "create_return",
            order_id,
            _quantities_text(quantities),
            restock,
            reason,
            repr(refund_shipping),
        )

        def command(uow: UnitOfWork) -> str:
            order = self._load(uow, order_id, expected_version)
            decision = order.create_return(
                quantities,
                refund_order_id=_new_id("ref"),
                restock=restock,
                reason=reason,
                at=self._now(),
                refund_shipping=refund_shipping,
            )
            assert decision.refund_order is not None
            self._store(uow, decision, idempotency_key, fingerprint, decision.refund_order.id)
            return decision.refund_order.id

        refund_id = self._command(
            command, idempotency_key, fingerprint, decide_again=expected_version is None
        )
        self._after_command()
        return self.get_refund_order(refund_id)

    def cancel_unfulfilled(
        self,
        order_id: str,
        quantities: Mapping[str, int] | None = None,
        *,
        reason: str | None = None,
        restock: bool = True,
        refund_shipping: bool | Money = False,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
    ) -> RefundOrder:
        """Cancel the units of a partly shipped order that have not shipped (line id or SKU
        -> units; all of them when None) and return the refund order of kind cancellation.

        Their stock goes back (unless ``restock`` is False) and their money is released
        from the authorization or refunded; shipping is refunded only when asked, as with a
        return. A fully unshipped order is canceled with :meth:`cancel_order` instead.
        """
        check_identifier(order_id, "the order id")
        _check_flag(restock, "restock")
        check_reason(reason)
        fingerprint = _fingerprint(
            "cancel_unfulfilled",
            order_id,
            _quantities_text(quantities),
            reason,
            restock,
            repr(refund_shipping),
        )

        def command(uow: UnitOfWork) -> str:
            order = self._load(uow, order_id, expected_version)
            decision = order.cancel_unfulfilled(
                quantities,
                refund_order_id=_new_id("ref"),
                reason=reason,
                restock=restock,
                at=self._now(),
                refund_shipping=refund_shipping,
            )
            assert decision.refund_order is not None
            self._store(uow, decision, idempotency_key, fingerprint, decision.refund_order.id)
            return decision.refund_order.id

        refund_id = self._command(
            command, idempotency_key, fingerprint, decide_again=expected_version is None
        )
        self._after_command(order_id=order_id, refund_order_id=refund_id)
        return self.get_refund_order(refund_id)

    def get_order(self, order_id: str) -> Order:
        check_identifier(order_id, "the order id")
        with self._uow() as uow:
            return uow.orders.get(order_id)

    # -- refund orders -----------------------------------------------------------------------

    def get_refund_order(self, refund_order_id: str) -> RefundOrder:
        check_identifier(refund_order_id, "the refund order id")
        with self._uow() as uow:
            return uow.refunds.get(refund_order_id)

    def refund_orders(
        self, *, order_id: str | None = None, pending: bool | None = None
    ) -> list[RefundOrder]:
        """The Returns list, newest first. ``pending=True``: only those with an effect
        (stock or payment) not yet settled; ``False``: only fully settled ones."""
        if order_id is not None:
            check_identifier(order_id, "the order id")
        if pending is not None:
            _check_flag(pending, "pending")
        with self._uow() as uow:
            refunds = list(uow.refunds.list(order_id=order_id))
        if pending is None:
            return refunds
        return [refund for refund in refunds if refund.has_pending_effect is pending]

    def manual_refunds_owed(self) -> list[RefundOrder]:
        """Refund orders whose money must be paid back by hand, oldest first."""
        with self._uow() as uow:
            owed = [refund for refund in uow.refunds.list() if refund.manual_refund_owed]
        return sorted(owed, key=lambda refund: refund.created_at)

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
        fingerprint = _fingerprint("mark_manual_refund_done", *parts)

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

    def close(self) -> None:
        """Release the backend's connections, if it holds any."""
        close = getattr(self._backend, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- plumbing ----------------------------------------------------------------------------

    def _new_relay(self, worker_id: str | None = None) -> Relay:
        return Relay(
            shop=self.shop,
            backend=self._backend,
            effects=self._effects,
            clock=self._clock,
            policy=self._retry_policy,
            lease=self._lease,
            worker_id=worker_id,
        )

    def _uow(self) -> UnitOfWork:
        return self._backend.unit_of_work(self.shop)

    def _now(self) -> datetime:
        return self._clock.now()

    def _after_command(
        self, *, order_id: str | None = None, refund_order_id: str | None = None
    ) -> None:
        crashpoints.reached(crashpoints.AFTER_COMMIT)
        if self._effects_mode == "inline":
            self._relay.drain_after_commit(order_id=order_id, refund_order_id=refund_order_id)

    def _cancel_label(self, uow: UnitOfWork, order: Order, status: str) -> str:
        try:
            return uow.labels.catalog().cancel_label(status)
        except InvalidInput:
            # The order's state speaks first: "fulfilled, create a return" helps a merchant
            # who also mistyped the label; "no such label" would send them the wrong way.
            if isinstance(TRANSITIONS[order.state, Command.CANCEL], Rejection):
                order.cancel(
                    refund_order_id="unused",
                    status=DEFAULT_CANCEL_LABEL,
                    reason=None,
                    reason_code=None,
                    actor=None,
                    restock=True,
                    at=self._now(),
                )  # raises the state's own typed error
            raise

    def _load(self, uow: UnitOfWork, order_id: str, expected_version: int | None) -> Order:
        if expected_version is not None and (
            type(expected_version) is not int or expected_version < 1
        ):
            raise InvalidInput("expected_version is a whole number of 1 or more.")
        order = uow.orders.get(order_id)
        if expected_version is not None and order.version != expected_version:
            raise ConcurrencyConflict(
                f"order {order_id!r} is at version {order.version}, not {expected_version}; "
                "someone changed it; reload it and decide again."
            )
        return order

    def _store(
        self,
        uow: UnitOfWork,
        decision: Decision,
        key: str | None,
        fingerprint: str,
        result_id: str,
    ) -> None:
        if decision.order.version == 1:
            uow.orders.add(decision.order)
        else:
            uow.orders.update(decision.order)
        if decision.refund_order is not None:
            uow.refunds.add(decision.refund_order)
        self._record(uow, decision.events)
        self._remember(uow, key, fingerprint, result_id)

    def _record(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        uow.outbox.add(messages_for(events, now=self._now(), publish=self._publisher is not None))

    def _remember(self, uow: UnitOfWork, key: str | None, fingerprint: str, result: str) -> None:
        if key is not None:
            uow.idempotency.add(
                IdempotencyRecord(
                    key=key, fingerprint=fingerprint, result_id=result, created_at=self._now()
                )
            )

    def _replayed(self, uow: UnitOfWork, key: str | None, fingerprint: str) -> str | None:
        if key is None:
            return None
        record = uow.idempotency.get(check_identifier(key, "the idempotency key"))
        if record is None:
            return None
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused(
                f"the idempotency key {key!r} was used for a different command; "
                "use a new key for each distinct command."
            )
        return record.result_id

    def _command(
        self,
        command: Callable[[UnitOfWork], str],
        key: str | None,
        fingerprint: str,
        *,
        decide_again: bool = False,
    ) -> str:
        result, _ = self._command_or_replay(command, key, fingerprint, decide_again=decide_again)
        return result

    def _command_or_replay(
        self,
        command: Callable[[UnitOfWork], str],
        key: str | None,
        fingerprint: str,
        *,
        decide_again: bool = False,
    ) -> tuple[str, bool]:
        """Run ``command`` in one transaction, or replay the result recorded under ``key``;
        say which (True: replayed, the command itself committed nothing).

        ``decide_again``: the caller named no version, so a conflict (another transaction
        changed the order between our read and our write) is met by deciding again on the
        order as it now is, as if the two had run one after the other: the command then
        succeeds or is rejected with its own typed error (say, OrderAlreadyCanceled).
        """
        attempts = CONFLICT_ATTEMPTS if decide_again else 1
        for attempt in range(1, attempts + 1):
            with self._uow() as uow:
                replay = self._replayed(uow, key, fingerprint)
                if replay is not None:
                    return replay, True
                try:
                    result = command(uow)
                    crashpoints.reached(crashpoints.BEFORE_COMMIT)
                    uow.commit()
                except ConcurrencyConflict:
                    if key is None and attempt == attempts:
                        raise
                else:
                    return result, False
        # Only a keyed command gets here. Another caller may have committed the same key
        # between our read and our commit.
        with self._uow() as uow:
            replay = self._replayed(uow, key, fingerprint)
        if replay is not None:
            return replay, True
        raise ConcurrencyConflict("the order changed while the command ran; try again.")

    def _sale_reference(self) -> str:
        # An external ledger is outside our transaction: a failed placement is compensated
        # under a reference of its own, so a retry with the same order id takes stock anew.
        return _new_id("sale") if self._external_stock is not None else ""

    def _place_with_external_stock(
        self,
        command: Callable[[UnitOfWork], str],
        sale: list[StockMovement],
        key: str | None,
        fingerprint: str,
    ) -> str:
        assert self._external_stock is not None
        with self._uow() as uow:
            replay = self._replayed(uow, key, fingerprint)
        if replay is not None:
            return replay
        self._external_stock.apply(sale)
        try:
            placed, replayed = self._command_or_replay(command, key, fingerprint)
        except BaseException:
            self._reverse_sale(sale)
            raise
        if replayed:
            # Another request with the same key placed the order after our check: the units
            # this request took belong to no order.
            self._reverse_sale(sale)
        return placed

    def _reverse_sale(self, sale: list[StockMovement]) -> None:
        assert self._external_stock is not None
        self._external_stock.apply(
            [
                StockMovement(
                    key=MovementKey(
                        order_id=movement.key.order_id,
                        line_id=movement.key.line_id,
                        kind=MovementKind.SALE_REVERSED,
                        reference=movement.key.reference,
                    ),
                    sku=movement.sku,
                    delta=-movement.delta,
                )
                for movement in sale
            ]
        )


def _refuse_existing(uow: UnitOfWork, order_id: str) -> None:
    try:
        uow.orders.get(order_id)
    except OrderNotFound:
        return
    raise OrderAlreadyExists(
        f"order {order_id!r} exists already in this shop; place a new order under a new "
        f"order id, or read this one with get_order({order_id!r})."
    )


def _new_id(prefix: str) -> str:
    return new_id(prefix)


def _fingerprint(*parts: object) -> str:
    try:
        return json.dumps(parts, default=str)
    except ValueError:  # an int too long to write out; no valid command holds one
        raise InvalidInput(
            "the command holds a number far too large for any of its arguments; check them."
        ) from None


def _quantities_text(quantities: Mapping[str, int] | None) -> object:
    if quantities is None:
        return None
    if not isinstance(quantities, Mapping):
        raise InvalidInput("quantities are a mapping of line id (or SKU) to a whole number.")
    return sorted((str(key), repr(value)) for key, value in quantities.items())


def _check_flag(value: object, name: str) -> None:
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} is True or False, not {shown(value, None)}.")


def _reason_code(code: ReasonCode | str | None) -> ReasonCode | None:
    if code is None or isinstance(code, ReasonCode):
        return code
    if isinstance(code, str) and code.upper() in ReasonCode.__members__:
        return ReasonCode[code.upper()]
    raise InvalidInput(
        f"{shown(code, None)} is not a reason code; use one of {', '.join(ReasonCode.__members__)}."
    )
