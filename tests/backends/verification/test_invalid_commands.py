"""B1: invalid commands through the public API raise typed errors and change nothing.

Hypothesis draws malformed commands (ids that are empty, 10 KB long, hold control
characters or NUL, or are not strings; quantities that are 0, negative, bool, float or
huge; amounts with too many decimals, NaN or infinite, floats, in the wrong currency;
unknown status labels; reused idempotency keys; stale versions; 10 KB reasons or control
characters) and sends them, one at a time, to one shop on memory and one on SQLite with
effects deferred. Every command must raise a subclass of ``OrderCancellationError``; and
after it the shop must look exactly as before: orders, refund orders, stock levels,
pending effects (the outbox), published events and calls to the payment provider.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from order_cancellation import (
    InvalidInput,
    LineItem,
    Money,
    Order,
    OrderCancellationError,
    OrderState,
    PaymentRef,
    RefundOrder,
    Sales,
)
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    RecordingPublisher,
)
from order_cancellation.adapters.sqlite import SQLiteBackend
from order_cancellation.domain.stock import MAX_STOCK_LEVEL
from order_cancellation.domain.values import MAX_QUANTITY
from order_cancellation.ports.backend import Backend
from tests.application.harness import CARD, RETRY_POLICY, Observation, eur, mug_and_tee

TEN_KB: Final = 10 * 1024
OutboxRows = tuple[tuple[str, str, int], ...]
CI_COMMANDS: Final = 1_000
NIGHTLY_COMMANDS: Final = 10_000


def loose(value: object) -> Any:
    """Pass a value of the wrong type, as an untyped caller could."""
    return value


class World:
    """A shop with an open order paid by card, a shipped one, and one canceled under key
    ``used-1`` whose invoice payment is owed back by hand."""

    def __init__(
        self,
        sales: Sales,
        backend: Backend,
        clock: ManualClock,
        card: InMemoryPaymentProvider,
    ) -> None:
        self.sales = sales
        self.backend = backend
        self.clock = clock
        self.card = card
        for sku, units in {"MUG": 10, "TEE": 5, "CAP": 8}.items():
            sales.set_stock(sku, units)
        sales.define_status_label("On hold", means=OrderState.OPEN)
        card.authorize("acme-pay-0", eur("45.00"), at=clock.now())
        by_card = PaymentRef(provider=CARD, reference="acme-pay-0")
        by_invoice = PaymentRef(provider="invoice", reference="acme-invoice")
        self.open: Order = sales.place_order(mug_and_tee(), payment=by_card, order_id="open-1")
        self.shipped: Order = sales.fulfill(sales.place_order(mug_and_tee()).id, {"MUG": 1})
        self.canceled: RefundOrder = sales.cancel_order(
            sales.place_order(mug_and_tee(), payment=by_invoice).id, idempotency_key="used-1"
        )
        sales.process_pending()

    def observe(self, publisher: RecordingPublisher) -> tuple[Observation, OutboxRows]:
        """What a caller sees, and every outbox row in the store."""
        orders = [self.sales.get_order(o) for o in (self.open.id, self.shipped.id)]
        orders.append(self.sales.get_order(self.canceled.order_id))
        refunds = self.sales.refund_orders()
        with self.backend.unit_of_work("acme") as uow:
            messages = {m.id: m for m in uow.outbox.pending()}
            for refund in refunds:
                messages.update((m.id, m) for m in uow.outbox.for_refund_order(refund.id))
        outbox = tuple(sorted((m.id, m.status.value, m.attempts) for m in messages.values()))
        return Observation(
            orders=tuple((o.id, o.version, o.state, o.status) for o in orders),
            refund_orders=tuple(sorted((r.id, r.version) for r in self.sales.refund_orders())),
            stock=tuple(sorted(self.sales.stock_levels().items())),
            pending_effects=self.sales.pending_effects(),
            published=len(publisher.events),
            provider_operations=len(self.card.operations),
        ), outbox


@attrs.frozen
class Command:
    """One invalid command, described for the failure report."""

    description: str
    run: Callable[[World], object]

    def __repr__(self) -> str:
        return self.description if len(self.description) < 120 else self.description[:117] + "..."


def command(
    factory: Callable[..., Callable[[World], object]],
) -> Callable[..., Command]:
    """Name the commands a factory builds after the factory and its arguments."""

    def build(*args: object) -> Command:
        described = ", ".join(repr(arg)[:40] for arg in args)
        return Command(f"{factory.__name__.lstrip('_')}({described})", factory(*args))

    return build


BAD_IDS: Final[tuple[object, ...]] = (
    "",
    "x" * TEN_KB,
    "a\x00b",
    "line\nbreak",
    "\x07bell",
    " ",
    42,
    b"bytes",
    1.5,
)
BAD_QUANTITIES: Final[tuple[object, ...]] = (
    0,
    -1,
    -(10**6),
    True,
    False,
    1.5,
    MAX_QUANTITY + 1,
    2**64,
    10**30,
    "1",
)
BAD_AMOUNTS: Final[tuple[object, ...]] = (
    "1.234",
    "0.001",
    Decimal("NaN"),
    Decimal("Infinity"),
    Decimal("-Infinity"),
    Decimal("sNaN"),
    1.1,
    "-1.00",
    "abc",
)
BAD_TEXTS: Final[tuple[object, ...]] = ("r" * TEN_KB, "bad\x00reason", "tab\x1bescape", 7)
UNKNOWN_LABELS: Final = ("Cancelled", "On hold", "", "x" * TEN_KB, "Nope\x00")


@command
def _place_with_sku(sku: object) -> Callable[[World], object]:
    return lambda w: w.sales.place_order([LineItem(loose(sku), 1, eur("1"))])


@command
def _place_with_quantity(quantity: object) -> Callable[[World], object]:
    return lambda w: w.sales.place_order([LineItem("MUG", loose(quantity), eur("1"))])


@command
def _place_with_amount(amount: object) -> Callable[[World], object]:
    return lambda w: w.sales.place_order([LineItem("MUG", 1, Money.of(loose(amount), "EUR"))])


@command
def _place_with_order_id(order_id: object) -> Callable[[World], object]:
    return lambda w: w.sales.place_order(mug_and_tee(), order_id=loose(order_id))


@command
def _place_in_two_currencies(currency: str) -> Callable[[World], object]:
    return lambda w: w.sales.place_order(
        [*mug_and_tee(), LineItem("CAP", 1, Money.of("9", currency))]
    )


@command
def _place_in_unknown_currency(currency: object) -> Callable[[World], object]:
    return lambda w: w.sales.place_order([LineItem("MUG", 1, Money.of("1", loose(currency)))])


@command
def _fulfill_id(order_id: object) -> Callable[[World], object]:
    return lambda w: w.sales.fulfill(loose(order_id))


@command
def _fulfill_quantity(quantity: object) -> Callable[[World], object]:
    return lambda w: w.sales.fulfill(w.open.id, {"MUG": loose(quantity)})


@command
def _fulfill_unknown_line(line: str) -> Callable[[World], object]:
    return lambda w: w.sales.fulfill(w.open.id, {line: 1})


@command
def _cancel_id(order_id: object) -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(loose(order_id))


@command
def _cancel_label(label: str) -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.open.id, status=label)


@command
def _cancel_reason(reason: object) -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.open.id, reason=loose(reason))


@command
def _cancel_stale(version: int) -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.open.id, expected_version=version)


@command
def _cancel_reused_key(key: str) -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.open.id, idempotency_key=key)


@command
def _cancel_restock(flag: object) -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.open.id, restock=loose(flag))


@command
def _cancel_shipped() -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.shipped.id)


@command
def _cancel_twice() -> Callable[[World], object]:
    return lambda w: w.sales.cancel_order(w.canceled.order_id)


@command
def _return_quantity(quantity: object) -> Callable[[World], object]:
    return lambda w: w.sales.create_return(w.shipped.id, {"MUG": loose(quantity)})


@command
def _return_too_much(units: int) -> Callable[[World], object]:
    return lambda w: w.sales.create_return(w.shipped.id, {"MUG": units})


@command
def _return_unshipped() -> Callable[[World], object]:
    return lambda w: w.sales.create_return(w.open.id, {"MUG": 1})


@command
def _return_stale(version: int) -> Callable[[World], object]:
    return lambda w: w.sales.create_return(w.shipped.id, {"MUG": 1}, expected_version=version)


@command
def _return_reason(reason: object) -> Callable[[World], object]:
    return lambda w: w.sales.create_return(w.shipped.id, {"MUG": 1}, reason=loose(reason))


@command
def _manual_refund_id(refund_id: object) -> Callable[[World], object]:
    return lambda w: w.sales.mark_manual_refund_done(loose(refund_id))


@command
def _manual_refund_note(note: object) -> Callable[[World], object]:
    return lambda w: w.sales.mark_manual_refund_done(w.canceled.id, note=loose(note))


@command
def _set_stock(sku: object, quantity: object) -> Callable[[World], object]:
    return lambda w: w.sales.set_stock(loose(sku), loose(quantity))


@command
def _define_label(label: object) -> Callable[[World], object]:
    return lambda w: w.sales.define_status_label(loose(label))


@command
def _retry_unknown(refund_id: object) -> Callable[[World], object]:
    return lambda w: w.sales.retry_effects(loose(refund_id))


def _not_a_stock_level(quantity: object) -> bool:
    # A bad quantity of one line (say 10**9 + 1) may still be a good stock level.
    return type(quantity) is not int or not 0 <= quantity <= MAX_STOCK_LEVEL


def invalid_commands() -> st.SearchStrategy[Command]:
    ids = st.sampled_from(BAD_IDS) | st.text(
        st.characters(codec="utf-8", categories=["Cc"]), min_size=1, max_size=5
    )
    quantities = st.sampled_from(BAD_QUANTITIES) | st.integers(max_value=0)
    amounts = st.sampled_from(BAD_AMOUNTS) | st.decimals(places=3).filter(
        lambda d: not d.is_finite() or d != d.quantize(Decimal("0.01"))
    )
    texts = st.sampled_from(BAD_TEXTS)
    # The open order is at version 1, the shipped one at version 2.
    stale = st.integers(min_value=-5, max_value=50)
    return st.one_of(
        ids.map(_place_with_sku),
        quantities.map(_place_with_quantity),
        amounts.map(_place_with_amount),
        ids.map(_place_with_order_id),
        st.sampled_from(["SEK", "USD"]).map(_place_in_two_currencies),
        st.sampled_from(["", "euro", "XXXX", 1, None]).map(_place_in_unknown_currency),
        ids.map(_fulfill_id),
        quantities.map(_fulfill_quantity),
        st.sampled_from(["L9", "SOCK", "L0"]).map(_fulfill_unknown_line),
        ids.map(_cancel_id),
        st.sampled_from(UNKNOWN_LABELS).map(_cancel_label),
        texts.map(_cancel_reason),
        stale.filter(lambda v: v != 1).map(_cancel_stale),
        st.just("used-1").map(_cancel_reused_key),
        st.sampled_from([None, 1, "yes"]).map(_cancel_restock),
        st.sampled_from([_cancel_shipped(), _cancel_twice(), _return_unshipped()]),
        quantities.map(_return_quantity),
        st.integers(min_value=2, max_value=10**6).map(_return_too_much),
        stale.filter(lambda v: v != 2).map(_return_stale),
        texts.map(_return_reason),
        ids.map(_manual_refund_id),
        texts.map(_manual_refund_note),
        st.tuples(ids, st.just(1)).map(lambda t: _set_stock(*t)),
        st.tuples(st.just("MUG"), quantities.filter(_not_a_stock_level)).map(
            lambda t: _set_stock(*t)
        ),
        ids.map(_define_label),
        ids.map(_retry_unknown),
    )


def _open_world(backend: str, directory: Path) -> tuple[World, RecordingPublisher]:
    clock, card, publisher = ManualClock(), InMemoryPaymentProvider(), RecordingPublisher()
    options: dict[str, Any] = {
        "gateways": {CARD: card},
        "publisher": publisher,
        "clock": clock,
        "effects": "deferred",
        "retry_policy": RETRY_POLICY,
    }
    store: Backend
    if backend == "memory":
        store = MemoryBackend()
        sales = Sales.in_memory("acme", backend=store, **options)
    else:
        store = SQLiteBackend(directory / "shop.db")
        sales = Sales.sqlite(shop="acme", backend=store, **options)
    world = World(sales, store, clock, card)
    return world, publisher


@pytest.fixture(params=["memory", "sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def directory() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="b1-") as name:
        yield Path(name)


def _fuzz(backend: str, directory: Path, commands: int, reliability: Callable[[str], None]) -> None:
    world, publisher = _open_world(backend, directory)
    before = world.observe(publisher)
    counts = {"commands": 0, "unhandled": 0, "mutations": 0}

    @settings(
        max_examples=commands,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(command=invalid_commands())
    def one_invalid_command(command: Command) -> None:
        counts["commands"] += 1
        try:
            command.run(world)
        except OrderCancellationError:
            pass
        except Exception:
            counts["unhandled"] += 1
            raise
        else:
            counts["unhandled"] += 1
            raise AssertionError("an invalid command was accepted")
        finally:
            if world.observe(publisher) != before:
                counts["mutations"] += 1
        assert world.observe(publisher) == before

    try:
        one_invalid_command()
    finally:
        world.sales.close()
        reliability(
            f"RELIABILITY B1 backend={backend} commands={counts['commands']} "
            f"unhandled={counts['unhandled']} mutations={counts['mutations']}"
        )
    assert counts == {"commands": counts["commands"], "unhandled": 0, "mutations": 0}
    assert counts["commands"] >= commands


@pytest.mark.parametrize("level", [MAX_STOCK_LEVEL + 1, 2**63, 10**30])
def test_a_stock_level_above_the_bound_is_invalid_input(
    backend: str, directory: Path, level: int
) -> None:
    """It was a raw ``OverflowError`` on SQLite, and accepted in memory."""
    world, publisher = _open_world(backend, directory)
    before = world.observe(publisher)

    with pytest.raises(InvalidInput, match="stock level"):
        world.sales.set_stock("MUG", level)

    assert world.observe(publisher) == before
    world.sales.set_stock("MUG", MAX_STOCK_LEVEL)
    assert world.sales.stock_level("MUG") == MAX_STOCK_LEVEL
    world.sales.close()


def test_invalid_commands_raise_typed_errors_and_change_nothing(
    backend: str, directory: Path, reliability: Callable[[str], None]
) -> None:
    _fuzz(backend, directory, CI_COMMANDS, reliability)


@pytest.mark.nightly
def test_invalid_commands_change_nothing_at_night(
    backend: str, directory: Path, reliability: Callable[[str], None]
) -> None:
    _fuzz(backend, directory, NIGHTLY_COMMANDS, reliability)
