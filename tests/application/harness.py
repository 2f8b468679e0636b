"""A shop to test against: ``Sales`` on the in-memory backend, a clock moved by hand, a
card provider held in memory (registered as ``"card"``) and a publisher that records.

Payments by ``"invoice"`` have no gateway, so they are settled by hand (manual refunds).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

import attrs

from order_cancellation import (
    LineItem,
    Money,
    Order,
    OrderState,
    PaymentRef,
    RefundOrder,
    RetryPolicy,
    Sales,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    RecordingPublisher,
)
from order_cancellation.application.service import EffectsMode
from order_cancellation.ports.payments import CaptureRequest

CARD: Final = "card"
INVOICE: Final = "invoice"
PaidBy = Literal["card", "invoice", "nothing"]

DEFAULT_STOCK: Mapping[str, int] = {"MUG": 10, "TEE": 5, "CAP": 8}
RETRY_POLICY = RetryPolicy(jitter=False)
"""Deterministic backoff: 2 s, 4 s, 8 s ... capped at one hour; dead-letter after 8."""

_EVER = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def mug_and_tee() -> list[LineItem]:
    """Two mugs at 12.50 and one tee at 20.00: 45.00 EUR."""
    return [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))]


def total_of(items: Sequence[LineItem]) -> Money:
    """What the lines cost together."""
    total = Money.zero(items[0].unit_price.currency)
    for item in items:
        total = total + item.unit_price * item.quantity
    return total


@attrs.frozen
class Observation:
    """Everything a command could change that a caller can see."""

    orders: tuple[tuple[str, int, OrderState, str], ...]
    refund_orders: tuple[tuple[str, int], ...]
    stock: tuple[tuple[str, int], ...]
    pending_effects: int
    published: int
    provider_operations: int


@attrs.define
class Shop:
    name: str
    sales: Sales
    clock: ManualClock
    card: InMemoryPaymentProvider
    publisher: RecordingPublisher
    backend: MemoryBackend
    _references: itertools.count[int] = attrs.field(factory=itertools.count)

    @classmethod
    def open(
        cls,
        name: str = "acme",
        *,
        effects: EffectsMode = "inline",
        backend: MemoryBackend | None = None,
        clock: ManualClock | None = None,
        card: InMemoryPaymentProvider | None = None,
        publisher: RecordingPublisher | None = None,
        retry_policy: RetryPolicy = RETRY_POLICY,
        stock: Mapping[str, int] = DEFAULT_STOCK,
    ) -> Shop:
        backend = backend if backend is not None else MemoryBackend()
        clock = clock if clock is not None else ManualClock()
        card = card if card is not None else InMemoryPaymentProvider()
        publisher = publisher if publisher is not None else RecordingPublisher()
        sales = Sales.in_memory(
            name,
            backend=backend,
            gateways={CARD: card},
            publisher=publisher,
            clock=clock,
            effects=effects,
            retry_policy=retry_policy,
        )
        for sku, quantity in stock.items():
            sales.set_stock(sku, quantity)
        return cls(
            name=name,
            sales=sales,
            clock=clock,
            card=card,
            publisher=publisher,
            backend=backend,
        )

    # -- placing orders ------------------------------------------------------------------------

    def card_payment(self, amount: Money, *, auto_capture: bool = False) -> PaymentRef:
        """Authorize ``amount`` at the card provider now and return the order's PaymentRef."""
        reference = f"{self.name}-pay-{next(self._references)}"
        self.card.authorize(reference, amount, at=self.clock.now())
        return PaymentRef(provider=CARD, reference=reference, auto_capture=auto_capture)

    def place(
        self,
        lines: Sequence[LineItem] | None = None,
        *,
        paid_by: PaidBy = CARD,
        auto_capture: bool = False,
        order_id: str | None = None,
    ) -> Order:
        """Place an order (by default :func:`mug_and_tee`), paid as ``paid_by`` says."""
        items = list(lines) if lines is not None else mug_and_tee()
        payment: PaymentRef | None
        if paid_by == CARD:
            payment = self.card_payment(total_of(items), auto_capture=auto_capture)
        elif paid_by == INVOICE:
            payment = PaymentRef(provider=INVOICE, reference=f"{self.name}-invoice")
        else:
            payment = None
        return self.sales.place_order(items, payment=payment, order_id=order_id)

    def capture_at_provider(self, order: Order, amount: Money) -> None:
        """The merchant captures ``amount`` in the provider's own portal."""
        assert order.payment is not None
        self.card.capture(
            CaptureRequest(
                shop=self.name,
                order_id=order.id,
                amount=amount,
                lines=(),
                payment=order.payment,
                idempotency_key=f"portal-{order.id}-{amount.minor}",
                now=self.clock.now(),
            )
        )

    # -- effects -------------------------------------------------------------------------------

    def settle_effects(self, *, max_rounds: int = 100) -> int:
        """Move the clock past every scheduled retry and run effects until none is pending.

        Returns how many rounds it took; fails if effects never converge.
        """
        for rounds in range(max_rounds):
            self.sales.process_pending()
            if self.sales.pending_effects() == 0:
                return rounds
            self.clock.advance(RETRY_POLICY.cap + timedelta(seconds=1))
        raise AssertionError(f"effects still pending after {max_rounds} rounds")

    # -- looking -------------------------------------------------------------------------------

    def all_orders(self) -> list[Order]:
        with self.backend.unit_of_work(self.name) as uow:
            return list(uow.orders.placed_between(*_EVER))

    def refund_orders(self) -> list[RefundOrder]:
        return self.sales.refund_orders()

    def observe(self) -> Observation:
        return Observation(
            orders=tuple(
                sorted(
                    (order.id, order.version, order.state, order.status)
                    for order in self.all_orders()
                )
            ),
            refund_orders=tuple(
                sorted((refund.id, refund.version) for refund in self.refund_orders())
            ),
            stock=tuple(sorted(self.sales.stock_levels().items())),
            pending_effects=self.sales.pending_effects(),
            published=len(self.publisher.events),
            provider_operations=len(self.card.operations),
        )


@attrs.frozen
class World:
    """A shop with an order in each interesting state, and a neighbour in the same backend."""

    shop: Shop
    neighbour: Shop
    open: Order
    shipped: Order  # one of two mugs shipped, paid by card with auto-capture
    owed: RefundOrder  # a canceled invoice order, its refund owed by hand
    theirs: Order  # an open order of the neighbour

    @classmethod
    def build(cls, effects: EffectsMode = "inline") -> World:
        backend, clock, card = MemoryBackend(), ManualClock(), InMemoryPaymentProvider()
        shop = Shop.open("acme", effects=effects, backend=backend, clock=clock, card=card)
        neighbour = Shop.open("globex", effects=effects, backend=backend, clock=clock, card=card)
        shop.sales.define_status_label("On hold", means=OrderState.OPEN)
        open_order = shop.place()
        shipped = shop.sales.fulfill(shop.place(auto_capture=True).id, {"MUG": 1})
        owed = shop.sales.cancel_order(shop.place(paid_by="invoice").id, idempotency_key="used-1")
        return cls(
            shop=shop,
            neighbour=neighbour,
            open=open_order,
            shipped=shipped,
            owed=owed,
            theirs=neighbour.place(),
        )

    def observe(self) -> tuple[Observation, Observation]:
        return self.shop.observe(), self.neighbour.observe()
