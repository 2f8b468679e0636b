"""Merchant-visible status labels and the lifecycle state each one means."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from order_cancellation.domain.errors import InvalidInput, NotACancelStatus, UnknownStatusLabel
from order_cancellation.domain.states import OrderState

DEFAULT_CANCEL_LABEL: Final = "Canceled"

DEFAULT_LABELS: Final[Mapping[str, OrderState]] = MappingProxyType(
    {
        "Open": OrderState.OPEN,
        "Fulfilled": OrderState.FULFILLED,
        DEFAULT_CANCEL_LABEL: OrderState.CANCELED,
        "Returned": OrderState.RETURNED,
    }
)
"""The label shown for each state until the merchant picks another."""

MAX_LABEL_LENGTH: Final = 100


def default_label(state: OrderState) -> str:
    return next(label for label, meaning in DEFAULT_LABELS.items() if meaning is state)


def validate_label_text(label: str) -> str:
    if not isinstance(label, str) or not label.strip():
        raise InvalidInput("a status label is non-empty text, for example 'Canceled - fraud'.")
    if len(label) > MAX_LABEL_LENGTH or not label.isprintable():
        raise InvalidInput(
            f"a status label is printable text of at most {MAX_LABEL_LENGTH} characters."
        )
    return label


def _read_only(labels: Mapping[str, OrderState]) -> Mapping[str, OrderState]:
    return MappingProxyType(dict(labels))


@attrs.frozen
class StatusCatalog:
    """The labels one shop has defined, each meaning exactly one lifecycle state."""

    labels: Mapping[str, OrderState] = attrs.field(
        factory=lambda: dict(DEFAULT_LABELS), converter=_read_only
    )

    @classmethod
    def with_custom(cls, custom: Iterable[tuple[str, OrderState]]) -> StatusCatalog:
        return cls({**DEFAULT_LABELS, **dict(custom)})

    def define(self, label: str, means: OrderState) -> StatusCatalog:
        """A catalog that also knows ``label``; redefining a label's meaning is refused."""
        validate_label_text(label)
        existing = self.labels.get(label)
        if existing is not None and existing is not means:
            raise InvalidInput(
                f"the status label {label!r} already means {existing.name}; "
                "choose another label for a different meaning."
            )
        return StatusCatalog({**self.labels, label: means})

    def meaning(self, label: str) -> OrderState:
        try:
            return self.labels[label]
        except (KeyError, TypeError):
            known = ", ".join(sorted(self.labels))
            raise UnknownStatusLabel(
                f"the status label {label!r} is not defined in this shop (known: {known}); "
                "define it with define_status_label() first."
            ) from None

    def cancel_label(self, label: str) -> str:
        """Check that ``label`` exists and means CANCELED; return it."""
        if self.meaning(label) is not OrderState.CANCELED:
            cancel_labels = ", ".join(sorted(self.cancel_labels()))
            raise NotACancelStatus(
                f"the status label {label!r} means {self.labels[label].name}, not CANCELED; "
                f"pick one of: {cancel_labels}."
            )
        return label

    def cancel_labels(self) -> list[str]:
        return [label for label, state in self.labels.items() if state is OrderState.CANCELED]
