"""Edges of the Klarna adapter and of the shipped simulator: settings refused with a message
naming them, answers the gateway must not act on, and requests the simulator refuses as
Klarna does."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from order_cancellation.adapters.klarna import (
    Credentials,
    HttpRetryPolicy,
    KlarnaConfig,
    KlarnaGateway,
    KlarnaRequestRejected,
    KlarnaResponseUnexpected,
)
from order_cancellation.domain.errors import ConfigurationError
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus
from order_cancellation.testing.klarna_simulator import (
    IN_PROCESS_URL,
    MAX_AMOUNT,
    Endpoint,
    KlarnaSimulator,
    Operation,
    error,
    rewrite,
)

from .support import EUR, START, capture_request, lines_of, posts, settlement

ORDER = "/ordermanagement/v1/orders/kl-1"
CREDENTIALS = Credentials.basic("K1_user", "pass")


def _auth(sim: KlarnaSimulator) -> dict[str, str]:
    token = base64.b64encode(f"{sim.username}:{sim.password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


@pytest.fixture
def offline() -> KlarnaSimulator:
    """A simulator that is not served; requests reach it through its in-process transport."""
    return KlarnaSimulator(start=START)


@pytest.fixture
def klarna(offline: KlarnaSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=IN_PROCESS_URL, transport=offline.in_process_transport(), headers=_auth(offline)
    ) as client:
        yield client


def _error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error_code"], body["error_messages"][0]


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Credentials.basic("", "pass"), "both a username and a password"),
        (lambda: Credentials.basic("K1_user", ""), "both a username and a password"),
        (lambda: Credentials.api_key(""), "API key is empty"),
    ],
)
def test_empty_credentials_are_refused_naming_the_setting(make: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        make()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_attempts": 0}, "max_attempts must be 1 or more"),
        ({"base_delay": -0.1}, "0 <= base_delay <= max_delay"),
        ({"base_delay": 3.0, "max_delay": 2.0}, "0 <= base_delay <= max_delay"),
    ],
)
def test_a_retry_policy_that_cannot_work_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        HttpRetryPolicy(**changes)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"connect_timeout": 0.0}, "connect_timeout must be above zero"),
        ({"read_timeout": -1.0}, "read_timeout must be above zero"),
        ({"region": "EU"}, "region must be a Region"),
        ({"max_reconciles": -1}, "max_reconciles must be 0 or more"),
        ({"key_window": timedelta(hours=24)}, "shorter than the 24 hours"),
        ({"key_window": timedelta(0)}, "shorter than the 24 hours"),
    ],
)
def test_a_klarna_config_that_cannot_work_is_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        KlarnaConfig(credentials=CREDENTIALS, **changes)


def test_a_timeout_in_the_environment_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="KLARNA_CONNECT_TIMEOUT is 'soon'; give a number"):
        KlarnaConfig.from_env({"KLARNA_API_KEY": "k", "KLARNA_CONNECT_TIMEOUT": "soon"})


# -- the gateway -----------------------------------------------------------------------------


def test_capturing_nothing_sends_nothing(sim: KlarnaSimulator, gateway: KlarnaGateway) -> None:
    sim.create_order("kl-1", 2500)

    captured = gateway.capture(capture_request("kl-1", 0, now=sim.clock))

    assert captured == Money.zero(EUR)
    assert posts(sim) == []


def test_a_capture_klarna_rejects_as_invalid_is_a_typed_rejection(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500)
    sim.inject(error(400, "BAD_VALUE"), endpoint=Endpoint.CAPTURE)

    with pytest.raises(KlarnaRequestRejected, match=r"Klarna rejected the capture.*BAD_VALUE"):
        gateway.capture(capture_request("kl-1", 1000, now=sim.clock))

    assert len(posts(sim)) == 1
    assert sim.count(Operation.CAPTURE) == 0


def test_extending_an_order_klarna_does_not_know_is_a_typed_rejection(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    with pytest.raises(KlarnaRequestRejected, match=r"extending.*HTTP 404 NO_SUCH_ORDER"):
        gateway.extend_authorization("kl-missing", idempotency_key="extend-1")


def test_a_listed_refund_that_is_not_an_object_stops_before_anything_is_sent(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    sim.create_order("kl-1", 2500, auto_capture=True)
    sim.inject(rewrite(lambda o: {**_object(o), "refunds": ["r-1"]}), endpoint=Endpoint.GET_ORDER)

    with pytest.raises(KlarnaResponseUnexpected, match="no valid 'refunds'"):
        gateway.settle(settlement("kl-1", 2500, now=sim.clock))

    assert posts(sim) == []


def test_more_lines_than_klarna_takes_are_left_out_of_the_refund(
    sim: KlarnaSimulator, gateway: KlarnaGateway
) -> None:
    count = 1001
    sim.create_order("kl-1", count, auto_capture=True)

    result = gateway.settle(settlement("kl-1", count, now=sim.clock, lines=lines_of(*[1] * count)))

    (post,) = posts(sim)
    body = json.loads(post.request.body)
    assert result.status is PaymentStatus.REFUNDED
    assert body["refunded_amount"] == count
    assert "order_lines" not in body


# -- the simulator's own life ----------------------------------------------------------------


def test_starting_a_serving_simulator_again_keeps_its_address() -> None:
    with KlarnaSimulator(start=START) as sim:
        address = sim.base_url

        assert sim.start().base_url == address


def test_a_stopped_simulator_has_no_address_and_stops_again_harmlessly() -> None:
    sim = KlarnaSimulator(start=START)
    with sim:
        pass

    sim.stop()

    with pytest.raises(RuntimeError, match="not serving"):
        _ = sim.base_url


def test_an_order_for_nothing_is_not_created(offline: KlarnaSimulator) -> None:
    with pytest.raises(ValueError, match="above zero, not 0"):
        offline.create_order("kl-1", 0)


def test_an_order_line_above_klarnas_maximum_is_not_created(offline: KlarnaSimulator) -> None:
    line = {"name": "Yacht", "quantity": 1, "total_amount": MAX_AMOUNT + 1}

    with pytest.raises(ValueError, match="at most 200000000 minor units per order line"):
        offline.create_order("kl-1", MAX_AMOUNT + 1, lines=[line])


def test_an_order_id_is_created_once(offline: KlarnaSimulator) -> None:
    offline.create_order("kl-1", 2500)

    with pytest.raises(ValueError, match="'kl-1' exists already"):
        offline.create_order("kl-1", 100)

    assert offline.order("kl-1")["order_amount"] == 2500


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (MAX_AMOUNT + 1, "captured_amount must be at most"),
        (2501, "higher than the remaining authorized amount"),
        (0, "higher than the remaining authorized amount"),
    ],
)
def test_a_portal_capture_klarna_would_refuse_is_refused(
    offline: KlarnaSimulator, amount: int, message: str
) -> None:
    offline.create_order("kl-1", 2500)

    with pytest.raises(ValueError, match=f"Klarna would refuse this: .*{message}"):
        offline.capture("kl-1", amount)

    assert offline.order("kl-1")["captured_amount"] == 0


# -- the simulator's answers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"captured_amount=100", "not JSON"),
        (b"[100]", "must be a JSON object"),
        (b'{"captured_amount": "100"}', "captured_amount must be an integer"),
        (b'{"captured_amount": 100, "reference": 7}', "reference must be text"),
        (b'{"captured_amount": 100, "description": "' + b"d" * 256 + b'"}', "description"),
        (b'{"captured_amount": 100, "order_lines": {}}', "order_lines must be a list"),
    ],
)
def test_a_malformed_capture_is_refused_as_bad_value(
    offline: KlarnaSimulator, klarna: httpx.Client, body: bytes, message: str
) -> None:
    offline.create_order("kl-1", 2500)

    response = klarna.post(
        ORDER + "/captures",
        content=body,
        headers={"Content-Type": "application/json", "Klarna-Idempotency-Key": "k1"},
    )

    status, code, text = _error(response)
    assert (status, code) == (400, "BAD_VALUE")
    assert message in text
    assert offline.order("kl-1")["captured_amount"] == 0


def test_any_capture_of_an_order_can_be_read_by_its_id(
    offline: KlarnaSimulator, klarna: httpx.Client
) -> None:
    offline.create_order("kl-1", 2500)
    offline.capture("kl-1", 1000)
    second = offline.capture("kl-1", 500)

    response = klarna.get(f"{ORDER}/captures/{second}")

    assert response.json()["captured_amount"] == 500


def test_an_unknown_capture_is_404_no_such_capture(
    offline: KlarnaSimulator, klarna: httpx.Client
) -> None:
    offline.create_order("kl-1", 2500)
    offline.capture("kl-1", 1000)

    response = klarna.get(f"{ORDER}/captures/no-such-capture")

    assert _error(response)[:2] == (404, "NO_SUCH_CAPTURE")


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", ORDER), ("PATCH", ORDER), ("GET", "/ordermanagement/v1/orders"), ("POST", ORDER)],
)
def test_a_request_klarna_has_no_operation_for_is_404_not_found(method: str, path: str) -> None:
    with KlarnaSimulator(start=START) as sim, httpx.Client(headers=_auth(sim)) as client:
        sim.create_order("kl-1", 2500)

        response = client.request(method, sim.base_url + path)

    assert _error(response)[:2] == (404, "NOT_FOUND")
    assert sim.order("kl-1")["status"] == "AUTHORIZED"


def test_a_request_that_breaks_the_server_prints_nothing_and_serving_goes_on(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with KlarnaSimulator(start=START) as sim:
        sim.create_order("kl-1", 2500)
        host, port = sim.base_url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=5) as raw:
            raw.sendall(f"POST {ORDER}/cancel HTTP/1.1\r\nContent-Length: many\r\n\r\n".encode())
            answer = raw.recv(1024)
        with httpx.Client(headers=_auth(sim)) as client:
            after = client.get(sim.base_url + ORDER)

    assert answer == b""
    assert "Traceback" not in capsys.readouterr().err
    assert after.json()["status"] == "AUTHORIZED"


def _object(value: object) -> dict[str, object]:
    assert isinstance(value, dict)
    return value
