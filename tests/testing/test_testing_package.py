"""The shipped testing package at its edges: the contract suite accepts a backend that
reports conflicts at commit (as the ports allow), and the strategies refuse arguments that
leave nothing to draw."""

from __future__ import annotations

from datetime import UTC, datetime
from types import TracebackType
from typing import Any, cast

import pytest
from hypothesis import find, given
from hypothesis.errors import Unsatisfiable

from order_cancellation.adapters.memory import MemoryBackend, MemoryUnitOfWork
from order_cancellation.domain.errors import ConcurrencyConflict, InsufficientStock, NotFound
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.values import LineItem, ReasonCode
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import (
    IdempotencyStore,
    OrderRepository,
    Outbox,
    RefundOrderRepository,
    StatusLabelRepository,
)
from order_cancellation.ports.stock import StockLedger
from order_cancellation.testing import strategies as ocst
from order_cancellation.testing.contracts import BackendContract
from tests.wrapped_store import DelegatingUnitOfWork

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

_CHECKED_AT_COMMIT = frozenset({"add", "update", "apply"})
"""Writes whose refusal a database with deferred constraints reports only at commit."""


class _RefusalsAtCommit:
    """One repository of a unit of work: a refused write is remembered, not raised."""

    def __init__(self, inner: object, refusals: list[Exception]) -> None:
        self._inner = inner
        self._refusals = refusals

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in _CHECKED_AT_COMMIT:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            try:
                return attribute(*args, **kwargs)
            except (ConcurrencyConflict, InsufficientStock, NotFound) as refusal:
                self._refusals.append(refusal)
                return None

        return write


class ConflictsAtCommitUnitOfWork(DelegatingUnitOfWork):
    """The in-memory unit of work, reporting refused writes when asked to commit."""

    def __init__(self, inner: MemoryUnitOfWork) -> None:
        super().__init__(inner)
        self._refusals: list[Exception] = []

    def _deferred(self, repository: object) -> Any:
        return _RefusalsAtCommit(repository, self._refusals)

    @property
    def orders(self) -> OrderRepository:
        return cast(OrderRepository, self._deferred(self.inner.orders))

    @property
    def refunds(self) -> RefundOrderRepository:
        return cast(RefundOrderRepository, self._deferred(self.inner.refunds))

    @property
    def labels(self) -> StatusLabelRepository:
        return cast(StatusLabelRepository, self._deferred(self.inner.labels))

    @property
    def idempotency(self) -> IdempotencyStore:
        return cast(IdempotencyStore, self._deferred(self.inner.idempotency))

    @property
    def outbox(self) -> Outbox:
        return cast(Outbox, self._deferred(self.inner.outbox))

    @property
    def stock(self) -> StockLedger:
        return cast(StockLedger, self._deferred(self.inner.stock))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._refusals.clear()
        super().__exit__(exc_type, exc, tb)

    def commit(self) -> None:
        if self._refusals:
            raise self._refusals[0]
        super().commit()

    def rollback(self) -> None:
        self._refusals.clear()
        super().rollback()


class ConflictsAtCommitBackend:
    def __init__(self) -> None:
        self._inner = MemoryBackend()

    def unit_of_work(self, shop: str) -> ConflictsAtCommitUnitOfWork:
        return ConflictsAtCommitUnitOfWork(self._inner.unit_of_work(shop))


class TestABackendReportingConflictsAtCommitPassesTheContract(BackendContract):
    @pytest.fixture
    def backend(self) -> Backend:
        return ConflictsAtCommitBackend()


def test_a_currency_exponent_no_currency_has_is_refused() -> None:
    with pytest.raises(ValueError, match=r"no currency has a minor-unit exponent in \[7\]"):
        ocst.currencies(exponents=[7])


def test_an_empty_sku_pool_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one SKU"):
        ocst.skus(pool=[])


@given(ocst.reason_codes(as_text=False))
def test_reason_codes_not_as_text_are_members_or_none(code: ReasonCode | str | None) -> None:
    assert code is None or isinstance(code, ReasonCode)


def _placed_order() -> Order:
    return Order.place(
        order_id="o-1",
        shop="acme",
        items=[LineItem("MUG", 2, Money.of("12.50", "EUR"))],
        payment=None,
        at=PLACED,
    ).order


def test_nothing_is_drawn_to_fulfill_of_an_order_that_shipped_everything() -> None:
    shipped = _placed_order().fulfill({"MUG": 2}, at=PLACED).order

    with pytest.raises(Unsatisfiable, match="impossible to satisfy"):
        find(ocst.fulfill_quantities(shipped), lambda _: True)


def test_nothing_is_drawn_to_return_of_an_order_that_shipped_nothing() -> None:
    with pytest.raises(Unsatisfiable, match="impossible to satisfy"):
        find(ocst.return_quantities(_placed_order()), lambda _: True)
