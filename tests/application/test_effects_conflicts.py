"""An effect that loses a race for its refund order (another writer changed it between the
effect's read and its write) reads it again and decides again, up to five times in all;
after that the conflict is raised, and the effect is tried again later. Nothing the other
writer did is overwritten."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from order_cancellation import ConcurrencyConflict, PaymentStatus, RefundOrder, Sales, StockStatus
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    RecordingPublisher,
)
from order_cancellation.domain.events import EffectFailed
from order_cancellation.ports.persistence import (
    UnitOfWork,
)
from tests.application.harness import CARD, DEFAULT_STOCK, RETRY_POLICY, Shop
from tests.application.platform_ledger import PlatformLedger
from tests.wrapped_store import DelegatingUnitOfWork

LEASE = timedelta(seconds=60)
RIVALS_ERROR = "PaymentTemporarilyUnavailable: recorded by another relay"


class RacingStore:
    """The shop's store with a rival writer: the next ``n`` times a refund order is read,
    the rival records a payment failure on it right after the read, in a transaction of its
    own (as another relay would in that instant)."""

    def __init__(self, inner: MemoryBackend) -> None:
        self.inner = inner
        self.raced = 0
        self._races = 0

    def race_next(self, count: int) -> None:
        self._races += count

    def unit_of_work(self, shop: str) -> UnitOfWork:
        return _RacingUnitOfWork(self, shop)

    def _after_read(self, shop: str, refund_order_id: str) -> None:
        if not self._races:
            return
        self._races -= 1
        self.raced += 1
        with self.inner.unit_of_work(shop) as uow:
            refund = uow.refunds.get(refund_order_id)
            uow.refunds.update(refund.payment_failed(RIVALS_ERROR, dead=False))
            uow.commit()


class _RacingRefunds:
    def __init__(self, store: RacingStore, shop: str, uow: UnitOfWork) -> None:
        self._store, self._shop, self._uow = store, shop, uow

    def get(self, refund_order_id: str) -> RefundOrder:
        refund = self._uow.refunds.get(refund_order_id)
        self._store._after_read(self._shop, refund_order_id)
        return refund

    def add(self, refund: RefundOrder) -> None:
        self._uow.refunds.add(refund)

    def update(self, refund: RefundOrder) -> None:
        self._uow.refunds.update(refund)

    def list(self, *, order_id: str | None = None) -> Sequence[RefundOrder]:
        return self._uow.refunds.list(order_id=order_id)

    def created_between(self, start: datetime, end: datetime) -> Sequence[RefundOrder]:
        return self._uow.refunds.created_between(start, end)


class _RacingUnitOfWork(DelegatingUnitOfWork):
    def __init__(self, store: RacingStore, shop: str) -> None:
        super().__init__(store.inner.unit_of_work(shop))
        self._refunds = _RacingRefunds(store, shop, self.inner)

    @property
    def refunds(self) -> _RacingRefunds:
        return self._refunds


def racing_shop(ledger: PlatformLedger | None = None) -> tuple[Shop, RacingStore]:
    """The shop "acme", effects deferred, on a store with a rival writer."""
    memory, clock, card, publisher = (
        MemoryBackend(),
        ManualClock(),
        InMemoryPaymentProvider(),
        RecordingPublisher(),
    )
    store = RacingStore(memory)
    sales = Sales(
        shop="acme",
        backend=store,
        gateways={CARD: card},
        default_gateway=ManualPaymentGateway(),
        clock=clock,
        publisher=publisher,
        stock=ledger,
        effects="deferred",
        retry_policy=RETRY_POLICY,
    )
    for sku, quantity in DEFAULT_STOCK.items():
        sales.set_stock(sku, quantity)
    shop = Shop(
        name="acme", sales=sales, clock=clock, card=card, publisher=publisher, backend=memory
    )
    return shop, store


def canceled(shop: Shop) -> RefundOrder:
    """A canceled order's refund order, its effects not yet run."""
    order = shop.place()
    shop.sales.process_pending()
    return shop.sales.cancel_order(order.id)


@pytest.mark.parametrize("races", [1, 4])
def test_a_restock_that_loses_races_reads_again_and_keeps_the_rivals_changes(races: int) -> None:
    shop, store = racing_shop()
    refund = canceled(shop)
    store.race_next(races)

    shop.sales.process_pending()

    done = shop.sales.get_refund_order(refund.id)
    assert store.raced == races
    assert done.stock_status is StockStatus.DONE
    assert shop.sales.stock_levels() == DEFAULT_STOCK
    # The rival's failures are kept and counted; the payment then settled.
    assert (done.payment_status, done.payment_attempts) == (PaymentStatus.VOIDED, races + 1)


def test_a_restock_that_loses_five_races_in_a_row_fails_and_is_tried_again_later() -> None:
    shop, store = racing_shop()
    refund = canceled(shop)
    store.race_next(5)

    shop.sales.process_pending()

    assert store.raced == 5
    failed = shop.sales.get_refund_order(refund.id)
    assert failed.stock_status is StockStatus.FAILED_RETRYING
    (failure,) = [e for e in shop.publisher.of_type(EffectFailed) if isinstance(e, EffectFailed)]
    assert (failure.effect, failure.error.split(":")[0]) == ("restock", "ConcurrencyConflict")

    shop.settle_effects()

    assert shop.sales.get_refund_order(refund.id).stock_status is StockStatus.DONE
    assert shop.sales.stock_levels() == DEFAULT_STOCK


def test_a_failure_is_recorded_though_four_rivals_got_in_first() -> None:
    ledger = PlatformLedger()
    shop, store = racing_shop(ledger)
    refund = canceled(shop)
    ledger.fail_next(1)
    store.race_next(4)

    shop.sales.process_pending()

    assert store.raced == 4
    failed = shop.sales.get_refund_order(refund.id)
    assert failed.stock_status is StockStatus.FAILED_RETRYING
    assert failed.payment_status is PaymentStatus.VOIDED
    assert failed.payment_attempts == 5  # four rivals' failures, then the settlement


def test_a_failure_that_loses_five_races_is_raised_and_the_effect_taken_over_later() -> None:
    ledger = PlatformLedger()
    shop, store = racing_shop(ledger)
    refund = canceled(shop)
    ledger.fail_next(1)
    store.race_next(5)

    with pytest.raises(ConcurrencyConflict):
        shop.sales.process_pending()

    assert store.raced == 5
    assert shop.sales.get_refund_order(refund.id).stock_status is StockStatus.PENDING
    shop.clock.advance(LEASE + timedelta(seconds=1))
    shop.sales.process_pending()
    done = shop.sales.get_refund_order(refund.id)
    assert (done.stock_status, done.payment_status) == (StockStatus.DONE, PaymentStatus.VOIDED)
    assert ledger.levels() == DEFAULT_STOCK
