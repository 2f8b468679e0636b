"""Every (state, command) pair of the transition table, on real orders through ``Sales``.

For each pair, orders are driven into the state through the public API and the command is
issued in each meaningful way. An allowed pair must lead only to the table's states (and
reach each of them); a refused pair must raise the rejection's typed error and change
nothing at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Final

import pytest

from order_cancellation import (
    NothingShipped,
    NothingToReturn,
    Order,
    OrderAlreadyCanceled,
    OrderAlreadyReturned,
    OrderCancellationError,
    OrderFulfilledError,
    OrderState,
)
from order_cancellation.domain.states import TRANSITIONS, Command, Rejection
from tests.application.harness import Shop, eur

REJECTION_ERRORS: Final[Mapping[Rejection, type[OrderCancellationError]]] = {
    Rejection.FULFILLED_CANNOT_BE_CANCELED: OrderFulfilledError,
    Rejection.NOTHING_FULFILLED_TO_RETURN: NothingToReturn,
    Rejection.ALREADY_CANCELED: OrderAlreadyCanceled,
    Rejection.ALREADY_RETURNED: OrderAlreadyReturned,
    Rejection.NOTHING_SHIPPED_CANCEL_ORDER: NothingShipped,
}

Arrive = Callable[[Shop], Order]
Issue = Callable[[Shop, Order], None]


def _open(shop: Shop) -> Order:
    return shop.place()


def _partly_fulfilled(shop: Shop) -> Order:
    return shop.sales.fulfill(shop.place().id, {"MUG": 1})


def _fully_fulfilled(shop: Shop) -> Order:
    return shop.sales.fulfill(shop.place().id)


def _canceled(shop: Shop) -> Order:
    order = shop.place()
    shop.sales.cancel_order(order.id)
    return shop.sales.get_order(order.id)


def _returned(shop: Shop) -> Order:
    order = _fully_fulfilled(shop)
    shop.sales.create_return(order.id, {"MUG": 2, "TEE": 1})
    return shop.sales.get_order(order.id)


WAYS_INTO: Final[Mapping[OrderState, tuple[Arrive, ...]]] = {
    OrderState.OPEN: (_open,),
    OrderState.FULFILLED: (_partly_fulfilled, _fully_fulfilled),
    OrderState.CANCELED: (_canceled,),
    OrderState.RETURNED: (_returned,),
}


def _fulfill_the_rest(shop: Shop, order: Order) -> None:
    shop.sales.fulfill(order.id)


def _fulfill_one(shop: Shop, order: Order) -> None:
    shop.sales.fulfill(order.id, {"TEE": 1})


def _cancel(shop: Shop, order: Order) -> None:
    shop.sales.cancel_order(order.id)


def _return_one(shop: Shop, order: Order) -> None:
    shop.sales.create_return(order.id, {"MUG": 1})


def _return_everything_shipped(shop: Shop, order: Order) -> None:
    shipped = {line.id: line.returnable for line in order.lines if line.returnable}
    shop.sales.create_return(order.id, shipped or {"L1": 1})


def _cancel_the_unshipped_rest(shop: Shop, order: Order) -> None:
    shop.sales.cancel_unfulfilled(order.id)


def _return_what_shipped_then_cancel_the_rest(shop: Shop, order: Order) -> None:
    if any(line.returnable for line in order.lines):
        _return_everything_shipped(shop, order)
    shop.sales.cancel_unfulfilled(order.id)


def _refund_goodwill(shop: Shop, order: Order) -> None:
    shop.sales.refund(order.id, eur("1.00"), reason="late delivery")


WAYS_TO_ISSUE: Final[Mapping[Command, tuple[Issue, ...]]] = {
    Command.FULFILL: (_fulfill_the_rest, _fulfill_one),
    Command.CANCEL: (_cancel,),
    Command.RETURN: (_return_one, _return_everything_shipped),
    Command.CANCEL_UNFULFILLED: (
        _cancel_the_unshipped_rest,
        _return_what_shipped_then_cancel_the_rest,
    ),
    Command.REFUND: (_refund_goodwill,),
}


def _applicable(arrive: Arrive, issue: Issue) -> bool:
    # Shipping (or canceling) more than remains unshipped is a quantity error, not a state
    # rule: every unit of a fully fulfilled order has shipped.
    return not (
        arrive is _fully_fulfilled
        and (
            issue in WAYS_TO_ISSUE[Command.FULFILL]
            or issue in WAYS_TO_ISSUE[Command.CANCEL_UNFULFILLED]
        )
    )


def _names(states: Iterable[OrderState]) -> list[str]:
    return sorted(state.name for state in states)


def check_pair(state: OrderState, command: Command) -> list[str]:
    """What went against the table for this pair; empty when it matches."""
    outcome = TRANSITIONS[state, command]
    problems: list[str] = []
    reached: set[OrderState] = set()
    for arrive in WAYS_INTO[state]:
        for issue in WAYS_TO_ISSUE[command]:
            if not _applicable(arrive, issue):
                continue
            shop = Shop.open()
            order = arrive(shop)
            assert order.state is state, f"{arrive.__name__} did not reach {state}"
            case = f"{state.name} x {command.name} via {arrive.__name__}, {issue.__name__}"
            before = shop.observe()
            try:
                issue(shop, order)
            except OrderCancellationError as error:
                expected = REJECTION_ERRORS.get(outcome) if isinstance(outcome, Rejection) else None
                if expected is None or type(error) is not expected:
                    problems.append(f"{case}: raised {type(error).__name__}: {error}")
                elif shop.observe() != before:
                    problems.append(f"{case}: refused but changed something")
                continue
            after = shop.sales.get_order(order.id).state
            reached.add(after)
            if isinstance(outcome, Rejection):
                problems.append(f"{case}: allowed, the table says {outcome.name}")
            elif after not in outcome:
                problems.append(f"{case}: reached {after.name}, not one of {_names(outcome)}")
    if not isinstance(outcome, Rejection) and reached != outcome:
        problems.append(f"{state.name} x {command.name}: reached only {_names(reached)}")
    return problems


def test_every_state_and_command_pair_behaves_as_the_table_says(
    reliability: Callable[[str], None],
) -> None:
    pairs = [(state, command) for state in OrderState for command in Command]
    problems = {pair: check_pair(*pair) for pair in pairs}
    matching = sum(1 for found in problems.values() if not found)

    reliability(f"RELIABILITY B2 pairs_matching={matching}/{len(pairs)}")

    assert [problem for found in problems.values() for problem in found] == []
    assert len(pairs) == len(TRANSITIONS)


@pytest.mark.parametrize("state", list(OrderState))
def test_every_state_can_be_reached_through_the_public_api(state: OrderState) -> None:
    for arrive in WAYS_INTO[state]:
        assert arrive(Shop.open()).state is state
