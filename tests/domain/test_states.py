"""The transition table: one place that says which command is allowed in which state."""

from __future__ import annotations

from order_cancellation.domain.states import (
    TERMINAL_STATES,
    TRANSITIONS,
    Command,
    OrderState,
    Rejection,
)


def test_the_table_decides_every_pair_of_state_and_command() -> None:
    assert set(TRANSITIONS) == {(state, command) for state in OrderState for command in Command}


def test_only_an_open_order_can_be_canceled() -> None:
    cancelable = {
        state
        for state in OrderState
        if not isinstance(TRANSITIONS[state, Command.CANCEL], Rejection)
    }
    assert cancelable == {OrderState.OPEN}


def test_canceling_a_fulfilled_order_is_refused_because_it_is_fulfilled() -> None:
    assert (
        TRANSITIONS[OrderState.FULFILLED, Command.CANCEL] is Rejection.FULFILLED_CANNOT_BE_CANCELED
    )


def test_a_return_leaves_the_order_fulfilled_or_makes_it_returned() -> None:
    assert TRANSITIONS[OrderState.FULFILLED, Command.RETURN] == frozenset(
        {OrderState.FULFILLED, OrderState.RETURNED}
    )


def test_only_a_fulfilled_order_can_have_its_unshipped_rest_canceled() -> None:
    allowed = {
        state
        for state in OrderState
        if not isinstance(TRANSITIONS[state, Command.CANCEL_UNFULFILLED], Rejection)
    }
    assert allowed == {OrderState.FULFILLED}


def test_canceled_and_returned_are_the_terminal_states() -> None:
    assert {OrderState.CANCELED, OrderState.RETURNED} == TERMINAL_STATES


def test_allowed_commands_lead_only_to_states_the_table_knows() -> None:
    for outcome in TRANSITIONS.values():
        if not isinstance(outcome, Rejection):
            assert outcome
            assert outcome <= set(OrderState)


def test_the_table_is_the_one_the_design_brief_specifies() -> None:
    o, f, c, r = OrderState.OPEN, OrderState.FULFILLED, OrderState.CANCELED, OrderState.RETURNED
    fulfill, cancel, return_ = Command.FULFILL, Command.CANCEL, Command.RETURN
    rest = Command.CANCEL_UNFULFILLED
    spec = {
        (o, fulfill): frozenset({f}),
        (o, cancel): frozenset({c}),
        (o, return_): Rejection.NOTHING_FULFILLED_TO_RETURN,
        (f, fulfill): frozenset({f}),
        (f, cancel): Rejection.FULFILLED_CANNOT_BE_CANCELED,
        (f, return_): frozenset({f, r}),
        (c, fulfill): Rejection.ALREADY_CANCELED,
        (c, cancel): Rejection.ALREADY_CANCELED,
        (c, return_): Rejection.ALREADY_CANCELED,
        (r, fulfill): Rejection.ALREADY_RETURNED,
        (r, cancel): Rejection.ALREADY_RETURNED,
        (r, return_): Rejection.ALREADY_RETURNED,
        (o, rest): Rejection.NOTHING_SHIPPED_CANCEL_ORDER,
        (f, rest): frozenset({f, r}),
        (c, rest): Rejection.ALREADY_CANCELED,
        (r, rest): Rejection.ALREADY_RETURNED,
        (o, Command.REFUND): frozenset({o}),
        (f, Command.REFUND): frozenset({f}),
        (c, Command.REFUND): Rejection.ALREADY_CANCELED,
        (r, Command.REFUND): Rejection.ALREADY_RETURNED,
    }

    assert dict(TRANSITIONS) == spec
