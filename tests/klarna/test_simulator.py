"""The simulator itself: Klarna's state rules, idempotency, expiry, auth and faults.

These talk to it with a bare httpx client, as any Klarna client would.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from order_cancellation.testing.klarna_simulator import (
    DISCONNECT_AFTER,
    KEY_LIFETIME,
    TIMEOUT_AFTER,
    TRUNCATED,
    KlarnaSimulator,
    Operation,
)

from .support import TEST_TIMEOUT

ORDER = "/ordermanagement/v1/orders/kl-1"
DAY = timedelta(days=1)


@pytest.fixture
def klarna(sim: KlarnaSimulator) -> Iterator[httpx.Client]:
    token = base64.b64encode(f"{sim.username}:{sim.password}".encode()).decode()
    with httpx.Client(
        base_url=sim.base_url,
        headers={"Authorization": f"Basic {token}"},
        timeout=TEST_TIMEOUT,
    ) as client:
        yield client


def _post(client: httpx.Client, path: str, key: str, body: object = None) -> httpx.Response:
    return client.post(ORDER + path, json=body, headers={"Klarna-Idempotency-Key": key})


def _error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error_code", "error_messages", "correlation_id"}
    code = body["error_code"]
    assert isinstance(code, str)
    return code


def test_wrong_credentials_get_401(sim: KlarnaSimulator) -> None:
    sim.create_order("kl-1", 2500)
    with httpx.Client(base_url=sim.base_url, auth=("sim-merchant", "wrong")) as client:
        response = client.get(ORDER)

    assert response.status_code == 401


def test_an_unknown_order_is_404_no_such_order(klarna: httpx.Client) -> None:
    response = klarna.get(ORDER)

    assert (response.status_code, _error_code(response)) == (404, "NO_SUCH_ORDER")


def test_cancel_is_refused_once_something_was_captured(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 100)

    response = _post(klarna, "/cancel", "k1")

    assert (response.status_code, _error_code(response)) == (403, "CANCEL_NOT_ALLOWED")


def test_release_is_refused_without_captures_and_when_fully_captured(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    uncaptured = _post(klarna, "/release-remaining-authorization", "k1")
    sim.capture("kl-1")
    fully_captured = _post(klarna, "/release-remaining-authorization", "k2")

    assert (uncaptured.status_code, _error_code(uncaptured)) == (403, "NOT_ALLOWED")
    assert "fully captured" in fully_captured.json()["error_messages"][0]


def test_release_frees_the_rest_of_a_partly_captured_order(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    sim.capture("kl-1", 1000)

    response = _post(klarna, "/release-remaining-authorization", "k1")

    assert response.status_code == 204
    order = sim.order("kl-1")
    assert (order["status"], order["remaining_authorized_amount"]) == ("CAPTURED", 0)


def test_a_refund_needs_captures_and_never_exceeds_them(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    nothing_captured = _post(klarna, "/refunds", "k1", {"refunded_amount": 100})
    sim.capture("kl-1", 1000)
    over_refund = _post(klarna, "/refunds", "k2", {"refunded_amount": 1001})

    assert (nothing_captured.status_code, _error_code(nothing_captured)) == (
        403,
        "REFUND_NOT_ALLOWED",
    )
    assert "Over refund" in over_refund.json()["error_messages"][0]


def test_a_refund_answers_201_with_its_id_and_location(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)

    response = _post(klarna, "/refunds", "k1", {"refunded_amount": 700, "reference": "ro-1"})

    refund_id = response.headers["Refund-Id"]
    assert response.status_code == 201
    assert response.headers["Location"].endswith(f"{ORDER}/refunds/{refund_id}")
    refund = klarna.get(f"{ORDER}/refunds/{refund_id}").json()
    assert (refund["refunded_amount"], refund["reference"]) == (700, "ro-1")


def test_captures_can_be_listed_and_read(sim: KlarnaSimulator, klarna: httpx.Client) -> None:
    sim.create_order("kl-1", 2500)
    created = _post(klarna, "/captures", "k1", {"captured_amount": 1000})

    listed = klarna.get(f"{ORDER}/captures").json()
    one = klarna.get(f"{ORDER}/captures/{created.headers['Capture-Id']}").json()

    assert [c["captured_amount"] for c in listed] == [1000]
    assert one["capture_id"] == created.headers["Capture-Id"]


def test_capture_is_refused_after_cancel_and_after_expiry(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    sim.create_order("kl-2", 2500, expires_in=28 * DAY)
    sim.cancel("kl-1")
    sim.advance(29 * DAY)

    canceled = _post(klarna, "/captures", "k1", {"captured_amount": 100})
    expired = klarna.post(
        "/ordermanagement/v1/orders/kl-2/captures",
        json={"captured_amount": 100},
        headers={"Klarna-Idempotency-Key": "k2"},
    )

    assert _error_code(canceled) == _error_code(expired) == "CAPTURE_NOT_ALLOWED"
    assert "expired" in expired.json()["error_messages"][0]


def test_a_replayed_key_returns_the_first_answer_and_ignores_the_body(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)

    first = _post(klarna, "/refunds", "same-key", {"refunded_amount": 500})
    second = _post(klarna, "/refunds", "same-key", {"refunded_amount": 900})

    assert second.headers["Refund-Id"] == first.headers["Refund-Id"]
    assert sim.order("kl-1")["refunded_amount"] == 500
    assert sim.count(Operation.REFUND) == 1


def test_a_key_is_forgotten_after_24_hours(sim: KlarnaSimulator, klarna: httpx.Client) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    _post(klarna, "/refunds", "same-key", {"refunded_amount": 500})

    sim.advance(KEY_LIFETIME)
    _post(klarna, "/refunds", "same-key", {"refunded_amount": 500})

    assert sim.count(Operation.REFUND) == 2


def test_an_authorization_expires_on_the_simulators_clock(sim: KlarnaSimulator) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)

    sim.advance(28 * DAY - timedelta(seconds=1))
    before = sim.order("kl-1")["status"]
    sim.advance(timedelta(seconds=1))

    assert (before, sim.order("kl-1")["status"]) == ("AUTHORIZED", "EXPIRED")


def test_extensions_count_from_the_day_and_stop_at_180_days(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(20 * DAY)
    _post(klarna, "/extend-authorization-time", "k1")
    once = sim.order("kl-1")["expires_at"]
    sim.advance(timedelta(hours=1))
    _post(klarna, "/extend-authorization-time", "k2")
    same_day = sim.order("kl-1")["expires_at"]
    for day in range(7):
        sim.advance(25 * DAY)
        _post(klarna, "/extend-authorization-time", f"k-{day}")

    assert once == same_day
    assert sim.order("kl-1")["expires_at"] == "2025-08-30T09:30:00Z"  # created + 180 days


def test_an_expired_authorization_cannot_be_extended(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500, expires_in=28 * DAY)
    sim.advance(29 * DAY)

    response = _post(klarna, "/extend-authorization-time", "k1")

    assert (response.status_code, _error_code(response)) == (403, "NOT_ALLOWED")


def test_a_timeout_after_processing_applies_the_change_and_loses_the_answer(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TIMEOUT_AFTER)

    with pytest.raises(httpx.ReadTimeout):
        _post(klarna, "/cancel", "k1")

    assert sim.order("kl-1")["status"] == "CANCELLED"


def test_a_disconnect_after_processing_applies_the_change_and_closes_the_connection(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(DISCONNECT_AFTER)

    with pytest.raises(httpx.RemoteProtocolError):
        _post(klarna, "/cancel", "k1")

    assert sim.count(Operation.CANCEL) == 1


def test_a_truncated_answer_breaks_off_mid_body(sim: KlarnaSimulator, klarna: httpx.Client) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TRUNCATED)

    with pytest.raises(httpx.RemoteProtocolError):
        klarna.get(ORDER)


def test_reset_forgets_everything_but_keeps_serving(
    sim: KlarnaSimulator, klarna: httpx.Client
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(TIMEOUT_AFTER)

    sim.reset()

    assert klarna.get(ORDER).status_code == 404
    assert (sim.operations, sim.pending_faults()) == ([], 0)
