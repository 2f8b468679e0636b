"""Contract suite of the records a unit of work keeps: orders, refund orders, status labels
and idempotency keys, each shop apart from the others.

Part of :class:`~order_cancellation.testing.contracts.BackendContract`; provide the same
``backend`` fixture to use it alone.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import attrs
import pytest

from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    OrderNotFound,
    RefundOrderNotFound,
)
from order_cancellation.domain.states import OrderState
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import IdempotencyRecord
from order_cancellation.testing.samples import (
    OTHER_SHOP,
    SHOP,
    T0,
    refused,
    sample_message,
    sample_order,
    sample_refund,
    sample_refund_decision_order,
    store,
)


class OrderRecordsContract:
    """Provide ``backend``: a fresh, empty store."""

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
        store(backend, sample_order())
        with pytest.raises(ConcurrencyConflict), backend.unit_of_work(SHOP) as uow:
            uow.orders.add(sample_order())
            uow.commit()

    def test_an_update_from_the_stored_version_is_saved(self, backend: Backend) -> None:
        order = store(backend, sample_order())
        canceled = sample_refund_decision_order(order)
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.update(canceled)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            stored = uow.orders.get(order.id)
        assert stored == canceled
        assert stored.version == order.version + 1

    def test_a_stale_update_conflicts_and_persists_nothing(self, backend: Backend) -> None:
        order = store(backend, sample_order())
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
        order = store(backend, sample_order())
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
            store(backend, order)
        with backend.unit_of_work(SHOP) as uow:
            found = uow.orders.placed_between(T0, T0 + timedelta(days=1))
        assert [order.id for order in found] == ["o-early", "o-late"]

    def test_ids_with_quotes_semicolons_and_placeholders_are_stored_unchanged(
        self, backend: Backend
    ) -> None:
        tricky = "o'; DROP TABLE orders; --%s%(x)s\""
        store(backend, sample_order(tricky))
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(tricky).id == tricky
            with pytest.raises(OrderNotFound):
                uow.orders.get("o'")

    # -- refund orders ---------------------------------------------------------------------------

    def test_refund_orders_are_found_by_id_and_by_order(self, backend: Backend) -> None:
        order = store(backend, sample_order())
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
        order = store(backend, sample_order())
        older = sample_refund(order, "r-old", at=T0)
        newer = sample_refund(order, "r-new", at=T0 + timedelta(minutes=1))
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.add(older)
            uow.refunds.add(newer)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert [refund.id for refund in uow.refunds.list()] == ["r-new", "r-old"]

    def test_a_stale_refund_order_update_conflicts(self, backend: Backend) -> None:
        refund = sample_refund(store(backend, sample_order()))
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

    def test_an_updated_refund_order_is_found_by_its_new_order_and_creation_time(
        self, backend: Backend
    ) -> None:
        order, other = store(backend, sample_order("o-1")), store(backend, sample_order("o-2"))
        refund = sample_refund(order)
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.add(refund)
            uow.commit()
        later = T0 + timedelta(days=1)
        moved = attrs.evolve(refund.stock_restored(), order_id=other.id, created_at=later)
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.update(moved)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.refunds.list(order_id=other.id)) == [moved]
            assert list(uow.refunds.list(order_id=order.id)) == []
            assert list(uow.refunds.created_between(later, later + timedelta(seconds=1))) == [moved]

    def test_a_refund_order_of_an_order_the_shop_does_not_hold_is_refused(
        self, backend: Backend
    ) -> None:
        theirs = sample_refund(store(backend, sample_order("o-theirs", shop=OTHER_SHOP)))
        assert refused(backend, lambda uow: uow.refunds.add(theirs), OrderNotFound) == 1
        with backend.unit_of_work(SHOP) as uow:
            assert list(uow.refunds.list()) == []

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
        order = store(backend, sample_order())
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
        order = store(backend, sample_order())
        with (
            pytest.raises((OrderNotFound, ConcurrencyConflict)),
            backend.unit_of_work(OTHER_SHOP) as uow,
        ):
            uow.orders.update(sample_refund_decision_order(order))
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(order.id) == order

    def test_two_shops_may_use_the_same_ids(self, backend: Backend) -> None:
        mine = store(backend, sample_order("same"))
        theirs = sample_order("same", shop=OTHER_SHOP)
        with backend.unit_of_work(OTHER_SHOP) as uow:
            uow.orders.add(theirs)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get("same") == mine
