"""What the order aggregate refuses, and what each refusal tells the caller to do.

Every refusal is a typed error whose message names the offending argument or line and says
what to do next; these tests pin the key words of each message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from order_cancellation import (
    CurrencyMismatch,
    InvalidInput,
    LineItem,
    Money,
    NothingToReturn,
    Order,
    OrderAlreadyCanceled,
    OrderAlreadyReturned,
    OrderFulfilledError,
    OrderState,
    OverFulfillment,
    UnknownLine,
)
from order_cancellation.domain.order import MAX_LINES

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LATER = PLACED + timedelta(hours=2)
NAIVE = datetime(2026, 3, 2, 12, 0)  # no timezone: what the refusals are about


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def sek(amount: str) -> Money:
    return Money.of(amount, "SEK")


def open_order() -> Order:
    """Order o-1 with line L1 (2 x MUG) and line L2 (1 x TEE)."""
    items = [LineItem("MUG", 2, eur("12.50")), LineItem("TEE", 1, eur("20.00"))]
    return Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED).order


def fulfilled_order() -> Order:
    return open_order().fulfill(None, at=LATER).order


def cancel(order: Order, *, at: datetime = LATER, **changes: Any) -> Order:
    arguments: dict[str, Any] = {
        "refund_order_id": "r-1",
        "status": "Canceled",
        "reason": None,
        "reason_code": None,
        "actor": None,
        "restock": True,
        "at": at,
    }
    arguments.update(changes)
    return order.cancel(**arguments).order


def give_back(
    order: Order,
    quantities: Any,
    *,
    refund_order_id: str = "r-2",
    at: datetime = LATER,
) -> Order:
    return order.create_return(
        quantities, refund_order_id=refund_order_id, restock=True, reason=None, at=at
    ).order


def message_of(action: Callable[[], object], error: type[Exception]) -> str:
    with pytest.raises(error) as raised:
        action()
    return str(raised.value)


# -- placing -----------------------------------------------------------------------------------


def place(**changes: Any) -> Order:
    arguments: dict[str, Any] = {
        "order_id": "o-1",
        "shop": "acme",
        "items": [LineItem("MUG", 1, eur("1.00"))],
        "payment": None,
        "at": PLACED,
    }
    arguments.update(changes)
    return Order.place(**arguments).order


@pytest.mark.parametrize(
    ("error", "message", "changes"),
    [
        (
            InvalidInput,
            "an order needs at least one line; pass a list of LineItem.",
            {"items": []},
        ),
        (InvalidInput, "payment is a PaymentRef or None.", {"payment": "card c-1"}),
        (
            CurrencyMismatch,
            "an order is paid in one currency, got ['EUR', 'SEK']; place one order per currency.",
            {"items": [LineItem("MUG", 1, eur("1.00")), LineItem("TEE", 1, sek("1.00"))]},
        ),
    ],
    ids=["no lines", "payment", "currencies"],
)
def test_placing_refuses_an_unusable_order_and_says_what_to_do(
    error: type[Exception], message: str, changes: dict[str, Any]
) -> None:
    assert message_of(lambda: place(**changes), error) == message


def test_an_order_may_have_as_many_lines_as_the_limit() -> None:
    items = [LineItem(f"SKU-{n}", 1, eur("1.00")) for n in range(MAX_LINES)]

    order = Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED).order

    assert len(order.lines) == MAX_LINES
    assert order.lines[-1].id == f"L{MAX_LINES}"


def test_an_order_with_more_lines_than_the_limit_is_refused_with_a_hint_to_split_it() -> None:
    items = [LineItem(f"SKU-{n}", 1, eur("1.00")) for n in range(MAX_LINES + 1)]

    message = message_of(
        lambda: Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED),
        InvalidInput,
    )

    assert f"at most {MAX_LINES} lines" in message
    assert "split it" in message


def test_order_lines_must_be_line_items_and_the_error_names_what_was_given() -> None:
    items: list[Any] = [LineItem("MUG", 1, eur("1.00")), ("TEE", 1, eur("1.00"))]

    message = message_of(
        lambda: Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED),
        InvalidInput,
    )

    assert "order lines are LineItem values, not tuple" in message


# -- naming lines ------------------------------------------------------------------------------


def test_asking_an_order_for_a_line_it_does_not_have_names_the_order_and_the_line() -> None:
    message = message_of(lambda: open_order().line("L9"), UnknownLine)

    assert "order 'o-1' has no line 'L9'" in message


def test_a_line_named_by_something_other_than_text_is_unknown() -> None:
    message = message_of(lambda: open_order().fulfill({1: 1}, at=LATER), UnknownLine)  # type: ignore[dict-item]

    assert "lines are named by their id or SKU (text), not 1" in message


def test_an_unknown_line_or_sku_is_refused_and_the_error_lists_the_order_s_lines() -> None:
    message = message_of(lambda: open_order().fulfill({"CAP": 1}, at=LATER), UnknownLine)

    assert "order 'o-1' has no line or SKU 'CAP'" in message
    assert "its lines are: L1 (MUG), L2 (TEE)." in message


def test_a_sku_on_several_lines_is_refused_and_the_error_lists_the_line_ids_to_use() -> None:
    items = [LineItem("MUG", 1, eur("1.00")), LineItem("MUG", 1, eur("2.00"))]
    order = Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED).order

    message = message_of(lambda: order.fulfill({"MUG": 1}, at=LATER), UnknownLine)

    assert "SKU 'MUG' is on several lines of order 'o-1'" in message
    assert "name the line id: L1 (MUG), L2 (MUG)." in message


def test_a_key_that_is_one_line_s_id_and_another_line_s_sku_is_refused() -> None:
    # Picking the line by id refunded a 9.00 line where the 1.00 line (SKU "L2") was meant.
    items = [LineItem("L2", 1, eur("1.00")), LineItem("MUG", 1, eur("9.00"))]
    order = Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED).order

    message = message_of(lambda: order.fulfill({"L2": 1}, at=LATER), UnknownLine)

    assert "'L2' is both a line id and the SKU of another line of order 'o-1'" in message
    assert "name the line by a line id that is not also a SKU, or by its own SKU" in message
    assert "L1 (L2), L2 (MUG)." in message


def test_a_line_id_that_is_also_its_own_sku_is_that_line() -> None:
    items = [LineItem("L1", 2, eur("1.00")), LineItem("MUG", 1, eur("9.00"))]
    order = Order.place(order_id="o-1", shop="acme", items=items, payment=None, at=PLACED).order

    shipped = order.fulfill({"L1": 1}, at=LATER).order

    assert [line.fulfilled for line in shipped.lines] == [1, 0]


def test_a_line_named_twice_by_id_and_by_sku_is_refused() -> None:
    message = message_of(lambda: open_order().fulfill({"L1": 1, "MUG": 1}, at=LATER), InvalidInput)

    assert "line 'L1' is named twice; name each line once." in message


# -- what to fulfill or return -----------------------------------------------------------------


def ship(order: Order, quantities: Any) -> Order:
    return order.fulfill(quantities, at=LATER).order


# (verb, an order the command is allowed on, the command)
QUANTITY_COMMANDS = [("fulfill", open_order, ship), ("return", fulfilled_order, give_back)]


@pytest.mark.parametrize(("verb", "order", "act"), QUANTITY_COMMANDS)
@pytest.mark.parametrize("quantities", [{}, [("L1", 1)], "L1"], ids=["empty", "list", "text"])
def test_what_to_fulfill_or_return_is_a_non_empty_mapping(
    verb: str, order: Callable[[], Order], act: Callable[[Order, Any], object], quantities: object
) -> None:
    message = message_of(lambda: act(order(), quantities), InvalidInput)

    assert f"say what to {verb} as a non-empty mapping of line id (or SKU) to quantity" in message


@pytest.mark.parametrize(("verb", "order", "act"), QUANTITY_COMMANDS)
@pytest.mark.parametrize("quantity", [0, -1, 1.5, "1", True])
def test_a_quantity_to_fulfill_or_return_is_a_whole_number_above_zero_named_by_its_line(
    verb: str, order: Callable[[], Order], act: Callable[[Order, Any], object], quantity: object
) -> None:
    message = message_of(lambda: act(order(), {"MUG": quantity}), InvalidInput)

    assert f"the quantity to {verb} of 'MUG' must be a whole number above zero" in message


def test_fulfilling_everything_left_when_everything_has_shipped_is_refused() -> None:
    message = message_of(lambda: fulfilled_order().fulfill(None, at=LATER), OverFulfillment)

    assert "every unit of order 'o-1' has shipped or was canceled already" in message


# -- arguments of the commands -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "act"),
    [
        ("the order id", lambda: place(order_id="o 1 ")),
        ("the time the order was placed", lambda: place(at=NAIVE)),
        ("the time of fulfillment", lambda: open_order().fulfill(None, at=NAIVE)),
        ("the time of cancellation", lambda: cancel(open_order(), at=NAIVE)),
        ("the time of the return", lambda: give_back(fulfilled_order(), {"L1": 1}, at=NAIVE)),
        ("the refund order id", lambda: cancel(open_order(), refund_order_id=" r-1")),
        (
            "the refund order id",
            lambda: give_back(fulfilled_order(), {"L1": 1}, refund_order_id=""),
        ),
        ("the actor", lambda: cancel(open_order(), actor="")),
    ],
)
def test_each_refused_argument_s_error_names_the_argument(
    what: str, act: Callable[[], object]
) -> None:
    message = message_of(act, InvalidInput)

    assert message.startswith(what)


@pytest.mark.parametrize(
    ("expected", "reason"),
    [("a reason is text or None, not int", 42), ("at most 1000 characters", "x" * 1001)],
)
@pytest.mark.parametrize(
    "act",
    [
        lambda reason: cancel(open_order(), reason=reason),
        lambda reason: fulfilled_order().create_return(
            {"L1": 1}, refund_order_id="r-2", restock=True, reason=reason, at=LATER
        ),
    ],
    ids=["cancel", "return"],
)
def test_a_reason_is_short_text(
    act: Callable[[object], object], expected: str, reason: object
) -> None:
    assert expected in message_of(lambda: act(reason), InvalidInput)


def test_a_reason_code_must_be_a_reason_code_and_the_error_lists_the_codes() -> None:
    message = message_of(lambda: cancel(open_order(), reason_code="fraud"), InvalidInput)

    assert "reason_code is a ReasonCode, one of" in message
    assert "'FRAUD'" in message
    assert "'INVENTORY'" in message


# -- commands the order's state does not allow -------------------------------------------------


def test_canceling_a_fulfilled_order_says_to_create_a_return_instead() -> None:
    message = message_of(lambda: cancel(fulfilled_order()), OrderFulfilledError)

    assert "order 'o-1' is fulfilled (units have shipped), so it cannot be canceled; " in message
    assert message.endswith(
        "; create a return for the fulfilled units instead: create_return(order_id, {...})."
    )


@pytest.mark.parametrize(
    ("command", "act"),
    [
        ("fulfill", lambda order: order.fulfill(None, at=LATER)),
        ("cancel", lambda order: cancel(order, refund_order_id="r-9")),
        ("return", lambda order: give_back(order, {"L1": 1})),
    ],
)
def test_a_canceled_order_refuses_every_command_and_names_its_refund_order(
    command: str, act: Callable[[Order], object]
) -> None:
    canceled = cancel(open_order(), refund_order_id="r-1")

    message = message_of(lambda: act(canceled), OrderAlreadyCanceled)

    assert f"order 'o-1' was canceled already, so it cannot {command}; " in message
    assert message.endswith("; its refund order is r-1.")


def test_a_canceled_order_stored_without_its_cancellation_says_its_refund_order_is_unknown() -> (
    None
):
    bare = Order(
        id="o-1",
        shop="acme",
        currency="EUR",
        lines=open_order().lines,
        state=OrderState.CANCELED,
        status="Canceled",
        payment=None,
        placed_at=PLACED,
        cancellation=None,
    )

    message = message_of(lambda: cancel(bare), OrderAlreadyCanceled)

    assert message.endswith("; its refund order is unknown.")


@pytest.mark.parametrize(
    ("command", "act"),
    [
        ("fulfill", lambda order: order.fulfill(None, at=LATER)),
        ("cancel", lambda order: cancel(order, refund_order_id="r-3")),
        ("return", lambda order: give_back(order, {"L1": 1}, refund_order_id="r-3")),
    ],
)
def test_a_returned_order_refuses_every_command_and_points_to_its_refund_orders(
    command: str, act: Callable[[Order], object]
) -> None:
    returned = give_back(fulfilled_order(), {"L1": 2, "L2": 1})

    message = message_of(lambda: act(returned), OrderAlreadyReturned)

    assert f"every unit of order 'o-1' was returned already, so it cannot {command}; " in message
    assert message.endswith("; see its refund orders.")


def test_returning_from_an_open_order_says_to_cancel_it_instead() -> None:
    message = message_of(lambda: give_back(open_order(), {"L1": 1}), NothingToReturn)

    assert message == (
        "order 'o-1' has nothing fulfilled yet, so there is nothing to return; "
        "cancel it instead: cancel_order(order_id)."
    )
