"""Odd input refused the same way on memory, SQLite and PostgreSQL: a typed error with a
message that says what to do, and nothing changed (orders, refund orders, stock, outbox,
published events, calls to the payment provider)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from order_cancellation import (
    InvalidInput,
    InvalidMoney,
    LineItem,
    Money,
    OrderAlreadyExists,
    OrderCancellationError,
    OrderFulfilledError,
    Sales,
    UnknownLine,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider, RecordingPublisher
from order_cancellation.domain.stock import MAX_STOCK_LEVEL
from tests.application.harness import CARD, RETRY_POLICY, eur, mug_and_tee
from tests.backends.conftest import BackendFactory
from tests.backends.verification.test_invalid_commands import World

FACTORIES: dict[str, Callable[..., Sales]] = {
    "memory": Sales.in_memory,
    "sqlite": Sales.sqlite,
    "postgres": Sales.postgres,
}


class Shop:
    """The invalid-commands world, plus an order whose line L1 has the SKU "L2"."""

    def __init__(self, world: World, publisher: RecordingPublisher) -> None:
        self.world = world
        self.sales = world.sales
        self._publisher = publisher
        self.sales.set_stock("L2", 3)
        tricky = self.sales.place_order(
            [LineItem("L2", 1, eur("1.00")), LineItem("MUG", 1, eur("9.00"))]
        )
        self.tricky = self.sales.fulfill(tricky.id)
        self.sales.process_pending()

    def observe(self) -> object:
        return self.world.observe(self._publisher), self.sales.get_order(self.tricky.id).version


@pytest.fixture
def shop(backend_name: str, backend_factory: BackendFactory) -> Iterator[Shop]:
    clock, card, publisher = ManualClock(), InMemoryPaymentProvider(), RecordingPublisher()
    backend = backend_factory()
    options: dict[str, Any] = {
        "gateways": {CARD: card},
        "publisher": publisher,
        "clock": clock,
        "effects": "deferred",
        "retry_policy": RETRY_POLICY,
    }
    sales = FACTORIES[backend_name](shop="acme", backend=backend, **options)
    yield Shop(World(sales, backend, clock, card), publisher)
    sales.close()


def _refused(
    shop: Shop, error: type[OrderCancellationError], message: str, command: Callable[[], object]
) -> None:
    before = shop.observe()

    with pytest.raises(error, match=message):
        command()

    assert shop.observe() == before


@pytest.mark.parametrize("quantity", [10**9 + 1, 2**64], ids=["just-above", "2**64"])
@pytest.mark.parametrize("command", ["place", "fulfill", "return"])
def test_a_quantity_beyond_the_bound_is_invalid_input(
    shop: Shop, command: str, quantity: int
) -> None:
    w = shop.world
    commands: dict[str, Callable[[], object]] = {
        "place": lambda: shop.sales.place_order([LineItem("MUG", quantity, eur("1"))]),
        "fulfill": lambda: shop.sales.fulfill(w.open.id, {"MUG": quantity}),
        "return": lambda: shop.sales.create_return(w.shipped.id, {"MUG": quantity}),
    }

    _refused(shop, InvalidInput, r"at most 1,000,000,000", commands[command])


def test_an_order_total_beyond_the_money_bound_is_invalid_money(shop: Shop) -> None:
    price = Money.of("10000000000.00", "EUR")  # 10**12 cents: fine alone, not 10**9 times

    _refused(
        shop,
        InvalidMoney,
        "beyond the 1,000,000,000,000,000 minor units",
        lambda: shop.sales.place_order([LineItem("MUG", 10**9, price)]),
    )


def test_a_restock_above_the_settable_level_is_stored_alike(shop: Shop) -> None:
    shop.sales.set_stock("MUG", MAX_STOCK_LEVEL)

    shop.sales.cancel_order(shop.world.open.id)
    shop.sales.process_pending()

    assert shop.sales.stock_level("MUG") == MAX_STOCK_LEVEL + 2


@pytest.mark.parametrize("key", [None, "a-fresh-key"], ids=["unkeyed", "fresh-key"])
def test_placing_an_existing_order_id_says_the_order_exists(shop: Shop, key: str | None) -> None:
    _refused(
        shop,
        OrderAlreadyExists,
        r"order 'open-1' exists already in this shop; place a new order under a new order id",
        lambda: shop.sales.place_order(mug_and_tee(), order_id="open-1", idempotency_key=key),
    )


def test_a_key_that_is_one_lines_id_and_anothers_sku_is_refused(shop: Shop) -> None:
    _refused(
        shop,
        UnknownLine,
        r"'L2' is both a line id and the SKU of another line .* name the line by a line id",
        lambda: shop.sales.create_return(shop.tricky.id, {"L2": 1}),
    )


def test_canceling_a_fulfilled_order_with_a_mistyped_label_says_create_a_return(
    shop: Shop,
) -> None:
    _refused(
        shop,
        OrderFulfilledError,
        "is fulfilled .* create a return",
        lambda: shop.sales.cancel_order(shop.world.shipped.id, status="Cancelled"),
    )


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), datetime(2026, 1, 1, tzinfo=UTC)),
        (
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime.max.replace(tzinfo=timezone(-timedelta(hours=5))),
        ),
    ],
    ids=["start-before-year-1", "end-after-year-9999"],
)
def test_a_report_period_past_the_calendar_is_invalid_input(
    shop: Shop, start: datetime, end: datetime
) -> None:
    _refused(
        shop,
        InvalidInput,
        "between the years 1 and 9999 in UTC",
        lambda: shop.sales.report(start=start, end=end),
    )


def test_a_report_for_the_last_day_of_the_calendar_is_invalid_input(shop: Shop) -> None:
    _refused(shop, InvalidInput, "give an earlier date", lambda: shop.sales.report(date.max))


def test_a_report_over_the_whole_calendar_counts_every_order(shop: Shop) -> None:
    report = shop.sales.report(
        start=datetime.min.replace(tzinfo=UTC), end=datetime.max.replace(tzinfo=UTC)
    )

    assert report.currency("EUR").orders == 4
