"""Contract suites: what every adapter of the storage ports must do.

Subclass a suite in a test module (the name must start with ``Test``) and provide a
``backend`` fixture that yields a fresh, empty store::

    from order_cancellation.testing.contracts import BackendContract

    class TestMyBackend(BackendContract):
        @pytest.fixture
        def backend(self):
            store = MyBackend(...)
            yield store
            store.close()

The library runs these same suites against its in-memory, SQLite and PostgreSQL backends.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    InsufficientStock,
    OrderNotFound,
    RefundOrderNotFound,
    StockLevelOutOfRange,
)
from order_cancellation.domain.events import OrderPlaced
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.stock import (
    STORABLE_STOCK_LEVEL,
    MovementKey,
    MovementKind,
    StockMovement,
)
from order_cancellation.domain.values import LineItem, PaymentRef
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import IdempotencyRecord, MessageStatus, OutboxMessage
from order_cancellation.testing.listing_contracts import ListingContract
from order_cancellation.testing.record_contracts import RealOrderRecordsContract
from order_cancellation.testing.token_contracts import ApiTokensContract
from order_cancellation.testing.webhook_contracts import WebhookEndpointsContract

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHOP = "shop-a"
OTHER_SHOP = "shop-b"


def sample_order(order_id: str = "o-1", *, shop: str = SHOP, at: datetime = T0) -> Order:
    return Order.place(
        order_id=order_id,
        shop=shop,
        items=[
            LineItem("SKU-1", 2, Money.of("12.50", "EUR")),
            LineItem("SKU-2", 1, Money.of("5.00", "EUR")),
        ],
        payment=PaymentRef(provider="klarna", reference=f"k-{order_id}"),
        at=at,
    ).order


def sample_refund(order: Order, refund_order_id: str = "r-1", *, at: datetime = T0) -> RefundOrder:
    decision = order.cancel(
        refund_order_id=refund_order_id,
        status="Canceled",
        reason="customer asked",
        reason_code=None,
        actor="staff-1",
        restock=True,
        at=at,
    )
    assert decision.refund_order is not None
    return decision.refund_order


def sample_message(
    message_id: str = "m-1", *, at: datetime = T0, refund_order_id: str | None = None
) -> OutboxMessage:
    order = sample_order()
    event = OrderPlaced(
        shop=SHOP, order_id=order.id, occurred_at=at, lines=(), total=order.total, payment=None
    )
    return OutboxMessage(
        id=message_id,
        handler="publish",
        event=event,
        created_at=at,
        available_at=at,
        refund_order_id=refund_order_id,
    )


class BackendContract(
    RealOrderRecordsContract, ListingContract, WebhookEndpointsContract, ApiTokensContract
):
    """Provide ``backend``; every test below (and those of the suites it includes) runs
    against it."""

    @pytest.fixture
    def backend(self) -> Backend:
        raise NotImplementedError("provide a 'backend' fixture yielding a fresh, empty store")

    # -- orders ----------------------------------------------------------------------------------

    def test_an_added_order_is_read_back_equal(self, backend: Backend) -> None:
        order = sample_order()
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.add(order)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(order.id) == order

    def test_an_unknown_order_is_not_found(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow, pytest.raises(OrderNotFound):
            uow.orders.get("missing")

    def test_leaving_without_commit_writes_nothing(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.add(sample_order())
            uow.stock.set_level("SKU-1", 5)
        with backend.unit_of_work(SHOP) as uow:
            with pytest.raises(OrderNotFound):
                uow.orders.get("o-1")
            assert uow.stock.level("SKU-1") == 0

    def test_an_exception_inside_the_unit_of_work_rolls_it_back(self, backend: Backend) -> None:
        with pytest.raises(RuntimeError), backend.unit_of_work(SHOP) as uow:
            uow.orders.add(sample_order())
            raise RuntimeError("boom")
        with backend.unit_of_work(SHOP) as uow, pytest.raises(OrderNotFound):
            uow.orders.get("o-1")

    def test_adding_an_existing_order_id_conflicts(self, backend: Backend) -> None:
        self._store(backend, sample_order())
        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.orders.add(sample_order())
            uow.commit()

    def test_an_update_from_the_stored_version_is_saved(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        canceled = sample_refund_decision_order(order)
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.update(canceled)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            stored = uow.orders.get(order.id)
        assert stored == canceled
        assert stored.version == order.version + 1

    def test_a_stale_update_conflicts_and_persists_nothing(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        first = order.fulfill({"L1": 1}, at=T0)
        second = order.fulfill({"L2": 1}, at=T0)
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.update(first.order)
            uow.commit()
        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.orders.update(second.order)
            uow.refunds.add(sample_refund(order, "r-stale"))
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(order.id) == first.order
            assert list(uow.refunds.list()) == []

    def test_concurrent_updates_of_one_version_let_exactly_one_win(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        outcomes: list[str] = []
        lock = threading.Lock()

        def update(quantities: dict[str, int]) -> None:
            decision = order.fulfill(quantities, at=T0)
            try:
                with backend.unit_of_work(SHOP) as uow:
                    uow.orders.update(decision.order)
                    uow.commit()
                outcome = "won"
            except ConcurrencyConflict:
                outcome = "lost"
            with lock:
                outcomes.append(outcome)

        threads = [threading.Thread(target=update, args=({"L1": 1 + n % 2},)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["lost"] * 7 + ["won"]

    def test_orders_are_listed_by_placement_time(self, backend: Backend) -> None:
        early = sample_order("o-early", at=T0)
        late = sample_order("o-late", at=T0 + timedelta(hours=5))
        outside = sample_order("o-outside", at=T0 + timedelta(days=1))
        for order in (late, outside, early):
            self._store(backend, order)
        with backend.unit_of_work(SHOP) as uow:
            found = uow.orders.placed_between(T0, T0 + timedelta(days=1))
        assert [order.id for order in found] == ["o-early", "o-late"]

    def test_ids_with_quotes_semicolons_and_placeholders_are_stored_unchanged(
        self, backend: Backend
    ) -> None:
        tricky = "o'; DROP TABLE orders; --%s%(x)s\""
        self._store(backend, sample_order(tricky))
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(tricky).id == tricky
            with pytest.raises(OrderNotFound):
                uow.orders.get("o'")

    # -- refund orders ---------------------------------------------------------------------------

    def test_refund_orders_are_found_by_id_and_by_order(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        refund = sample_refund(order)
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.add(refund)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.refunds.get(refund.id) == refund
            assert list(uow.refunds.list(order_id=order.id)) == [refund]
            assert list(uow.refunds.list(order_id="other")) == []
            assert list(uow.refunds.created_between(T0, T0 + timedelta(seconds=1))) == [refund]
            with pytest.raises(RefundOrderNotFound):
                uow.refunds.get("missing")

    def test_refund_orders_are_listed_newest_first(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        older = sample_refund(order, "r-old", at=T0)
        newer = sample_refund(order, "r-new", at=T0 + timedelta(minutes=1))
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.add(older)
            uow.refunds.add(newer)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert [refund.id for refund in uow.refunds.list()] == ["r-new", "r-old"]

    def test_a_stale_refund_order_update_conflicts(self, backend: Backend) -> None:
        refund = sample_refund(self._store(backend, sample_order()))
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.add(refund)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.update(refund.stock_restored())
            uow.commit()
        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.refunds.update(refund.payment_failed("timeout", dead=False))
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.refunds.get(refund.id) == refund.stock_restored()

    # -- labels and idempotency keys -------------------------------------------------------------

    def test_defined_labels_join_the_defaults(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.labels.define("Canceled - out of stock", OrderState.CANCELED)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            catalog = uow.labels.catalog()
        assert catalog.meaning("Canceled - out of stock") is OrderState.CANCELED
        assert catalog.meaning("Canceled") is OrderState.CANCELED

    def test_an_idempotency_key_is_stored_once(self, backend: Backend) -> None:
        record = IdempotencyRecord(key="k-1", fingerprint="f", result_id="o-1", created_at=T0)
        with backend.unit_of_work(SHOP) as uow:
            assert uow.idempotency.get("k-1") is None
            uow.idempotency.add(record)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.idempotency.get("k-1") == record
        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.idempotency.add(record)
            uow.commit()

    # -- shops -----------------------------------------------------------------------------------

    def test_one_shop_never_sees_another_shops_records(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        refund = sample_refund(order)
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.add(refund)
            uow.labels.define("Canceled - fraud", OrderState.CANCELED)
            uow.idempotency.add(
                IdempotencyRecord(key="k", fingerprint="f", result_id="o-1", created_at=T0)
            )
            uow.outbox.add([sample_message(refund_order_id=refund.id)])
            uow.stock.set_level("SKU-1", 7)
            uow.commit()
        with backend.unit_of_work(OTHER_SHOP) as uow:
            with pytest.raises(OrderNotFound):
                uow.orders.get(order.id)
            with pytest.raises(RefundOrderNotFound):
                uow.refunds.get(refund.id)
            assert list(uow.refunds.list()) == []
            assert list(uow.orders.placed_between(T0, T0 + timedelta(days=1))) == []
            assert "Canceled - fraud" not in uow.labels.catalog().labels
            assert uow.idempotency.get("k") is None
            assert list(uow.outbox.pending()) == []
            assert list(uow.outbox.for_refund_order(refund.id)) == []
            assert uow.outbox.claim(now=T0, limit=10, lease=timedelta(minutes=1), worker="w") == []
            assert uow.stock.level("SKU-1") == 0

    def test_one_shop_cannot_change_another_shops_order(self, backend: Backend) -> None:
        order = self._store(backend, sample_order())
        with (
            pytest.raises((OrderNotFound, ConcurrencyConflict)),
            backend.unit_of_work(OTHER_SHOP) as uow,
        ):
            uow.orders.update(sample_refund_decision_order(order))
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(order.id) == order

    def test_two_shops_may_use_the_same_ids(self, backend: Backend) -> None:
        mine = self._store(backend, sample_order("same"))
        theirs = sample_order("same", shop=OTHER_SHOP)
        with backend.unit_of_work(OTHER_SHOP) as uow:
            uow.orders.add(theirs)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get("same") == mine

    # -- stock -----------------------------------------------------------------------------------

    def test_an_unknown_sku_has_no_stock(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("never-seen") == 0

    def test_a_movement_is_applied_once_however_often_it_is_delivered(
        self, backend: Backend
    ) -> None:
        movement = _movement("o-1", "L1", MovementKind.CANCEL_RESTOCK, "SKU-1", 3)
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 10)
            uow.commit()
        applied = []
        for _ in range(3):
            with backend.unit_of_work(SHOP) as uow:
                applied.append(uow.stock.apply([movement]))
                uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("SKU-1") == 13
            assert uow.stock.applied(movement.key)
        assert applied == [1, 0, 0]

    def test_movements_that_would_go_below_zero_apply_none(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 5)
            uow.stock.set_level("SKU-2", 1)
            uow.commit()
        take = [
            _movement("o-1", "L1", MovementKind.SALE, "SKU-1", -2),
            _movement("o-1", "L2", MovementKind.SALE, "SKU-2", -2),
        ]
        with pytest.raises(InsufficientStock), backend.unit_of_work(SHOP) as uow:
            uow.stock.apply(take)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert dict(uow.stock.levels()) == {"SKU-1": 5, "SKU-2": 1}
            assert not uow.stock.applied(take[0].key)

    def test_a_restock_past_the_storable_level_is_refused_and_applies_nothing(
        self, backend: Backend
    ) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", STORABLE_STOCK_LEVEL)
            uow.commit()
        back = _movement("o-1", "L1", MovementKind.CANCEL_RESTOCK, "SKU-1", 1)
        with pytest.raises(StockLevelOutOfRange), backend.unit_of_work(SHOP) as uow:
            uow.stock.apply([back])
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("SKU-1") == STORABLE_STOCK_LEVEL
            assert not uow.stock.applied(back.key)

    def test_set_level_overrides_the_count(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 5)
            uow.stock.apply([_movement("o-1", "L1", MovementKind.SALE, "SKU-1", -2)])
            uow.stock.set_level("SKU-1", 40)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("SKU-1") == 40

    # -- outbox ----------------------------------------------------------------------------------

    def test_a_claimed_message_is_leased_to_its_worker(self, backend: Backend) -> None:
        self._add_messages(backend, sample_message("m-1"))
        first = self._claim(backend, T0, worker="w1")
        second = self._claim(backend, T0 + timedelta(seconds=30), worker="w2")
        assert [(m.id, m.leased_by) for m in first] == [("m-1", "w1")]
        assert second == []

    def test_a_lease_that_ran_out_is_taken_over(self, backend: Backend) -> None:
        self._add_messages(backend, sample_message("m-1"))
        self._claim(backend, T0, worker="w1")
        taken = self._claim(backend, T0 + timedelta(minutes=2), worker="w2")
        assert [(m.id, m.leased_by) for m in taken] == [("m-1", "w2")]

    def test_messages_are_claimed_oldest_first_up_to_the_limit(self, backend: Backend) -> None:
        messages = [sample_message(f"m-{n}", at=T0 + timedelta(seconds=n)) for n in range(5)]
        self._add_messages(backend, *messages)
        claimed = self._claim(backend, T0 + timedelta(minutes=1), worker="w", limit=3)
        assert [m.id for m in claimed] == ["m-0", "m-1", "m-2"]

    def test_a_message_not_yet_due_is_not_claimed(self, backend: Backend) -> None:
        self._add_messages(backend, sample_message("m-1", at=T0 + timedelta(hours=1)))
        assert self._claim(backend, T0, worker="w") == []

    def test_a_completed_message_is_neither_pending_nor_claimed(self, backend: Backend) -> None:
        self._add_messages(backend, sample_message("m-1"))
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.complete("m-1")
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.outbox.pending()) == []
            assert uow.outbox.get("m-1").status is MessageStatus.DONE
        assert self._claim(backend, T0 + timedelta(hours=1), worker="w") == []

    def test_a_failed_attempt_waits_for_its_retry_time(self, backend: Backend) -> None:
        self._add_messages(backend, sample_message("m-1"))
        self._claim(backend, T0, worker="w")
        retry_at = T0 + timedelta(minutes=10)
        with backend.unit_of_work(SHOP) as uow:
            failed = uow.outbox.attempt_failed("m-1", error="timeout", now=T0, retry_at=retry_at)
            uow.commit()
        assert (failed.attempts, failed.status, failed.last_error) == (
            1,
            MessageStatus.PENDING,
            "timeout",
        )
        assert self._claim(backend, T0 + timedelta(minutes=9), worker="w") == []
        again = self._claim(backend, retry_at, worker="w")
        assert [(m.id, m.attempts, m.first_attempt_at) for m in again] == [("m-1", 1, T0)]

    def test_a_dead_lettered_message_waits_until_revived(self, backend: Backend) -> None:
        self._add_messages(backend, sample_message("m-1", refund_order_id="r-1"))
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.attempt_failed("m-1", error="refused", now=T0, retry_at=None)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.outbox.get("m-1").status is MessageStatus.DEAD
            assert list(uow.outbox.pending()) == []
            assert [m.id for m in uow.outbox.for_refund_order("r-1")] == ["m-1"]
        assert self._claim(backend, T0 + timedelta(days=1), worker="w") == []
        later = T0 + timedelta(days=2)
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.revive("m-1", now=later)
            uow.commit()
        revived = self._claim(backend, later, worker="w")
        assert [(m.id, m.attempts, m.status) for m in revived] == [
            ("m-1", 1, MessageStatus.PENDING)
        ]

    def test_a_message_keeps_its_event(self, backend: Backend) -> None:
        message = sample_message("m-1")
        self._add_messages(backend, message)
        with backend.unit_of_work(SHOP) as uow:
            assert uow.outbox.get("m-1").event == message.event

    def test_concurrent_claims_never_hand_one_message_to_two_workers(
        self, backend: Backend
    ) -> None:
        self._add_messages(
            backend,
            *(sample_message(f"m-{n}", at=T0 + timedelta(microseconds=n)) for n in range(40)),
        )
        claimed: list[str] = []
        lock = threading.Lock()

        def worker(name: str) -> None:
            while True:
                batch = self._claim(backend, T0 + timedelta(seconds=1), worker=name, limit=3)
                if not batch:
                    return
                with lock:
                    claimed.extend(m.id for m in batch)

        threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(claimed) == sorted(f"m-{n}" for n in range(40))

    # -- helpers ---------------------------------------------------------------------------------

    def _store(self, backend: Backend, order: Order) -> Order:
        with backend.unit_of_work(order.shop) as uow:
            uow.orders.add(order)
            uow.commit()
        return order

    def _add_messages(self, backend: Backend, *messages: OutboxMessage) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.add(list(messages))
            uow.commit()

    def _claim(
        self, backend: Backend, now: datetime, *, worker: str, limit: int = 10
    ) -> list[OutboxMessage]:
        with backend.unit_of_work(SHOP) as uow:
            claimed = list(
                uow.outbox.claim(now=now, limit=limit, lease=timedelta(minutes=1), worker=worker)
            )
            uow.commit()
        return claimed


def sample_refund_decision_order(order: Order) -> Order:
    """The order as a cancel leaves it (version + 1)."""
    return order.cancel(
        refund_order_id="r-x",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=True,
        at=T0,
    ).order


def _movement(
    order_id: str, line_id: str, kind: MovementKind, sku: str, delta: int
) -> StockMovement:
    return StockMovement(
        key=MovementKey(order_id=order_id, line_id=line_id, kind=kind), sku=sku, delta=delta
    )
