"""A relay whose call outlasts its lease has its messages taken over by another relay. When
the first one comes back, the work is done already: it neither pays nor restocks twice, and
a late failure does not overwrite the other relay's success."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import attrs

from order_cancellation import (
    PaymentStatus,
    PaymentTemporarilyUnavailable,
    RelayReport,
    Sales,
    StockStatus,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    Operation,
    RecordingPublisher,
)
from order_cancellation.domain.events import EffectFailed, PaymentVoided, StockRestored
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import SettlementResult
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from order_cancellation.ports.stock import StockLedger
from tests.application.harness import CARD, DEFAULT_STOCK, RETRY_POLICY, Shop
from tests.application.platform_ledger import PlatformLedger

LEASE = timedelta(seconds=60)


class SlowCard:
    """The card provider behind a slow network: while the next settlement call is under way,
    ``meanwhile`` runs; then the call reaches the provider, or times out before it does."""

    def __init__(self, card: InMemoryPaymentProvider) -> None:
        self._card = card
        self._meanwhile: Callable[[], object] | None = None
        self._time_out = False

    def slow_next(self, meanwhile: Callable[[], object], *, then_time_out: bool) -> None:
        self._meanwhile, self._time_out = meanwhile, then_time_out

    def settle(self, request: SettlementRequest) -> SettlementResult:
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile()
            if self._time_out:
                raise PaymentTemporarilyUnavailable("the payment provider timed out")
        return self._card.settle(request)

    def capture(self, request: CaptureRequest) -> Money:
        return self._card.capture(request)


@attrs.frozen
class TwoRelays:
    shop: Shop  # its relay is the slow one
    other: Sales  # another process of the same shop, on the same store
    slow_card: SlowCard
    ledger: PlatformLedger

    def take_over(self) -> None:
        """The first relay's lease runs out and the other process delivers everything due."""
        self.shop.clock.advance(LEASE + timedelta(seconds=1))
        self.other.process_pending()


def two_relays() -> TwoRelays:
    backend, clock, card, publisher = (
        MemoryBackend(),
        ManualClock(),
        InMemoryPaymentProvider(),
        RecordingPublisher(),
    )
    slow_card, ledger = SlowCard(card), PlatformLedger()

    def sales(stock: StockLedger) -> Sales:
        return Sales.in_memory(
            "acme",
            backend=backend,
            gateways={CARD: slow_card},
            publisher=publisher,
            clock=clock,
            stock=stock,
            effects="deferred",
            retry_policy=RETRY_POLICY,
            lease=LEASE,
        )

    first = sales(ledger)
    for sku, quantity in DEFAULT_STOCK.items():
        first.set_stock(sku, quantity)
    shop = Shop(
        name="acme", sales=first, clock=clock, card=card, publisher=publisher, backend=backend
    )
    return TwoRelays(shop=shop, other=sales(ledger), slow_card=slow_card, ledger=ledger)


def canceled(relays: TwoRelays) -> str:
    order = relays.shop.place()
    relays.shop.sales.process_pending()
    return relays.shop.sales.cancel_order(order.id).id


def test_a_late_timeout_does_not_overwrite_the_settlement_the_other_relay_made() -> None:
    relays = two_relays()
    refund_id = canceled(relays)
    relays.slow_card.slow_next(relays.take_over, then_time_out=True)

    relays.shop.sales.process_pending()

    refund = relays.shop.sales.get_refund_order(refund_id)
    assert (refund.payment_status, refund.payment_attempts) == (PaymentStatus.VOIDED, 1)
    assert refund.last_error is None
    assert relays.shop.publisher.of_type(EffectFailed) == []
    assert relays.shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert relays.shop.sales.pending_effects() == 0


def test_a_late_answer_does_not_settle_or_announce_the_payment_twice() -> None:
    relays = two_relays()
    refund_id = canceled(relays)
    settled_by_the_other: list[int] = []

    def remember_version() -> None:
        relays.take_over()
        settled_by_the_other.append(relays.shop.sales.get_refund_order(refund_id).version)

    relays.slow_card.slow_next(remember_version, then_time_out=False)

    assert relays.shop.sales.process_pending() == RelayReport(delivered=3)

    refund = relays.shop.sales.get_refund_order(refund_id)
    assert refund.payment_status is PaymentStatus.VOIDED
    assert [refund.version] == settled_by_the_other
    assert relays.shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert len(relays.shop.publisher.of_type(PaymentVoided)) == 1


def test_a_relay_that_comes_back_after_a_takeover_finds_the_refund_order_settled() -> None:
    relays = two_relays()
    refund_id = canceled(relays)
    relays.ledger.meanwhile(relays.take_over)  # the first relay hangs in its restock

    # restock, settle and publish: each found done, none failed
    assert relays.shop.sales.process_pending() == RelayReport(delivered=3)

    refund = relays.shop.sales.get_refund_order(refund_id)
    assert (refund.stock_status, refund.payment_status) == (
        StockStatus.DONE,
        PaymentStatus.VOIDED,
    )
    assert relays.ledger.levels() == DEFAULT_STOCK
    assert relays.shop.card.count(Operation.CANCEL_AUTHORIZATION) == 1
    assert len(relays.shop.publisher.of_type(StockRestored)) == 1
    assert len(relays.shop.publisher.of_type(PaymentVoided)) == 1
    assert relays.shop.sales.pending_effects() == 0
