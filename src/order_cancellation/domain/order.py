"""The order aggregate: the rules of placing, fulfilling, canceling and returning.

Orders are immutable. Every command either raises (and so changes nothing) or returns a
:class:`Decision`: the next version of the order, the refund order it creates, if any, and
the events to record with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from order_cancellation.domain.errors import (
    CurrencyMismatch,
    InvalidInput,
    NothingToReturn,
    OrderAlreadyCanceled,
    OrderAlreadyReturned,
    OrderFulfilledError,
    OverFulfillment,
    UnknownLine,
)
from order_cancellation.domain.events import (
    DomainEvent,
    OrderCanceled,
    OrderFulfilled,
    OrderPlaced,
    OrderReturned,
    ReturnCreated,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunds import RefundKind, RefundOrder
from order_cancellation.domain.states import TRANSITIONS, Command, OrderState, Rejection
from order_cancellation.domain.status import default_label
from order_cancellation.domain.values import (
    LineItem,
    LineQuantity,
    PaymentRef,
    ReasonCode,
    check_aware,
    check_identifier,
    check_quantity,
    check_reason,
    shown,
)

MAX_LINES = 1000


@attrs.frozen(kw_only=True)
class OrderLine:
    id: str
    sku: str
    quantity: int
    unit_price: Money
    fulfilled: int = 0
    returned: int = 0

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def unfulfilled(self) -> int:
        return self.quantity - self.fulfilled

    @property
    def returnable(self) -> int:
        return self.fulfilled - self.returned

    def portion(self, quantity: int) -> LineQuantity:
        return LineQuantity(
            line_id=self.id, sku=self.sku, quantity=quantity, unit_price=self.unit_price
        )


@attrs.frozen(kw_only=True)
class Cancellation:
    status: str
    reason: str | None
    reason_code: ReasonCode | None
    actor: str | None
    at: datetime
    refund_order_id: str


@attrs.frozen(kw_only=True)
class Decision:
    """The outcome of an accepted command, to be stored in one transaction."""

    order: Order
    events: tuple[DomainEvent, ...]
    refund_order: RefundOrder | None = None


@attrs.frozen(kw_only=True)
class Order:
    id: str
    shop: str
    currency: str
    lines: tuple[OrderLine, ...]
    state: OrderState
    status: str
    payment: PaymentRef | None
    placed_at: datetime
    version: int = 1
    cancellation: Cancellation | None = None

    @property
    def total(self) -> Money:
        return sum((line.total for line in self.lines), Money.zero(self.currency))

    def line(self, line_id: str) -> OrderLine:
        for line in self.lines:
            if line.id == line_id:
                return line
        raise UnknownLine(f"order {self.id!r} has no line {line_id!r}.")

    # -- placing ---------------------------------------------------------------------------

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        shop: str,
        items: Sequence[LineItem],
        payment: PaymentRef | None,
        at: datetime,
    ) -> Decision:
        check_identifier(order_id, "the order id")
        check_aware(at, "the time the order was placed")
        items = list(items)
        if not items:
            raise InvalidInput("an order needs at least one line; pass a list of LineItem.")
        if len(items) > MAX_LINES:
            raise InvalidInput(f"an order has at most {MAX_LINES} lines; split it.")
        for item in items:
            if not isinstance(item, LineItem):
                raise InvalidInput(f"order lines are LineItem values, not {type(item).__name__}.")
        if payment is not None and not isinstance(payment, PaymentRef):
            raise InvalidInput("payment is a PaymentRef or None.")
        currencies = {item.unit_price.currency for item in items}
        if len(currencies) > 1:
            raise CurrencyMismatch(
                f"an order is paid in one currency, got {sorted(currencies)}; "
                "place one order per currency."
            )
        lines = tuple(
            OrderLine(id=f"L{n}", sku=item.sku, quantity=item.quantity, unit_price=item.unit_price)
            for n, item in enumerate(items, start=1)
        )
        order = cls(
            id=order_id,
            shop=shop,
            currency=currencies.pop(),
            lines=lines,
            state=OrderState.OPEN,
            status=default_label(OrderState.OPEN),
            payment=payment.with_default_expiry(at) if payment else None,
            placed_at=at,
        )
        event = OrderPlaced(
            shop=shop,
            order_id=order_id,
            occurred_at=at,
            lines=tuple(line.portion(line.quantity) for line in lines),
            total=order.total,
            payment=order.payment,
        )
        return Decision(order=order, events=(event,))

    # -- commands --------------------------------------------------------------------------

    def fulfill(self, quantities: Mapping[str, int] | None, *, at: datetime) -> Decision:
        """Ship ``quantities`` (line id or SKU -> units), or everything left when None."""
        check_aware(at, "the time of fulfillment")
        targets = self._check(Command.FULFILL)
        if quantities is None:
            wanted = {line.id: line.unfulfilled for line in self.lines if line.unfulfilled}
            if not wanted:
                raise OverFulfillment(f"every unit of order {self.id!r} has shipped already.")
        else:
            wanted = self._resolve_quantities(quantities, "fulfill")
        for line_id, quantity in wanted.items():
            line = self.line(line_id)
            if quantity > line.unfulfilled:
                raise OverFulfillment(
                    f"line {line_id!r} ({line.sku}) has {line.unfulfilled} unit(s) left to "
                    f"ship, not {quantity}; fulfill at most what remains."
                )
        lines = tuple(
            replace(line, fulfilled=line.fulfilled + wanted.get(line.id, 0)) for line in self.lines
        )
        (state,) = targets
        order = self._next(lines=lines, state=state, status=default_label(state))
        shipped = tuple(self.line(line_id).portion(q) for line_id, q in wanted.items())
        event = OrderFulfilled(
            shop=self.shop,
            order_id=self.id,
            occurred_at=at,
            lines=shipped,
            amount=_sum(shipped, self.currency),
            completely=all(line.unfulfilled == 0 for line in lines),
            capture=bool(self.payment and self.payment.auto_capture),
        )
        return Decision(order=order, events=(event,))

    def cancel(
        self,
        *,
        refund_order_id: str,
        status: str,
        reason: str | None,
        reason_code: ReasonCode | None,
        actor: str | None,
        restock: bool,
        at: datetime,
    ) -> Decision:
        """Cancel an unfulfilled order; ``status`` must be a label that means CANCELED."""
        self._check(Command.CANCEL)
        check_identifier(refund_order_id, "the refund order id")
        check_reason(reason)
        check_aware(at, "the time of cancellation")
        if actor is not None:
            check_identifier(actor, "the actor")
        if reason_code is not None and not isinstance(reason_code, ReasonCode):
            raise InvalidInput(
                f"reason_code is a ReasonCode, one of {[c.name for c in ReasonCode]}."
            )
        portions = tuple(line.portion(line.quantity) for line in self.lines)
        refund = RefundOrder.create(
            refund_order_id=refund_order_id,
            shop=self.shop,
            order_id=self.id,
            kind=RefundKind.CANCELLATION,
            lines=portions,
            reason=reason,
            reason_code=reason_code,
            created_at=at,
            restock=restock,
            currency=self.currency,
        )
        cancellation = Cancellation(
            status=status,
            reason=reason,
            reason_code=reason_code,
            actor=actor,
            at=at,
            refund_order_id=refund_order_id,
        )
        order = self._next(state=OrderState.CANCELED, status=status, cancellation=cancellation)
        event = OrderCanceled(
            shop=self.shop,
            order_id=self.id,
            occurred_at=at,
            refund_order_id=refund_order_id,
            status=status,
            reason=reason,
            reason_code=reason_code,
            actor=actor,
            lines=portions,
            amount=refund.amount,
            restock=restock,
            payment=self.payment,
        )
        return Decision(order=order, events=(event,), refund_order=refund)

    def create_return(
        self,
        quantities: Mapping[str, int],
        *,
        refund_order_id: str,
        restock: bool,
        reason: str | None,
        at: datetime,
    ) -> Decision:
        """Take back fulfilled units (line id or SKU -> units) and owe their price back."""
        self._check(Command.RETURN)
        check_identifier(refund_order_id, "the refund order id")
        check_reason(reason)
        check_aware(at, "the time of the return")
        wanted = self._resolve_quantities(quantities, "return")
        for line_id, quantity in wanted.items():
            line = self.line(line_id)
            if quantity > line.returnable:
                raise NothingToReturn(
                    f"line {line_id!r} ({line.sku}) has {line.returnable} fulfilled unit(s) not "
                    f"yet returned, so {quantity} cannot be returned; return at most that many."
                )
        lines = tuple(
            replace(line, returned=line.returned + wanted.get(line.id, 0)) for line in self.lines
        )
        everything_back = all(line.returned == line.quantity for line in lines)
        state = OrderState.RETURNED if everything_back else OrderState.FULFILLED
        portions = tuple(self.line(line_id).portion(q) for line_id, q in wanted.items())
        refund = RefundOrder.create(
            refund_order_id=refund_order_id,
            shop=self.shop,
            order_id=self.id,
            kind=RefundKind.RETURN,
            lines=portions,
            reason=reason,
            reason_code=None,
            created_at=at,
            restock=restock,
            currency=self.currency,
        )
        order = self._next(lines=lines, state=state, status=default_label(state))
        events: list[DomainEvent] = [
            ReturnCreated(
                shop=self.shop,
                order_id=self.id,
                occurred_at=at,
                refund_order_id=refund_order_id,
                lines=portions,
                amount=refund.amount,
                reason=reason,
                restock=restock,
                order_state=state,
                payment=self.payment,
            )
        ]
        if everything_back:
            events.append(OrderReturned(shop=self.shop, order_id=self.id, occurred_at=at))
        return Decision(order=order, events=tuple(events), refund_order=refund)

    # -- helpers ---------------------------------------------------------------------------

    def _check(self, command: Command) -> frozenset[OrderState]:
        outcome = TRANSITIONS[self.state, command]
        if isinstance(outcome, Rejection):
            raise _rejection_error(outcome, self, command)
        return outcome

    def _next(self, **changes: Any) -> Order:
        return replace(self, version=self.version + 1, **changes)

    def _resolve_quantities(self, quantities: Mapping[str, int], verb: str) -> dict[str, int]:
        if not isinstance(quantities, Mapping) or not quantities:
            raise InvalidInput(
                f"say what to {verb} as a non-empty mapping of line id (or SKU) to quantity."
            )
        wanted: dict[str, int] = {}
        for key, quantity in quantities.items():
            line_id = self._resolve_line(key)
            check_quantity(quantity, f"the quantity to {verb} of {key!r}")
            if line_id in wanted:
                raise InvalidInput(f"line {line_id!r} is named twice; name each line once.")
            wanted[line_id] = quantity
        return wanted

    def _resolve_line(self, key: object) -> str:
        if not isinstance(key, str):
            raise UnknownLine(f"lines are named by their id or SKU (text), not {shown(key, None)}.")
        by_sku = [line.id for line in self.lines if line.sku == key]
        ids = ", ".join(f"{line.id} ({line.sku})" for line in self.lines)
        if any(line.id == key for line in self.lines):
            if any(line_id != key for line_id in by_sku):
                # Picking either could refund the wrong line's money.
                raise UnknownLine(
                    f"{key!r} is both a line id and the SKU of another line of order "
                    f"{self.id!r}; name the line by a line id that is not also a SKU, or by "
                    f"its own SKU: {ids}."
                )
            return key
        if len(by_sku) == 1:
            return by_sku[0]
        if by_sku:
            raise UnknownLine(
                f"SKU {key!r} is on several lines of order {self.id!r}; name the line id: {ids}."
            )
        raise UnknownLine(f"order {self.id!r} has no line or SKU {key!r}; its lines are: {ids}.")


def _sum(portions: Iterable[LineQuantity], currency: str) -> Money:
    return sum((portion.amount for portion in portions), Money.zero(currency))


def _rejection_error(
    rejection: Rejection, order: Order, command: Command
) -> OrderFulfilledError | OrderAlreadyCanceled | OrderAlreadyReturned | NothingToReturn:
    if rejection is Rejection.FULFILLED_CANNOT_BE_CANCELED:
        return OrderFulfilledError(
            f"order {order.id!r} is fulfilled (units have shipped), so it cannot be canceled; "
            "create a return for the fulfilled units instead: create_return(order_id, {...})."
        )
    if rejection is Rejection.ALREADY_CANCELED:
        return OrderAlreadyCanceled(
            f"order {order.id!r} was canceled already, so it cannot {command.value}; "
            "its refund order is "
            f"{order.cancellation.refund_order_id if order.cancellation else 'unknown'}."
        )
    if rejection is Rejection.ALREADY_RETURNED:
        return OrderAlreadyReturned(
            f"every unit of order {order.id!r} was returned already, so it cannot "
            f"{command.value}; see its refund orders."
        )
    return NothingToReturn(
        f"order {order.id!r} has nothing fulfilled yet, so there is nothing to return; "
        "cancel it instead: cancel_order(order_id)."
    )
