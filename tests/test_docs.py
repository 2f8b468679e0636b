"""The documentation says what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from order_cancellation.domain.states import TRANSITIONS, Command, OrderState, Rejection

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_state_diagram_shows_exactly_the_allowed_transitions() -> None:
    text = (DOCS / "concepts.md").read_text()
    diagram = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = {
        (OrderState[source], Command[command.upper()], OrderState[target])
        for source, target, command in re.findall(r"(\w+) --> (\w+): (\w+)", diagram)
        if source != "[*]" and command != "place"
    }
    allowed = {
        (state, command, target)
        for (state, command), outcome in TRANSITIONS.items()
        if not isinstance(outcome, Rejection)
        for target in outcome
    }
    assert drawn == allowed
