"""The order aggregate: the rules of placing, fulfilling, canceling and returning.

Orders are immutable. Every command either raises (and so changes nothing) or returns a
:class:`Decision`: the next version of the order, the refund order it creates, if any, and
the events to record with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from order_cancellation.domain.charges import (
    AppliedDiscount,
    Discount,
    ShippingFee,
    ShippingLine,
    amount_of,
    price_shipping,
    tax_by_rate,
)
from order_cancellation.domain.decisions import Decision
from order_cancellation.domain.errors import (
    CurrencyMismatch,
    InvalidInput,
    OverFulfillment,
    UnknownLine,
)
from order_cancellation.domain.events import (
    OrderCanceled,
    OrderFulfilled,
    OrderPlaced,
)
from order_cancellation.domain.fees import FeePortion, ReturnFee
from order_cancellation.domain.goodwill import deduction, grant_refund, remaining, shares_of
from order_cancellation.domain.lines import (
    OrderLine,
    listed,
    priced_lines,
    refunded_shipping,
    resolve_quantities,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import (
    TaxRate,
)
from order_cancellation.domain.records import replace
from order_cancellation.domain.refunding import refund_order
from order_cancellation.domain.refunds import RefundKind
from order_cancellation.domain.refusals import rejection_error
from order_cancellation.domain.returns import take_back
from order_cancellation.domain.states import TRANSITIONS, Command, OrderState, Rejection
from order_cancellation.domain.status import default_label
from order_cancellation.domain.tenders import (
    Tender,
    TenderPolicy,
    charge,
    ledger_before_tenders,
    open_tenders,
)
from order_cancellation.domain.unshipped import cancel_unshipped
from order_cancellation.domain.values import (
    LineItem,
    LineQuantity,
    PaymentRef,
    ReasonCode,
    check_aware,
    check_identifier,
    check_reason,
)

MAX_LINES = 1000


@attrs.frozen(kw_only=True)
class Cancellation:
    status: str
    reason: str | None
    reason_code: ReasonCode | None
    actor: str | None
    at: datetime
    refund_order_id: str


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
    prices_include_tax: bool = True
    shipping: tuple[ShippingLine, ...] = ()
    discounts: tuple[AppliedDiscount, ...] = ()
    canceled_amount: Money = attrs.field(
        default=attrs.Factory(lambda order: Money.zero(order.currency), takes_self=True)
    )
    """What the cancellations of unshipped units gave back so far (see cancel_unfulfilled)."""
    returned_amount: Money = attrs.field(
        default=attrs.Factory(
            lambda order: sum(
                (line.unit_price * line.returned for line in order.lines),
                Money.zero(order.currency),
            ),
            takes_self=True,
        )
    )
    """What returns gave back so far. Orders stored before this was kept had no discounts,
    taxes or shipping, so their returns gave back the units' price."""
    adjusted_amount: Money = attrs.field(
        default=attrs.Factory(lambda order: Money.zero(order.currency), takes_self=True)
    )
    """What goodwill refunds (refunds of an amount) gave back so far."""
    adjustments_left: tuple[FeePortion, ...] = ()
    """What goodwill refunds gave back, per rate, that later refunds have not held back yet."""
    tender_policy: TenderPolicy = TenderPolicy.EXTERNAL_FIRST
    """How refunds spread over the payments of an order paid with several."""
    tenders: tuple[Tender, ...] = attrs.field(
        default=attrs.Factory(ledger_before_tenders, takes_self=True)
    )
    """The order's payments, each with what it authorized, captured, refunded and released
    (``payment`` is the first of them)."""

    @property
    def payments(self) -> tuple[PaymentRef, ...]:
        return tuple(tender.payment for tender in self.tenders)

    @property
    def worth(self) -> Money:
        """What the order is still worth to the merchant: its total less what cancellations
        and goodwill refunds gave back (returned goods were sold, then refunded)."""
        return self.total - self.canceled_amount - self.adjusted_amount

    @property
    def refundable(self) -> Money:
        """What is left to refund of the order, by any refund."""
        return self.worth - self.returned_amount

    @property
    def total(self) -> Money:
        """What the customer pays: the lines after discounts and the shipping, tax included."""
        goods = sum((line.total for line in self.lines), Money.zero(self.currency))
        return sum((fee.total for fee in self.shipping), goods)

    @property
    def tax_by_rate(self) -> dict[TaxRate, Money]:
        return tax_by_rate((*self.lines, *self.shipping), self.currency)

    def portions(self, wanted: Mapping[str, int], *, start: str) -> tuple[LineQuantity, ...]:
        """The priced portions of ``wanted`` units per line, counted from the units already
        ``start`` ("fulfilled" or "returned")."""
        return tuple(
            (line := self.line(line_id)).portion(
                getattr(line, start), quantity, prices_include_tax=self.prices_include_tax
            )
            for line_id, quantity in wanted.items()
        )

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
        shipping: Sequence[ShippingFee] = (),
        discounts: Sequence[Discount] = (),
        prices_include_tax: bool = True,
        payments: Sequence[PaymentRef] = (),
        tender_policy: TenderPolicy = TenderPolicy.EXTERNAL_FIRST,
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
        if payment is not None and payments:
            raise InvalidInput("give payment= (one payment) or payments= (several), not both.")
        if not isinstance(tender_policy, TenderPolicy):
            raise InvalidInput(
                f"tender_policy is a TenderPolicy, one of {[p.name for p in TenderPolicy]}."
            )
        if not isinstance(prices_include_tax, bool):
            raise InvalidInput("prices_include_tax is True or False.")
        currencies = {item.unit_price.currency for item in items}
        if len(currencies) > 1:
            raise CurrencyMismatch(
                f"an order is paid in one currency, got {sorted(currencies)}; "
                "place one order per currency."
            )
        currency = currencies.pop()
        lines, applied = priced_lines(items, discounts, currency, prices_include_tax)
        paid_with = [
            given.with_default_expiry(at)
            for given in ([payment] if payment else listed(payments, "payments"))
        ]
        order = cls(
            id=order_id,
            shop=shop,
            currency=currency,
            lines=lines,
            state=OrderState.OPEN,
            status=default_label(OrderState.OPEN),
            payment=paid_with[0] if paid_with else None,
            placed_at=at,
            prices_include_tax=prices_include_tax,
            shipping=price_shipping(
                listed(shipping, "shipping"),
                currency=currency,
                prices_include_tax=prices_include_tax,
            ),
            discounts=applied,
            tender_policy=tender_policy,
            tenders=(),
        )
        order = replace(order, tenders=open_tenders(paid_with, total=order.total))
        event = OrderPlaced(
            shop=shop,
            order_id=order_id,
            occurred_at=at,
            lines=order.portions({line.id: line.quantity for line in lines}, start="returned"),
            total=order.total,
            payment=order.payment,
            shipping=tuple(fee.whole() for fee in order.shipping),
            payments=order.payments if len(order.tenders) > 1 else (),
        )
        return Decision(order=order, events=(event,))

    # -- commands --------------------------------------------------------------------------

    def fulfill(self, quantities: Mapping[str, int] | None, *, at: datetime) -> Decision:
        """Ship ``quantities`` (line id or SKU -> units), or everything left when None."""
        check_aware(at, "the time of fulfillment")
        targets = self.check_command(Command.FULFILL)
        if quantities is None:
            wanted = {line.id: line.unfulfilled for line in self.lines if line.unfulfilled}
            if not wanted:
                raise OverFulfillment(
                    f"every unit of order {self.id!r} has shipped or was canceled already."
                )
        else:
            wanted = resolve_quantities(self.id, self.lines, quantities, "fulfill")
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
        shipped = self.portions(wanted, start="fulfilled")
        # Shipping is charged with the first shipment.
        first = all(line.fulfilled == 0 for line in self.lines)
        shipping = tuple(fee.whole() for fee in self.shipping) if first else ()
        amount = self._to_capture(amount_of(shipped, shipping, self.currency), first)
        tenders, shares = charge(self.tenders, amount)
        order = self.next_version(
            lines=lines, state=state, status=default_label(state), tenders=tenders
        )
        several = len(self.tenders) > 1
        event = OrderFulfilled(
            shop=self.shop,
            order_id=self.id,
            occurred_at=at,
            lines=shipped,
            shipping=shipping,
            amount=amount,
            completely=all(line.unfulfilled == 0 for line in lines),
            capture=any(tender.payment.auto_capture for tender in self.tenders),
            captures=shares if several else (),
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
        self.check_command(Command.CANCEL)
        check_identifier(refund_order_id, "the refund order id")
        check_reason(reason)
        check_aware(at, "the time of cancellation")
        if actor is not None:
            check_identifier(actor, "the actor")
        if reason_code is not None and not isinstance(reason_code, ReasonCode):
            raise InvalidInput(
                f"reason_code is a ReasonCode, one of {[c.name for c in ReasonCode]}."
            )
        portions = self.portions({line.id: line.quantity for line in self.lines}, start="returned")
        shipping = tuple(fee.whole() for fee in self.shipping)
        deducted = deduction(self, amount_of(portions, shipping, self.currency))
        tenders, refund = refund_order(
            self,
            RefundKind.CANCELLATION,
            refund_order_id,
            reason=reason,
            reason_code=reason_code,
            at=at,
            restock=restock,
            lines=portions,
            shipping=shipping,
            deductions=deducted,
        )
        cancellation = Cancellation(
            status=status,
            reason=reason,
            reason_code=reason_code,
            actor=actor,
            at=at,
            refund_order_id=refund_order_id,
        )
        order = self.next_version(
            state=OrderState.CANCELED,
            status=status,
            cancellation=cancellation,
            shipping=refunded_shipping(self.shipping, shipping),
            adjustments_left=remaining(self.adjustments_left, deducted),
            tenders=tenders,
        )
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
            shipping=shipping,
            amount=refund.amount,
            restock=restock,
            payment=self.payment,
            tenders=shares_of(refund),
        )
        return Decision(order=order, events=(event,), refund_order=refund)

    def cancel_unfulfilled(
        self,
        quantities: Mapping[str, int] | None,
        *,
        refund_order_id: str,
        reason: str | None,
        restock: bool,
        at: datetime,
        refund_shipping: bool | Money = False,
    ) -> Decision:
        """Cancel units of a partly shipped order that have not shipped (line id or SKU ->
        units, or all of them when None): they will not ship, their money goes back.

        The canceled units are priced from the top of each line (units ``quantity - 1``,
        ``quantity - 2``, ...) while shipments take them from the bottom, so what is
        captured for the units that ship and what is refunded for those canceled add up to
        exactly the line's total."""
        return cancel_unshipped(
            self,
            quantities,
            refund_order_id=refund_order_id,
            reason=reason,
            restock=restock,
            at=at,
            refund_shipping=refund_shipping,
        )

    def refund(
        self,
        amount: Money,
        *,
        refund_order_id: str,
        reason: str | None,
        at: datetime,
        tender: str | None = None,
    ) -> Decision:
        """Give back ``amount`` that is not the price of any unit (goodwill for a late
        delivery, a price adjustment): never more than the order has left to refund. Later
        refunds of units hold back what this one already gave. ``tender`` (a payment's
        reference) gives it all back through that payment."""
        return grant_refund(
            self, amount, refund_order_id=refund_order_id, reason=reason, at=at, tender=tender
        )

    def create_return(
        self,
        quantities: Mapping[str, int],
        *,
        refund_order_id: str,
        restock: bool,
        reason: str | None,
        at: datetime,
        refund_shipping: bool | Money = False,
        fees: Sequence[ReturnFee] = (),
    ) -> Decision:
        """Take back fulfilled units (line id or SKU -> units) and owe back what they cost
        after discounts; shipping too when ``refund_shipping`` is True (all that is left of
        it) or an amount of money (tax included); less the ``fees`` kept back."""
        return take_back(
            self,
            quantities,
            refund_order_id=refund_order_id,
            restock=restock,
            reason=reason,
            at=at,
            refund_shipping=refund_shipping,
            fees=fees,
        )

    # -- helpers ---------------------------------------------------------------------------

    def _to_capture(self, value: Money, first: bool) -> Money:
        """What a shipment of ``value`` is charged: its value, but never past what the
        order is still worth once earlier shipments are counted (a goodwill refund given
        before shipping lowered what the customer pays, and the authorization with it)."""
        shipped = amount_of(
            (
                line.portion(0, line.fulfilled, prices_include_tax=self.prices_include_tax)
                for line in self.lines
                if line.fulfilled
            ),
            () if first else tuple(fee.whole() for fee in self.shipping),
            self.currency,
        )
        return max(min(value, self.worth - shipped), Money.zero(self.currency))

    def check_command(self, command: Command) -> frozenset[OrderState]:
        outcome = TRANSITIONS[self.state, command]
        if isinstance(outcome, Rejection):
            raise rejection_error(outcome, self, command)
        return outcome

    def next_version(self, **changes: Any) -> Order:
        return replace(self, version=self.version + 1, **changes)
