"""The documentation says what the code does."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from order_cancellation import LineItem, Money, PaymentRef, PaymentStatus, Sales
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


def _snippet(page: str) -> str:
    text = (DOCS / page).read_text()
    return text.split("```python", 1)[1].split("```", 1)[0]


def test_the_manual_refunds_snippet_runs_when_nothing_is_owed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    exec(_snippet("guides/manual-refunds.md"), {})


def test_the_manual_refunds_snippet_marks_the_oldest_refund_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with Sales.sqlite("shop.db", shop="acme") as sales:
        sales.set_stock("MUG", 1)
        order = sales.place_order(
            [LineItem("MUG", 1, Money.of("19.00", "EUR"))],
            payment=PaymentRef(provider="paypal", reference="PAY-77"),
        )
        refund = sales.cancel_order(order.id)

    exec(_snippet("guides/manual-refunds.md"), {})

    with Sales.sqlite("shop.db", shop="acme") as sales:
        assert sales.get_refund_order(refund.id).payment_status is PaymentStatus.MANUALLY_REFUNDED
