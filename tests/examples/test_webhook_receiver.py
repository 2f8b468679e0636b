"""examples/webhook_receiver.py: signed deliveries verified, redeliveries handled once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from examples.webhook_receiver import DEMO_SECRET, Receiver, demo, main
from standardwebhooks import Webhook

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "webhook_receiver.py"


def _signed(body: bytes, secret: str = DEMO_SECRET) -> dict[str, str]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign("evt_1", now, body.decode()),
    }


def test_the_demo_receives_the_events_it_asked_for() -> None:
    handled = demo()

    assert [document["type"] for document in handled] == ["order.placed", "order.canceled"]


def test_a_redelivery_is_answered_but_handled_once() -> None:
    receiver = Receiver(DEMO_SECRET)
    body = b'{"type":"order.placed","timestamp":"2026-11-02T09:30:00Z","data":{}}'
    headers = _signed(body)

    assert receiver.receive(body, headers) == 204
    assert receiver.receive(body, headers) == 204
    assert len(receiver.handled) == 1


def test_a_forged_or_malformed_signature_is_refused() -> None:
    receiver = Receiver(DEMO_SECRET)
    body = b'{"type":"order.placed"}'

    forged = _signed(body, "whsec_" + "A" * 40)
    malformed = {**_signed(body), "webhook-signature": "nocomma"}

    assert receiver.receive(body, forged) == 401
    assert receiver.receive(body, malformed) == 401
    assert receiver.handled == []


def test_serving_needs_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBHOOK_SECRET", raising=False)

    assert main(["--serve"]) == 2


def test_the_example_runs_as_a_script() -> None:
    ran = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=True
    )

    assert '"type": "order.canceled"' in ran.stdout
