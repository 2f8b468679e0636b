"""The order commands: place, fulfill, cancel, return, and cancel the unshipped rest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from order_cancellation.application.core import (
    ServiceCore,
    check_flag,
    command_fingerprint,
    new_command_id,
    parse_reason_code,
    quantities_text,
)
from order_cancellation.application.fingerprints import given
from order_cancellation.domain.decisions import Decision
from order_cancellation.domain.errors import (
    InvalidInput,
)
from order_cancellation.domain.fees import ReturnFee
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.states import TRANSITIONS, Command, Rejection
from order_cancellation.domain.status import DEFAULT_CANCEL_LABEL
from order_cancellation.domain.values import (
    ReasonCode,
    check_identifier,
    check_reason,
)
from order_cancellation.ports.persistence import UnitOfWork


class OrderCommands(ServiceCore):
    """Placing an order, shipping it, and taking it (or some of it) back."""

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
        fingerprint = command_fingerprint("fulfill", order_id, quantities_text(quantities))

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
        code = parse_reason_code(reason_code)
        check_flag(restock, "restock")
        check_reason(reason)
        # Only a command with a key is ever compared with an earlier one.
        fingerprint = (
            command_fingerprint(
                "cancel_order", order_id, status, reason, code and code.name, restock, actor
            )
            if idempotency_key is not None
            else ""
        )

        def decide(uow: UnitOfWork, order: Order, refund_order_id: str) -> Decision:
            return order.cancel(
                refund_order_id=refund_order_id,
                status=self._cancel_label(uow, order, status),
                reason=reason,
                reason_code=code,
                actor=actor,
                restock=restock,
                at=self._now(),
            )

        return self._refund_command(
            order_id, decide, idempotency_key, fingerprint, expected_version
        )

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
        fees: Sequence[ReturnFee] = (),
    ) -> RefundOrder:
        """Take back fulfilled units (line id or SKU -> units) and refund what they cost
        after discounts, less the ``fees`` kept back (a restocking fee, the return shipping).

        ``restock=False`` when the goods cannot be sold again. Shipping is refunded only
        when asked: ``refund_shipping=True`` gives back all that is left of it, a
        :class:`Money` that much (tax included).
        """
        check_identifier(order_id, "the order id")
        check_flag(restock, "restock")
        fingerprint = command_fingerprint(
            "create_return",
            order_id,
            quantities_text(quantities),
            restock,
            reason,
            *given(refund_shipping=refund_shipping, fees=fees),
        )

        def decide(_uow: UnitOfWork, order: Order, refund_order_id: str) -> Decision:
            return order.create_return(
                quantities,
                refund_order_id=refund_order_id,
                restock=restock,
                reason=reason,
                at=self._now(),
                refund_shipping=refund_shipping,
                fees=fees,
            )

        return self._refund_command(
            order_id, decide, idempotency_key, fingerprint, expected_version
        )

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
        check_flag(restock, "restock")
        check_reason(reason)
        fingerprint = command_fingerprint(
            "cancel_unfulfilled",
            order_id,
            quantities_text(quantities),
            reason,
            restock,
            *given(refund_shipping=refund_shipping),
        )

        def decide(_uow: UnitOfWork, order: Order, refund_order_id: str) -> Decision:
            return order.cancel_unfulfilled(
                quantities,
                refund_order_id=refund_order_id,
                reason=reason,
                restock=restock,
                at=self._now(),
                refund_shipping=refund_shipping,
            )

        return self._refund_command(
            order_id, decide, idempotency_key, fingerprint, expected_version
        )

    def refund(
        self,
        order_id: str,
        amount: Money,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
        expected_version: int | None = None,
        tender: str | None = None,
    ) -> RefundOrder:
        """Give back ``amount`` that is not the price of any unit: goodwill for a late
        delivery, a price adjustment. A refund order of kind adjustment; no stock moves;
        never more than the order has left to refund (:class:`RefundExceedsCharge`).
        ``tender`` (a payment's reference) sends it all back through that payment of an
        order paid with several (:class:`UnknownTender` when it has no such payment).

        The money comes back from what was captured beyond what the order keeps, then from
        the authorization the rest of the order no longer needs. Later cancels and returns
        hold back what this refund already gave, so nothing is refunded twice.
        """
        check_identifier(order_id, "the order id")
        check_reason(reason)
        if tender is not None:
            check_identifier(tender, "the payment reference")
        fingerprint = command_fingerprint(
            "refund", order_id, repr(amount), reason, *([] if tender is None else [tender])
        )

        def decide(_uow: UnitOfWork, order: Order, refund_order_id: str) -> Decision:
            return order.refund(
                amount,
                refund_order_id=refund_order_id,
                reason=reason,
                at=self._now(),
                tender=tender,
            )

        return self._refund_command(
            order_id, decide, idempotency_key, fingerprint, expected_version
        )

    def _refund_command(
        self,
        order_id: str,
        decide: Callable[[UnitOfWork, Order, str], Decision],
        key: str | None,
        fingerprint: str,
        expected_version: int | None,
    ) -> RefundOrder:
        """Run a command that creates a refund order: decide on the order as loaded, store
        the decision in one transaction, run the effects, return the refund order."""

        def command(uow: UnitOfWork) -> str:
            order = self._load(uow, order_id, expected_version)
            decision = decide(uow, order, new_command_id("ref"))
            assert decision.refund_order is not None
            self._store(uow, decision, key, fingerprint, decision.refund_order.id)
            return decision.refund_order.id

        refund_id = self._command(command, key, fingerprint, decide_again=expected_version is None)
        self._after_command(order_id=order_id, refund_order_id=refund_id)
        return self._refund_result(refund_id)

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
