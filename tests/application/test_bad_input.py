"""Bad input: every malformed or disallowed command raises a typed error and changes nothing.

"Nothing" is everything a caller can see, in this shop and in the other shop of the same
backend: orders (version, state, status), refund orders, stock levels, pending effects
(outbox messages), published events and calls to the payment provider. Each case runs with
effects inline and deferred, so a stray outbox message shows either as a published event or
as a pending effect.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Final

import pytest

from order_cancellation import (
    ConcurrencyConflict,
    CurrencyMismatch,
    IdempotencyKeyReused,
    InsufficientStock,
    InvalidInput,
    InvalidMoney,
    LineItem,
    Money,
    NotACancelStatus,
    NothingToReturn,
    OrderCancellationError,
    OrderNotFound,
    PaymentRef,
    RefundOrderNotFound,
    UnknownLine,
    UnknownStatusLabel,
)
from tests.application.harness import World, eur, mug_and_tee

TEN_KB: Final = 10 * 1024


@pytest.fixture(params=["inline", "deferred"])
def world(request: pytest.FixtureRequest) -> World:
    return World.build(request.param)


Command = Callable[[World], object]
CASES: Final[dict[str, tuple[type[OrderCancellationError], Command]]] = {}


def case(name: str, error: type[OrderCancellationError]) -> Callable[[Command], Command]:
    def register(command: Command) -> Command:
        CASES[name] = (error, command)
        return command

    return register


def loose(value: object) -> Any:
    """Pass a value of the wrong type, as an untyped caller could."""
    return value


# -- quantities --------------------------------------------------------------------------------


def _fulfill_quantity(quantity: object) -> Command:
    return lambda w: w.shop.sales.fulfill(w.open.id, {"MUG": loose(quantity)})


def _return_quantity(quantity: object) -> Command:
    return lambda w: w.shop.sales.create_return(w.shipped.id, {"MUG": loose(quantity)})


for bad in (0, -1, 1.0, True, "1", Decimal(1), None):
    case(f"fulfill a quantity of {bad!r}", InvalidInput)(_fulfill_quantity(bad))
    case(f"return a quantity of {bad!r}", InvalidInput)(_return_quantity(bad))


@case("set a negative stock level", InvalidInput)
def _(w: World) -> object:
    w.shop.sales.set_stock("MUG", -1)
    return None


@case("quantities that are not a mapping", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, loose([("MUG", 1)]))


@case("name one line twice in a return", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"MUG": 1, "L1": 1})


# -- orders --------------------------------------------------------------------------------------


@case("place an empty order", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.place_order([])


@case("place an order whose lines are not a list", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.place_order(loose(None))


@case("place an order in two currencies", CurrencyMismatch)
def _(w: World) -> object:
    lines = [*mug_and_tee(), LineItem("CAP", 1, Money.of("99", "SEK"))]
    return w.shop.sales.place_order(lines)


@case("place an order for more than is in stock", InsufficientStock)
def _(w: World) -> object:
    return w.shop.sales.place_order([LineItem("MUG", 1, eur("1")), LineItem("TEE", 99, eur("1"))])


@case("place an order with a payment that is not a PaymentRef", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.place_order(mug_and_tee(), payment=loose("card"))


@case("cancel an unknown order", OrderNotFound)
def _(w: World) -> object:
    return w.shop.sales.cancel_order("no-such-order")


@case("fulfill an unknown order", OrderNotFound)
def _(w: World) -> object:
    return w.shop.sales.fulfill("no-such-order")


@case("cancel another shop's order", OrderNotFound)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.theirs.id)


@case("return from another shop's order", OrderNotFound)
def _(w: World) -> object:
    return w.neighbour.sales.create_return(w.shipped.id, {"MUG": 1})


@case("mark another shop's manual refund done", RefundOrderNotFound)
def _(w: World) -> object:
    return w.neighbour.sales.mark_manual_refund_done(w.owed.id)


# -- returns ---------------------------------------------------------------------------------


@case("return an unknown line", UnknownLine)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"L9": 1})


@case("return an unknown SKU", UnknownLine)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"HAT": 1})


@case("return more than was fulfilled", NothingToReturn)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"MUG": 2})


@case("return a line nothing of which was fulfilled", NothingToReturn)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"TEE": 1})


# -- status labels and reasons -------------------------------------------------------------------


@case("cancel with an unknown status label", UnknownStatusLabel)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, status="Cancelled")


@case("cancel with a label that does not mean canceled", NotACancelStatus)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, status="On hold")


@case("cancel with a label of 10 KB", UnknownStatusLabel)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, status="C" * TEN_KB)


@case("define a label of 10 KB", InvalidInput)
def _(w: World) -> object:
    w.shop.sales.define_status_label("C" * TEN_KB)
    return None


@case("cancel with a reason of 10 KB", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, reason="r" * TEN_KB)


@case("cancel with a reason holding a NUL", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, reason="out of\x00stock")


@case("return with a reason of 10 KB", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"MUG": 1}, reason="r" * TEN_KB)


@case("mark a manual refund done with a note of 10 KB", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.mark_manual_refund_done(w.owed.id, note="n" * TEN_KB)


@case("cancel with an unknown reason code", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, reason_code="BORED")


@case("cancel with restock that is not a flag", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, restock=loose("yes"))


# -- ids -----------------------------------------------------------------------------------------


def _with_bad_id(bad_id: str) -> dict[str, Command]:
    return {
        "cancel an order id": lambda w: w.shop.sales.cancel_order(bad_id),
        "place an order with an id": lambda w: w.shop.sales.place_order(
            mug_and_tee(), order_id=bad_id
        ),
        "cancel with an idempotency key": lambda w: w.shop.sales.cancel_order(
            w.open.id, idempotency_key=bad_id
        ),
        "cancel with an actor": lambda w: w.shop.sales.cancel_order(w.open.id, actor=bad_id),
        "mark done a refund order id": lambda w: w.shop.sales.mark_manual_refund_done(bad_id),
        "look up stock of a SKU": lambda w: w.shop.sales.stock_level(bad_id),
    }


for label, bad_id in {
    "a NUL": "ord\x00-1",
    "a newline": "ord\n1",
    "an escape": "ord\x1b[2J",
    "a zero width space": "ord\u200b1",
    "10 KB": "o" * TEN_KB,
    "nothing": "",
    "a trailing blank": "ord-1 ",
}.items():
    for what, command in _with_bad_id(bad_id).items():
        case(f"{what} with {label}", InvalidInput)(command)


@case("cancel an order id that is not text", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(loose(42))


# -- concurrency and idempotency ---------------------------------------------------------------


@case("return with a stale expected version", ConcurrencyConflict)
def _(w: World) -> object:
    return w.shop.sales.create_return(w.shipped.id, {"MUG": 1}, expected_version=1)


@case("cancel with an expected version of zero", InvalidInput)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, expected_version=0)


@case("reuse an idempotency key for a different command", IdempotencyKeyReused)
def _(w: World) -> object:
    return w.shop.sales.cancel_order(w.open.id, idempotency_key="used-1")


@case("reuse an idempotency key for another kind of command", IdempotencyKeyReused)
def _(w: World) -> object:
    return w.shop.sales.place_order(mug_and_tee(), idempotency_key="used-1")


# -- reports -----------------------------------------------------------------------------------


@case("a report over a naive period", InvalidInput)
def _(w: World) -> object:
    start = datetime(2026, 1, 5)  # naive: the point of the case
    return w.shop.sales.report(start=start, end=start.replace(day=6))


@case("a report that is given a day and a period", InvalidInput)
def _(w: World) -> object:
    now = w.shop.clock.now()
    return w.shop.sales.report(now.date(), start=now, end=now)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_bad_command_is_refused_with_a_typed_error_and_changes_nothing(
    world: World, name: str
) -> None:
    error, command = CASES[name]
    before = world.observe()

    with pytest.raises(error) as raised:
        command(world)

    assert isinstance(raised.value, OrderCancellationError)
    assert world.observe() == before


# -- values that never reach a shop ------------------------------------------------------------


@pytest.mark.parametrize("quantity", [0, -3, 2.0, True, "2", None])
def test_a_line_needs_a_whole_quantity_above_zero(quantity: object) -> None:
    with pytest.raises(InvalidInput, match="whole number above zero"):
        LineItem("MUG", loose(quantity), eur("1"))


@pytest.mark.parametrize("price", [12.5, Decimal("12.50"), "12.50", 1250, eur("-0.01")])
def test_a_unit_price_is_money_of_zero_or_more(price: object) -> None:
    with pytest.raises(InvalidInput, match="unit price"):
        LineItem("MUG", 1, loose(price))


@pytest.mark.parametrize(("amount", "currency"), [("1.005", "EUR"), ("1.5", "JPY"), (0.1, "EUR")])
def test_an_inexact_amount_is_refused_rather_than_rounded(amount: object, currency: str) -> None:
    with pytest.raises(InvalidMoney):
        Money.of(loose(amount), currency)


@pytest.mark.parametrize("reference", ["", "pay\x00", "p" * TEN_KB])
def test_a_payment_reference_is_a_short_printable_id(reference: str) -> None:
    with pytest.raises(InvalidInput):
        PaymentRef(provider="card", reference=reference)
