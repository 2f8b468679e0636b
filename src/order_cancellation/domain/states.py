"""Lifecycle states, the commands that move an order between them, and the table that decides.

The table is the single place that says which command is allowed in which state. Everything
else (the aggregate, the tests, the docs' diagram) reads it from here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final


class OrderState(enum.StrEnum):
    """What an order is, whatever the merchant calls it."""

    OPEN = "open"  # nothing fulfilled yet
    FULFILLED = "fulfilled"  # some or all units shipped
    CANCELED = "canceled"  # terminal
    RETURNED = "returned"  # terminal: every unit returned


class Command(enum.Enum):
    """The commands that change an existing order's state."""

    FULFILL = "fulfill"
    CANCEL = "cancel"
    RETURN = "return"
    CANCEL_UNFULFILLED = "cancel_unfulfilled"  # the units not shipped of a partly shipped order
    REFUND = "refund"  # an amount of money, not units (goodwill, a price adjustment)


class Rejection(enum.Enum):
    """Why a (state, command) pair is refused; each maps to one typed error."""

    FULFILLED_CANNOT_BE_CANCELED = "fulfilled_cannot_be_canceled"
    NOTHING_FULFILLED_TO_RETURN = "nothing_fulfilled_to_return"
    ALREADY_CANCELED = "already_canceled"
    ALREADY_RETURNED = "already_returned"
    NOTHING_SHIPPED_CANCEL_ORDER = "nothing_shipped_cancel_order"


_O, _F, _C, _R = OrderState.OPEN, OrderState.FULFILLED, OrderState.CANCELED, OrderState.RETURNED

TRANSITIONS: Final[Mapping[tuple[OrderState, Command], frozenset[OrderState] | Rejection]] = (
    MappingProxyType(
        {
            (_O, Command.FULFILL): frozenset({_F}),
            (_O, Command.CANCEL): frozenset({_C}),
            (_O, Command.RETURN): Rejection.NOTHING_FULFILLED_TO_RETURN,
            (_O, Command.CANCEL_UNFULFILLED): Rejection.NOTHING_SHIPPED_CANCEL_ORDER,
            (_O, Command.REFUND): frozenset({_O}),
            (_F, Command.FULFILL): frozenset({_F}),
            (_F, Command.CANCEL): Rejection.FULFILLED_CANNOT_BE_CANCELED,
            # A return leaves the order FULFILLED until every unit has come back.
            (_F, Command.RETURN): frozenset({_F, _R}),
            # Canceling the rest leaves the order FULFILLED, or RETURNED when every unit
            # that shipped is back already.
            (_F, Command.CANCEL_UNFULFILLED): frozenset({_F, _R}),
            (_F, Command.REFUND): frozenset({_F}),
            (_C, Command.FULFILL): Rejection.ALREADY_CANCELED,
            (_C, Command.CANCEL): Rejection.ALREADY_CANCELED,
            (_C, Command.RETURN): Rejection.ALREADY_CANCELED,
            (_C, Command.CANCEL_UNFULFILLED): Rejection.ALREADY_CANCELED,
            (_C, Command.REFUND): Rejection.ALREADY_CANCELED,
            (_R, Command.FULFILL): Rejection.ALREADY_RETURNED,
            (_R, Command.CANCEL): Rejection.ALREADY_RETURNED,
            (_R, Command.RETURN): Rejection.ALREADY_RETURNED,
            (_R, Command.CANCEL_UNFULFILLED): Rejection.ALREADY_RETURNED,
            (_R, Command.REFUND): Rejection.ALREADY_RETURNED,
        }
    )
)
"""For each (state, command): the states the command may lead to, or why it is refused."""

TERMINAL_STATES: Final = frozenset(
    state
    for state in OrderState
    if all(isinstance(TRANSITIONS[state, command], Rejection) for command in Command)
)
