"""The listing and paging contract: every backend answers the queries with the same pages,
in the same order (newest first, ties by greater id), and pages see every item exactly once
while new ones are written. Part of :class:`~order_cancellation.testing.contracts.BackendContract`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder, SettlementResult
from order_cancellation.domain.states import OrderState
from order_cancellation.domain.values import LineItem
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.queries import (
    ListingQueries,
    OrderFilter,
    Position,
    RefundOrderFilter,
)

SHOP = "shop-a"
OTHER_SHOP = "shop-b"
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
T = TypeVar("T", Order, RefundOrder)


def _order(order_id: str, at: datetime, *skus: str, shop: str = SHOP) -> Order:
    return Order.place(
        order_id=order_id,
        shop=shop,
        items=[LineItem(sku, 1, Money.of("10.00", "EUR")) for sku in skus or ("SKU-1",)],
        payment=None,
        at=at,
    ).order


def _canceled(order: Order, refund_order_id: str, at: datetime) -> tuple[Order, RefundOrder]:
    decision = order.cancel(
        refund_order_id=refund_order_id,
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=False,
        at=at,
    )
    assert decision.refund_order is not None
    return decision.order, decision.refund_order


def _owed_by_hand(refund: RefundOrder) -> RefundOrder:
    return refund.settled(
        SettlementResult(
            status=PaymentStatus.MANUAL_REFUND_REQUIRED,
            refunded=Money.zero("EUR"),
            released=Money.zero("EUR"),
            manual=refund.amount,
        )
    )


def _settled(refund: RefundOrder) -> RefundOrder:
    zero = Money.zero("EUR")
    return refund.settled(
        SettlementResult(
            status=PaymentStatus.NOT_REQUIRED, refunded=zero, released=zero, manual=zero
        )
    )


def _all_pages(
    fetch: Callable[[Position | None], Sequence[T]], position: Callable[[T], Position]
) -> list[list[str]]:
    pages: list[list[str]] = []
    after: Position | None = None
    while True:
        page = list(fetch(after))
        if not page:
            return pages
        pages.append([item.id for item in page])
        after = position(page[-1])


class ListingContract:
    """Provide ``backend`` (a fresh, empty store)."""

    def _write(self, backend: Backend, *records: Order | RefundOrder, shop: str = SHOP) -> None:
        with backend.unit_of_work(shop) as uow:
            for record in records:
                if isinstance(record, Order):
                    uow.orders.add(record)
                else:
                    uow.refunds.add(record)
            uow.commit()

    def _query(self, backend: Backend, ask: Callable[[ListingQueries], Sequence[T]]) -> list[T]:
        with backend.unit_of_work(SHOP) as uow:
            return list(ask(uow.queries))

    def _orders(self, backend: Backend, where: OrderFilter, limit: int = 50) -> list[str]:
        found = self._query(backend, lambda q: q.orders(where, limit=limit, after=None))
        return [order.id for order in found]

    def test_orders_are_paged_newest_first_with_ties_by_greater_id(self, backend: Backend) -> None:
        self._write(
            backend,
            _order("o-a", T0),
            _order("o-c", T0 + timedelta(hours=1)),
            _order("o-b", T0 + timedelta(hours=1)),
            _order("o-d", T0 - timedelta(days=1)),
            _order("o-e", T0 + timedelta(hours=1)),
        )

        pages = _all_pages(
            lambda after: self._query(
                backend, lambda q: q.orders(OrderFilter(), limit=2, after=after)
            ),
            lambda order: Position(order.placed_at, order.id),
        )

        assert pages == [["o-e", "o-c"], ["o-b", "o-a"], ["o-d"]]

    def test_orders_are_filtered_by_state_sku_and_time(self, backend: Backend) -> None:
        canceled, refund = _canceled(_order("o-2", T0, "MUG"), "r-2", T0)
        self._write(backend, _order("o-1", T0, "MUG", "CUP"), _order("o-3", T0 + timedelta(days=2)))
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.add(_order("o-2", T0, "MUG"))
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.update(canceled)
            uow.refunds.add(refund)
            uow.commit()

        assert self._orders(backend, OrderFilter(state=OrderState.OPEN)) == ["o-3", "o-1"]
        assert self._orders(backend, OrderFilter(state=OrderState.CANCELED)) == ["o-2"]
        assert self._orders(backend, OrderFilter(sku="MUG")) == ["o-2", "o-1"]
        assert self._orders(backend, OrderFilter(sku="CUP")) == ["o-1"]
        assert self._orders(backend, OrderFilter(sku="NONE")) == []
        later = T0 + timedelta(days=1)
        assert self._orders(backend, OrderFilter(placed_from=later)) == ["o-3"]
        assert self._orders(backend, OrderFilter(placed_to=later)) == ["o-2", "o-1"]
        assert self._orders(backend, OrderFilter(placed_from=T0, placed_to=T0)) == []
        pending = OrderFilter(payment_status=PaymentStatus.PENDING)
        assert self._orders(backend, pending) == ["o-2"]

    def test_refund_orders_are_paged_newest_first_and_filtered_by_what_is_owed(
        self, backend: Backend
    ) -> None:
        records: list[Order | RefundOrder] = []
        for n in range(5):
            _, refund = _canceled(_order(f"o-{n}", T0), f"r-{n}", T0 + timedelta(minutes=n % 3))
            records += [_order(f"o-{n}", T0), refund]
        self._write(backend, *records)
        with backend.unit_of_work(SHOP) as uow:
            uow.refunds.update(_settled(uow.refunds.get("r-1")))
            uow.refunds.update(_owed_by_hand(uow.refunds.get("r-3")))
            uow.commit()

        def ids(where: RefundOrderFilter, limit: int = 50) -> list[list[str]]:
            return _all_pages(
                lambda after: self._query(
                    backend, lambda q: q.refund_orders(where, limit=limit, after=after)
                ),
                lambda refund: Position(refund.created_at, refund.id),
            )

        assert ids(RefundOrderFilter(), limit=2) == [["r-2", "r-4"], ["r-1", "r-3"], ["r-0"]]
        assert ids(RefundOrderFilter(pending=True)) == [["r-2", "r-4", "r-3", "r-0"]]
        assert ids(RefundOrderFilter(pending=False)) == [["r-1"]]
        assert ids(RefundOrderFilter(order_id="o-4")) == [["r-4"]]
        owed = self._query(backend, lambda q: q.manual_refunds_owed())
        assert [refund.id for refund in owed] == ["r-3"]

    def test_manual_refunds_owed_are_listed_oldest_first(self, backend: Backend) -> None:
        records: list[Order | RefundOrder] = []
        for n, minutes in enumerate((5, 1, 3)):
            _, refund = _canceled(_order(f"o-{n}", T0), f"r-{n}", T0 + timedelta(minutes=minutes))
            records += [_order(f"o-{n}", T0), _owed_by_hand(refund)]
        self._write(backend, *records)

        owed = self._query(backend, lambda q: q.manual_refunds_owed())

        assert [refund.id for refund in owed] == ["r-1", "r-2", "r-0"]

    def test_listings_see_only_their_own_shop(self, backend: Backend) -> None:
        self._write(backend, _order("o-1", T0))
        self._write(backend, _order("o-other", T0, shop=OTHER_SHOP), shop=OTHER_SHOP)

        assert self._orders(backend, OrderFilter()) == ["o-1"]
        assert self._orders(backend, OrderFilter(sku="SKU-1")) == ["o-1"]

    @pytest.mark.parametrize("limit", [1, 7])
    def test_pages_see_every_order_once_while_new_orders_are_written(
        self, backend: Backend, limit: int
    ) -> None:
        existing = [_order(f"o-{n:03}", T0 + timedelta(seconds=n % 10)) for n in range(40)]
        self._write(backend, *existing)
        stop = threading.Event()

        def write_more() -> None:
            n = 0
            while not stop.is_set() and n < 200:
                # New orders land before, among and after the pages already read.
                self._write(backend, _order(f"new-{n:03}", T0 + timedelta(seconds=n % 13 - 1)))
                n += 1

        writer = threading.Thread(target=write_more)
        writer.start()
        try:
            pages = _all_pages(
                lambda after: self._query(
                    backend, lambda q: q.orders(OrderFilter(), limit=limit, after=after)
                ),
                lambda order: Position(order.placed_at, order.id),
            )
        finally:
            stop.set()
            writer.join()

        seen = [order_id for page in pages for order_id in page]
        assert len(seen) == len(set(seen))
        assert {order.id for order in existing} <= set(seen)
