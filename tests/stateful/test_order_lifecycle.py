"""A model-based test of ``Sales``: random commands against a simple model of the shop.

The machine places real orders (tax rates, shipping fees, discounts, either price mode),
fulfills, cancels and returns them (refunding shipping or not), replays idempotency keys, sends
stale versions, captures in the provider's portal, marks manual refunds done, retries failed
effects and moves the clock (sometimes past the 28 days an authorization lives). The model
is a dict of orders (state, version, lines, expected refund orders) and the units sold and
to be restocked per SKU. After every step the invariants compare the shop with the model;
after the last step the teardown drains every effect and checks that all of them converged.

Orders are paid by one card, an invoice (refunded by hand), nothing, or several payments (a
gift card, a card and maybe an invoice, adding up to the total): after every step no
payment has given back more than it was charged, and the sales report nets exactly what
was paid and not given back.

Two machines run here: effects inline, and effects deferred to ``process_pending`` with
faults injected into the payment provider (``fail_next``, ``lose_next_response``); the
deferred one runs on SQLite and PostgreSQL too (tests/backends/verification).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar, Final

import attrs
import pytest
from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from order_cancellation import (
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InsufficientStock,
    LineItem,
    Money,
    NothingLeftToShip,
    NothingShipped,
    NothingToReturn,
    Order,
    OrderAlreadyCanceled,
    OrderAlreadyReturned,
    OrderCancellationError,
    OrderFulfilledError,
    OrderState,
    OverFulfillment,
    PaymentError,
    PaymentRef,
    PaymentStatus,
    RefundExceedsCharge,
    RefundKind,
    RefundOrder,
    StockStatus,
    TenderKind,
)
from order_cancellation.adapters.memory import Operation
from order_cancellation.application.service import EffectsMode
from order_cancellation.ports.payments import CaptureRequest
from order_cancellation.testing import order_charges as occ
from order_cancellation.testing import strategies as ocst
from tests.application.harness import Shop

SKUS: Final = ("MUG", "TEE", "CAP")
ON_HAND: Final = 12  # small enough that placing sometimes runs out of stock
LABELS: Final = ("Canceled", "Canceled - fraud")
AUTHORIZATION_TTL: Final = timedelta(days=28)
FAILED: Final = (PaymentStatus.FAILED_RETRYING, PaymentStatus.DEAD_LETTERED)
STOCK_FAILED: Final = (StockStatus.FAILED_RETRYING, StockStatus.DEAD_LETTERED)

Signature = tuple[object, ...]


def _half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@attrs.define
class ModelLine:
    """A line's money as the docs state the rule: units ``0 .. n`` are worth
    ``round(subtotal * n / quantity)``, their tax is the tax of that (all of the line's tax
    at ``n == quantity``), and a refund takes the difference between two such figures."""

    id: str
    sku: str
    quantity: int
    subtotal: int  # after discounts, as entered
    tax: int
    rate: int  # basis points
    include_tax: bool
    fulfilled: int = 0
    returned: int = 0
    canceled: int = 0

    @property
    def unshipped(self) -> int:
        return self.quantity - self.fulfilled - self.canceled

    @property
    def settled(self) -> bool:
        return self.returned == self.fulfilled and self.unshipped == 0

    def worth(self, units: int) -> int:
        base = _half_up(Decimal(self.subtotal * units) / self.quantity)
        if units == self.quantity:
            tax = self.tax
        elif self.include_tax:
            tax = min(_half_up(Decimal(base * self.rate) / (10_000 + self.rate)), self.tax)
        else:
            tax = min(_half_up(Decimal(base * self.rate) / 10_000), self.tax)
        return base if self.include_tax else base + tax

    def refund(self, units: int) -> int:
        return self.worth(self.returned + units) - self.worth(self.returned)

    def cancel(self, units: int) -> int:
        """Canceled units are priced from the top of the line."""
        top = self.quantity - self.canceled
        return self.worth(top) - self.worth(top - units)


@attrs.define
class ModelOrder:
    id: str
    lines: list[ModelLine]
    state: OrderState
    version: int
    reference: str | None  # the card payment's reference, when paid by one card
    total: int
    shipping_left: int
    tenders: tuple[str, ...] = ()  # the card payments' references, when paid with several
    refunds: list[tuple[RefundKind, int]] = attrs.Factory(list)

    @property
    def left(self) -> int:
        """What is left to refund: a refund that would give more gives back only this,
        as goodwill refunds already gave the rest."""
        return self.total - sum(amount for _, amount in self.refunds)

    def line(self, key: str) -> ModelLine:
        by_id = [line for line in self.lines if line.id == key]
        return by_id[0] if by_id else next(line for line in self.lines if line.sku == key)


def _units(lines: list[LineItem]) -> Counter[str]:
    units: Counter[str] = Counter()
    for line in lines:
        units[line.sku] += line.quantity
    return units


class OrderLifecycle(RuleBasedStateMachine):
    effects: ClassVar[EffectsMode] = "inline"
    faults: ClassVar[bool] = False
    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0
    split_orders: ClassVar[int] = 0

    orders = Bundle("orders")
    keys = Bundle("keys")
    # A key one time in three: replays and reuses stay frequent without drowning the rest.
    maybe_key = st.one_of(st.none(), st.none(), keys)

    def __init__(self) -> None:
        super().__init__()
        self.shop = Shop.open("acme", effects=self.effects, stock=dict.fromkeys(SKUS, ON_HAND))
        self.shop.sales.define_status_label("Canceled - fraud", means=OrderState.CANCELED)
        self.model: dict[str, ModelOrder] = {}
        self.sold: Counter[str] = Counter()
        self.to_restock: Counter[str] = Counter()
        self.used_keys: dict[str, tuple[Signature, str]] = {}
        self.refund_versions: dict[str, int] = {}
        self.step_count = 0
        self.faults_injected = 0

    # -- keys ----------------------------------------------------------------------------------

    @initialize(
        target=keys,
        names=st.lists(ocst.identifiers(max_size=6), min_size=2, max_size=3, unique=True),
    )
    def seed_keys(self, names: list[str]) -> Any:
        return multiple(*names)

    @rule(target=keys, name=ocst.identifiers(max_size=6))
    def new_key(self, name: str) -> str:
        self.step_count += 1
        return name

    def _replay(self, key: str | None, signature: Signature) -> tuple[str, str | None]:
        """Whether a command under ``key`` is fresh, a replay (with its first result), or
        a reuse of the key for a different command."""
        if key is None or key not in self.used_keys:
            return "fresh", None
        first, result = self.used_keys[key]
        return ("replay", result) if first == signature else ("reused", None)

    def _version(self, order: ModelOrder, choice: str) -> int | None:
        if choice == "current":
            return order.version
        if choice == "stale" and order.version > 1:
            return order.version - 1
        return None

    def _attempt(
        self, expected: type[OrderCancellationError] | None, command: Callable[[], object]
    ) -> object:
        """Run ``command``; it must raise ``expected``, or succeed when that is None."""
        if expected is None:
            return command()
        with pytest.raises(expected):
            command()
        return None

    # -- commands --------------------------------------------------------------------------------

    @rule(
        target=orders,
        to_place=occ.real_orders(
            "EUR", sku=ocst.skus(SKUS), max_lines=3, max_quantity=4, max_fees=2, max_discounts=2
        ),
        paid_by=st.sampled_from(["card", "card", "invoice", "nothing", "several", "several"]),
        auto_capture=st.booleans(),
        key=maybe_key,
        data=st.data(),
    )
    def place(
        self,
        to_place: occ.OrderToPlace,
        paid_by: str,
        auto_capture: bool,
        key: str | None,
        data: st.DataObject,
    ) -> Any:
        self.step_count += 1
        lines = list(to_place.lines)
        # What the order will cost, worked out before placing it so that the card can be
        # authorized for it (the shop authorizes at checkout, before the order exists).
        total = Order.place(
            order_id="quote",
            shop="acme",
            items=lines,
            payment=None,
            at=self.shop.clock.now(),
            shipping=list(to_place.shipping),
            discounts=list(to_place.discounts),
            prices_include_tax=to_place.prices_include_tax,
        ).order.total
        payment: PaymentRef | None = None
        payments: list[PaymentRef] = []
        if paid_by == "several" and total.minor >= 3:
            payments = self._tenders(total, auto_capture, data)
        elif paid_by in ("card", "several") and total.minor > 0:
            payment = self.shop.card_payment(total, auto_capture=auto_capture)
        elif paid_by == "invoice":
            payment = PaymentRef(provider="invoice", reference="acme-invoice")
        signature: Signature = ("place", to_place, payment, tuple(payments))
        mode, first = self._replay(key, signature)
        short = any(need > self.shop.sales.stock_level(sku) for sku, need in _units(lines).items())
        expected = (
            IdempotencyKeyReused
            if mode == "reused"
            else None
            if mode == "replay"
            else InsufficientStock
            if short
            else None
        )

        def command() -> object:
            if payments:
                return self.shop.sales.place_order(
                    list(to_place.lines),
                    payments=payments,
                    shipping=list(to_place.shipping),
                    discounts=list(to_place.discounts),
                    prices_include_tax=to_place.prices_include_tax,
                    idempotency_key=key,
                )
            return to_place.place(self.shop.sales, payment=payment, idempotency_key=key)

        order = self._attempt(expected, command)
        if expected is not None:
            return multiple()
        assert isinstance(order, Order)
        order_id = order.id
        if mode == "replay":
            assert order_id == first
            return order_id
        assert order.total == total
        self.model[order_id] = ModelOrder(
            id=order_id,
            lines=[
                ModelLine(
                    id=line.id,
                    sku=line.sku,
                    quantity=line.quantity,
                    subtotal=line.subtotal.minor,
                    tax=line.tax.minor,
                    rate=line.tax_rate.basis_points,
                    include_tax=order.prices_include_tax,
                )
                for line in order.lines
            ],
            state=OrderState.OPEN,
            version=1,
            reference=payment.reference if payment and payment.provider == "card" else None,
            tenders=tuple(p.reference for p in payments if p.provider == "card"),
            total=order.total.minor,
            shipping_left=sum(fee.total.minor for fee in order.shipping),
        )
        self.sold += _units(lines)
        if key is not None:
            self.used_keys[key] = (signature, order_id)
        return order_id

    @rule(
        order_id=orders,
        data=st.data(),
        key=maybe_key,
        version=st.sampled_from(["none", "current", "stale"]),
    )
    def fulfill(self, order_id: str, data: st.DataObject, key: str | None, version: str) -> None:
        self.step_count += 1
        order = self.model[order_id]
        current = self.shop.sales.get_order(order_id)
        open_units = any(line.unshipped for line in order.lines)
        quantities: dict[str, int] | None = None
        if order.state in (OrderState.OPEN, OrderState.FULFILLED) and open_units:
            quantities = data.draw(
                st.none() | ocst.fulfill_quantities(current), label="fulfill quantities"
            )
        signature: Signature = (
            "fulfill",
            order_id,
            None if quantities is None else tuple(sorted(quantities.items())),
        )
        mode, _ = self._replay(key, signature)
        expected_version = self._version(order, version)
        expected: type[OrderCancellationError] | None = None
        if mode == "reused":
            expected = IdempotencyKeyReused
        elif mode == "replay":
            expected = None
        elif expected_version is not None and expected_version != order.version:
            expected = ConcurrencyConflict
        elif order.state is OrderState.CANCELED:
            expected = OrderAlreadyCanceled
        elif order.state is OrderState.RETURNED:
            expected = OrderAlreadyReturned
        elif not open_units:
            expected = OverFulfillment

        self._attempt(
            expected,
            lambda: self.shop.sales.fulfill(
                order_id, quantities, idempotency_key=key, expected_version=expected_version
            ),
        )
        if expected is not None or mode == "replay":
            return
        wanted = quantities or {line.id: line.quantity - line.fulfilled for line in order.lines}
        for line_key, units in wanted.items():
            order.line(line_key).fulfilled += units
        order.state = OrderState.FULFILLED
        order.version += 1
        if key is not None:
            self.used_keys[key] = (signature, order_id)

    @rule(
        order_id=orders,
        label=st.sampled_from(LABELS),
        reason=ocst.reasons(max_size=20),
        restock=st.booleans(),
        key=maybe_key,
        version=st.sampled_from(["none", "current", "stale"]),
    )
    def cancel(
        self,
        *,
        order_id: str,
        label: str,
        reason: str | None,
        restock: bool,
        key: str | None,
        version: str,
    ) -> None:
        self.step_count += 1
        order = self.model[order_id]
        signature: Signature = ("cancel", order_id, label, reason, restock)
        mode, first = self._replay(key, signature)
        expected_version = self._version(order, version)
        expected: type[OrderCancellationError] | None = {
            OrderState.OPEN: None,
            OrderState.FULFILLED: OrderFulfilledError,
            OrderState.CANCELED: OrderAlreadyCanceled,
            OrderState.RETURNED: OrderAlreadyReturned,
        }[order.state]
        if mode == "reused":
            expected = IdempotencyKeyReused
        elif mode == "replay":
            expected = None
        elif expected_version is not None and expected_version != order.version:
            expected = ConcurrencyConflict

        refund = self._attempt(
            expected,
            lambda: self.shop.sales.cancel_order(
                order_id,
                status=label,
                reason=reason,
                restock=restock,
                idempotency_key=key,
                expected_version=expected_version,
            ),
        )
        if expected is not None:
            return
        assert isinstance(refund, RefundOrder)
        if mode == "replay":
            assert refund.id == first
            return
        order.state = OrderState.CANCELED
        order.version += 1
        order.refunds.append((RefundKind.CANCELLATION, min(order.total, order.left)))
        order.shipping_left = 0
        if restock:
            for line in order.lines:
                self.to_restock[line.sku] += line.quantity
        if key is not None:
            self.used_keys[key] = (signature, refund.id)

    @rule(
        order_id=orders,
        data=st.data(),
        restock=st.booleans(),
        refund_shipping=st.booleans(),
        key=maybe_key,
        version=st.sampled_from(["none", "current", "stale"]),
    )
    def create_return(
        self,
        *,
        order_id: str,
        data: st.DataObject,
        restock: bool,
        refund_shipping: bool,
        key: str | None,
        version: str,
    ) -> None:
        self.step_count += 1
        order = self.model[order_id]
        current = self.shop.sales.get_order(order_id)
        returnable = any(line.fulfilled > line.returned for line in order.lines)
        if order.state is OrderState.FULFILLED and returnable:
            quantities = data.draw(ocst.return_quantities(current), label="return quantities")
        else:
            quantities = {"L1": 1}
        signature: Signature = (
            "return",
            order_id,
            tuple(sorted(quantities.items())),
            restock,
            refund_shipping,
        )
        mode, first = self._replay(key, signature)
        expected_version = self._version(order, version)
        too_many = any(
            units > order.line(line_key).fulfilled - order.line(line_key).returned
            for line_key, units in quantities.items()
        )
        expected: type[OrderCancellationError] | None = {
            OrderState.OPEN: NothingToReturn,
            OrderState.FULFILLED: NothingToReturn if too_many else None,
            OrderState.CANCELED: OrderAlreadyCanceled,
            OrderState.RETURNED: OrderAlreadyReturned,
        }[order.state]
        if mode == "reused":
            expected = IdempotencyKeyReused
        elif mode == "replay":
            expected = None
        elif expected_version is not None and expected_version != order.version:
            expected = ConcurrencyConflict

        refund = self._attempt(
            expected,
            lambda: self.shop.sales.create_return(
                order_id,
                quantities,
                restock=restock,
                idempotency_key=key,
                expected_version=expected_version,
                refund_shipping=refund_shipping,
            ),
        )
        if expected is not None:
            return
        assert isinstance(refund, RefundOrder)
        if mode == "replay":
            assert refund.id == first
            return
        amount = order.shipping_left if refund_shipping else 0
        if refund_shipping:
            order.shipping_left = 0
        for line_key, units in quantities.items():
            line = order.line(line_key)
            amount += line.refund(units)
            line.returned += units
            if restock:
                self.to_restock[line.sku] += units
        everything_back = all(line.settled for line in order.lines)
        order.state = OrderState.RETURNED if everything_back else OrderState.FULFILLED
        order.version += 1
        order.refunds.append((RefundKind.RETURN, min(amount, order.left)))
        if key is not None:
            self.used_keys[key] = (signature, refund.id)

    @rule(
        order_id=orders,
        restock=st.booleans(),
        refund_shipping=st.booleans(),
        key=maybe_key,
    )
    def cancel_unshipped_rest(
        self, order_id: str, restock: bool, refund_shipping: bool, key: str | None
    ) -> None:
        self.step_count += 1
        order = self.model[order_id]
        signature: Signature = ("cancel rest", order_id, restock, refund_shipping)
        mode, first = self._replay(key, signature)
        unshipped = {line.id: line.unshipped for line in order.lines if line.unshipped}
        expected: type[OrderCancellationError] | None = {
            OrderState.OPEN: NothingShipped,
            OrderState.FULFILLED: None if unshipped else NothingLeftToShip,
            OrderState.CANCELED: OrderAlreadyCanceled,
            OrderState.RETURNED: OrderAlreadyReturned,
        }[order.state]
        if mode == "reused":
            expected = IdempotencyKeyReused
        elif mode == "replay":
            expected = None

        refund = self._attempt(
            expected,
            lambda: self.shop.sales.cancel_unfulfilled(
                order_id,
                restock=restock,
                refund_shipping=refund_shipping,
                idempotency_key=key,
            ),
        )
        if expected is not None:
            return
        assert isinstance(refund, RefundOrder)
        if mode == "replay":
            assert refund.id == first
            return
        amount = order.shipping_left if refund_shipping else 0
        if refund_shipping:
            order.shipping_left = 0
        for line_id, units in unshipped.items():
            line = order.line(line_id)
            amount += line.cancel(units)
            line.canceled += units
            if restock:
                self.to_restock[line.sku] += units
        order.state = (
            OrderState.RETURNED
            if all(line.settled for line in order.lines)
            else OrderState.FULFILLED
        )
        order.version += 1
        order.refunds.append((RefundKind.CANCELLATION, min(amount, order.left)))
        if key is not None:
            self.used_keys[key] = (signature, refund.id)

    @rule(order_id=orders, data=st.data(), key=maybe_key)
    def goodwill(self, order_id: str, data: st.DataObject, key: str | None) -> None:
        self.step_count += 1
        order = self.model[order_id]
        amount = data.draw(st.integers(1, max(order.left, 1)), label="goodwill")
        signature: Signature = ("goodwill", order_id, amount)
        mode, first = self._replay(key, signature)
        expected: type[OrderCancellationError] | None = {
            OrderState.OPEN: None,
            OrderState.FULFILLED: None,
            OrderState.CANCELED: OrderAlreadyCanceled,
            OrderState.RETURNED: OrderAlreadyReturned,
        }[order.state]
        if expected is None and amount > order.left:
            expected = RefundExceedsCharge
        if mode == "reused":
            expected = IdempotencyKeyReused
        elif mode == "replay":
            expected = None

        refund = self._attempt(
            expected,
            lambda: self.shop.sales.refund(
                order_id, Money(amount, "EUR"), reason="late delivery", idempotency_key=key
            ),
        )
        if expected is not None:
            return
        assert isinstance(refund, RefundOrder)
        if mode == "replay":
            assert refund.id == first
            return
        order.version += 1
        order.refunds.append((RefundKind.ADJUSTMENT, amount))
        if key is not None:
            self.used_keys[key] = (signature, refund.id)

    def _tenders(self, total: Money, auto_capture: bool, data: st.DataObject) -> list[PaymentRef]:
        """Two or three payments that add up to ``total``: a gift card, a card and maybe an
        invoice (no gateway: owed by hand), in a drawn order; the card ones authorized."""
        count = data.draw(st.integers(2, 3), label="tenders")
        cuts = sorted(
            data.draw(
                st.lists(
                    st.integers(1, total.minor - 1),
                    min_size=count - 1,
                    max_size=count - 1,
                    unique=True,
                ),
                label="cuts",
            )
        )
        amounts = [b - a for a, b in zip([0, *cuts], [*cuts, total.minor], strict=True)]
        kinds = data.draw(st.permutations(["gift", "card", "invoice"][:count]), label="kinds")
        payments = []
        for kind, minor in zip(kinds, amounts, strict=True):
            amount = Money(minor, "EUR")
            if kind == "invoice":
                payments.append(
                    PaymentRef(
                        provider="invoice", reference=f"inv-{self.step_count}", amount=amount
                    )
                )
                continue
            paid = self.shop.card_payment(amount, auto_capture=auto_capture)
            payments.append(
                attrs.evolve(
                    paid,
                    amount=amount,
                    kind=TenderKind.GIFT_CARD if kind == "gift" else TenderKind.PAYMENT,
                )
            )
        return payments

    # -- the back office and the world -----------------------------------------------------------

    @rule(order_id=orders, data=st.data())
    def capture_in_portal(self, order_id: str, data: st.DataObject) -> None:
        """The merchant captures part of a card payment by hand, in the provider's portal,
        before the order is canceled or returned."""
        self.step_count += 1
        order = self.model[order_id]
        if order.reference is None or order.state not in (OrderState.OPEN, OrderState.FULFILLED):
            return
        now = self.shop.clock.now()
        view = self.shop.card.view(order.reference, now=now)
        room = view.authorized - view.captured
        if room.minor <= 0 or view.expired(now):
            return
        amount = Money(data.draw(st.integers(1, room.minor), label="portal capture"), "EUR")
        payment = PaymentRef(provider="card", reference=order.reference)
        request = CaptureRequest(
            shop=self.shop.name,
            order_id=order_id,
            amount=amount,
            lines=(),
            payment=payment,
            idempotency_key=f"portal-{order_id}-{view.captured.minor}",
            now=now,
        )
        try:
            self.shop.card.capture(request)
        except PaymentError as error:  # an injected fault; the portal shows an error
            note(f"portal capture failed: {error}")

    @precondition(lambda self: bool(self.shop.sales.manual_refunds_owed()))
    @rule(data=st.data())
    def mark_manual_refund_done(self, data: st.DataObject) -> None:
        self.step_count += 1
        owed = data.draw(
            st.sampled_from(self._stable(self.shop.sales.manual_refunds_owed())), label="owed"
        )

        done = self.shop.sales.mark_manual_refund_done(owed.id, note="paid by bank transfer")

        assert done.payment_status is PaymentStatus.MANUALLY_REFUNDED
        assert done.refunded == owed.refunded + owed.manual_amount

    @precondition(lambda self: bool(self._failed()))
    @rule(data=st.data())
    def retry_failed_effects(self, data: st.DataObject) -> None:
        self.step_count += 1
        failed = data.draw(st.sampled_from(self._failed()), label="failed refund order")
        self.shop.sales.retry_effects(failed.id)

    def _failed(self) -> list[RefundOrder]:
        return self._stable(
            [
                refund
                for refund in self.shop.sales.refund_orders(pending=True)
                if refund.payment_status in FAILED or refund.stock_status in STOCK_FAILED
            ]
        )

    def _stable(self, refunds: list[RefundOrder]) -> list[RefundOrder]:
        """In an order that does not depend on random ids, so that a seed replays exactly."""
        position = {order_id: n for n, order_id in enumerate(self.model)}
        return sorted(
            refunds,
            key=lambda r: (position[r.order_id], r.created_at, r.kind.value, r.amount.minor),
        )

    @rule(hours=st.integers(min_value=0, max_value=9))
    def advance_clock(self, hours: int) -> None:
        """Usually a few hours; one time in ten, past the life of an authorization."""
        self.step_count += 1
        self.shop.clock.advance(
            AUTHORIZATION_TTL + timedelta(seconds=1) if hours == 0 else timedelta(hours=hours)
        )

    # -- deferred effects and faults (second machine only) ---------------------------------------

    @precondition(lambda self: self.effects == "deferred")
    @rule()
    def process_pending(self) -> None:
        self.step_count += 1
        self.shop.sales.process_pending()

    @precondition(lambda self: self.faults)
    @rule(kind=st.sampled_from(["fail", "lose"]), count=st.integers(min_value=1, max_value=3))
    def inject_fault(self, kind: str, count: int) -> None:
        self.step_count += 1
        self.faults_injected += count
        if kind == "fail":
            self.shop.card.fail_next(count)
        else:
            self.shop.card.lose_next_response(count)

    # -- invariants ------------------------------------------------------------------------------

    def _refunds_by_order(self) -> Mapping[str, list[RefundOrder]]:
        found: dict[str, list[RefundOrder]] = {order_id: [] for order_id in self.model}
        for refund in self.shop.sales.refund_orders():
            found[refund.order_id].append(refund)
        return found

    @invariant()
    def orders_are_in_the_state_and_version_the_model_expects(self) -> None:
        for order_id, expected in self.model.items():
            order = self.shop.sales.get_order(order_id)
            assert (order.state, order.version) == (expected.state, expected.version), order_id

    @invariant()
    def refund_orders_are_the_ones_the_commands_created(self) -> None:
        for order_id, refunds in self._refunds_by_order().items():
            kinds = Counter((refund.kind, refund.amount.minor) for refund in refunds)
            assert kinds == Counter(self.model[order_id].refunds), order_id
            cancellations = [r for r in refunds if r.kind is RefundKind.CANCELLATION]
            assert len(cancellations) <= 1, f"{order_id} has {len(cancellations)} cancellations"

    @invariant()
    def versions_only_increase(self) -> None:
        for refund in self.shop.sales.refund_orders():
            assert refund.version >= self.refund_versions.get(refund.id, 1)
            self.refund_versions[refund.id] = refund.version

    @invariant()
    def stock_is_conserved(self) -> None:
        restored: Counter[str] = Counter()
        for refund in self.shop.sales.refund_orders():
            if refund.stock_status is StockStatus.DONE:
                for line in refund.lines:
                    restored[line.sku] += line.quantity
        for sku in SKUS:
            level = self.shop.sales.stock_level(sku)
            assert level == ON_HAND - self.sold[sku] + restored[sku], sku
            assert restored[sku] <= self.to_restock[sku], sku
            if self.effects == "inline":
                assert restored[sku] == self.to_restock[sku], sku

    @invariant()
    def refunds_never_exceed_what_was_paid(self) -> None:
        for order_id, refunds in self._refunds_by_order().items():
            order = self.model[order_id]
            assert sum(refund.amount.minor for refund in refunds) <= order.total
            assert all(refund.refunded <= refund.amount for refund in refunds)
            if order.reference is None:
                continue
            view = self.shop.card.view(order.reference, now=self.shop.clock.now())
            # Money paid back by hand never went through the provider.
            through_provider = sum(
                refund.refunded.minor
                for refund in refunds
                if refund.payment_status is not PaymentStatus.MANUALLY_REFUNDED
            )
            assert through_provider <= view.refunded.minor <= view.captured.minor, order_id
            assert view.captured <= view.authorized, order_id

    @invariant()
    def no_payment_gives_back_more_than_it_was_charged(self) -> None:
        """Per tender: refunded <= captured <= authorized, in the order's ledger and at the
        provider; per order: what the payments still hold is what was paid and not given
        back."""
        now = self.shop.clock.now()
        for order_id, refunds in self._refunds_by_order().items():
            order = self.shop.sales.get_order(order_id)
            for tender in order.tenders:
                assert tender.refunded <= tender.captured, (order_id, tender)
                assert tender.captured + tender.released <= tender.authorized, (order_id, tender)
                assert min(tender.refunded, tender.released).minor >= 0, (order_id, tender)
            if len(order.tenders) > 1:
                held = sum(
                    t.authorized.minor - t.refunded.minor - t.released.minor for t in order.tenders
                )
                given = sum(refund.amount.minor for refund in refunds)
                assert held == order.total.minor - given, order_id
                for refund in refunds:
                    assert sum(p.amount.minor for p in refund.tenders) == refund.amount.minor
            for reference in self.model[order_id].tenders:
                view = self.shop.card.view(reference, now=now)
                assert view.refunded <= view.captured <= view.authorized, (order_id, reference)

    @invariant()
    def the_report_nets_what_was_paid_and_not_given_back(self) -> None:
        report = self.shop.sales.report(
            start=datetime(2000, 1, 1, tzinfo=UTC), end=datetime(2200, 1, 1, tzinfo=UTC)
        )
        if not self.model:
            return
        given = sum(r.amount.minor for r in self.shop.sales.refund_orders())
        totals = sum(order.total for order in self.model.values())
        net = report.currency("EUR").net.minor if totals else 0
        assert net == totals - given

    @invariant()
    def money_is_never_captured_automatically_for_a_canceled_order(self) -> None:
        for order in self.model.values():
            if order.reference is None or order.state is not OrderState.CANCELED:
                continue
            automatic = [
                op
                for op in self.shop.card.operations
                if op.operation is Operation.CAPTURE
                and op.reference == order.reference
                and not op.key.startswith("portal-")
            ]
            assert automatic == [], order.id

    # -- the end -----------------------------------------------------------------------------------

    def teardown(self) -> None:
        self._drain()
        sales = self.shop.sales
        assert sales.pending_effects() == 0
        # Everything was delivered: all that is still owed is money to pay back by hand.
        assert {r.id for r in sales.refund_orders(pending=True)} == {
            r.id for r in sales.manual_refunds_owed()
        }
        for sku in SKUS:
            assert sales.stock_level(sku) == ON_HAND - self.sold[sku] + self.to_restock[sku]
        for order_id, refunds in self._refunds_by_order().items():
            order = self.model[order_id]
            references = (order.reference,) if order.reference else order.tenders
            for reference in references if order.state is OrderState.CANCELED else ():
                view = self.shop.card.view(reference, now=self.shop.clock.now())
                assert view.refunded == view.captured, f"{order_id}: captured money kept"
            for refund in refunds:
                assert refund.payment_settled, refund.id
                assert refund.stock_settled, refund.id
        type(self).examples += 1
        type(self).steps += self.step_count
        type(self).split_orders += sum(1 for order in self.model.values() if order.tenders)

    def _drain(self) -> None:
        """Move the clock past every retry and run effects until nothing is pending; revive
        what was dead-lettered (the injected faults run out) and drain again.

        A revived effect keeps its attempt count, so it gets one attempt per revival: with
        every fault spent on one effect that is one revival per fault, hence the bound."""
        revivals = self.faults_injected + 10
        for _ in range(revivals):
            self.shop.settle_effects()
            failed = self._failed()
            if not failed:
                return
            for refund in failed:
                self.shop.sales.retry_effects(refund.id)
        self.shop.settle_effects()
        raise AssertionError(f"effects still failing after {revivals} revivals: {self._failed()}")


class DeferredOrderLifecycle(OrderLifecycle):
    effects: ClassVar[EffectsMode] = "deferred"
    faults: ClassVar[bool] = True
    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0


def _size() -> tuple[int, int]:
    """Examples and steps per example: CI keeps the suite fast, nightly goes large."""
    profile = settings.get_current_profile_name()
    if profile == "nightly":
        return 2000, 60
    if profile == "mutation":
        return 30, 30
    return 100, 35


def run_machine(
    machine: type[OrderLifecycle], label: str, reliability: Callable[[str], None]
) -> None:
    examples, steps = _size()
    machine.examples = machine.steps = machine.split_orders = 0
    failures = 1
    try:
        run_state_machine_as_test(
            machine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=steps,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
        failures = 0
    finally:
        reliability(
            f"RELIABILITY S1 backend=memory {label} "
            f"examples={machine.examples} steps={machine.steps} "
            f"orders_with_several_payments={machine.split_orders} failures={failures}"
        )


def test_the_shop_matches_the_model_with_effects_inline(
    reliability: Callable[[str], None],
) -> None:
    run_machine(OrderLifecycle, "effects=inline", reliability)


def test_the_shop_matches_the_model_with_deferred_effects_and_payment_faults(
    reliability: Callable[[str], None],
) -> None:
    run_machine(DeferredOrderLifecycle, "effects=deferred faults=on", reliability)
