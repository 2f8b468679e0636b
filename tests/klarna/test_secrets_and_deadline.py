"""The gateway never shows its secret (not in the base URL, its repr, errors, stored errors or
logs), and one call never outlives its deadline, however slowly Klarna's answer trickles in."""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest

from order_cancellation import LineItem, Money, PaymentRef, Sales
from order_cancellation.adapters.klarna import (
    Credentials,
    HttpRetryPolicy,
    KlarnaConfig,
    KlarnaGateway,
    KlarnaRequestRejected,
    KlarnaResponseUnreadable,
    KlarnaUnavailable,
)
from order_cancellation.domain.errors import ConfigurationError

from .support import START, settlement

USER, PASSWORD = "K1_user", "s3cr3t-Pa55word"
TOKEN = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
SECRETS = (PASSWORD, TOKEN, f"{USER}:{PASSWORD}")
CREDENTIALS = Credentials.basic(USER, PASSWORD)


def _config(**changes: object) -> KlarnaConfig:
    settings: dict[str, object] = {
        "credentials": CREDENTIALS,
        "base_url": "https://klarna.invalid",
        "retry": HttpRetryPolicy(max_attempts=2, base_delay=0.0, max_delay=0.0),
    }
    return KlarnaConfig(**(settings | changes))  # type: ignore[arg-type]


def _gateway(
    handler: Callable[[httpx.Request], httpx.Response], **changes: object
) -> KlarnaGateway:
    return KlarnaGateway(
        _config(**changes), transport=httpx.MockTransport(handler), sleep=lambda _: None
    )


# -- the base URL and repr ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"https://{USER}:{PASSWORD}@api.klarna.com",
        f"https://api.klarna.com/?token={PASSWORD}",
        f"https://api.klarna.com/#{PASSWORD}",
        f"https://api.klarna.com/path?{PASSWORD}",
    ],
    ids=["userinfo", "query", "fragment", "bare-query"],
)
def test_a_base_url_carrying_a_secret_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(
        ConfigurationError, match="must not contain credentials, a query"
    ) as refused:
        _config(base_url=url)

    assert PASSWORD not in str(refused.value)


def test_a_base_url_that_cannot_be_read_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="cannot be read"):
        _config(base_url="https://api.klarna.com:99999")


def test_the_gateway_repr_shows_no_secret() -> None:
    with KlarnaGateway(_config()) as gateway:
        shown = repr(gateway)

    assert "klarna.invalid" in shown
    assert not any(secret in shown for secret in SECRETS)


def test_redact_removes_every_form_of_the_secret() -> None:
    text = f"Basic {TOKEN} {USER}:{PASSWORD} and {PASSWORD} alone"

    assert CREDENTIALS.redact(text) == "Basic <redacted> <redacted> and <redacted> alone"


def test_an_api_key_is_redacted_too() -> None:
    assert Credentials.api_key("key-123").redact("Basic key-123") == "Basic <redacted>"


# -- answers that echo the secret -----------------------------------------------------------------


def _echoing(request: httpx.Request) -> httpx.Response:
    authorization = request.headers["Authorization"]
    return httpx.Response(
        400,
        json={
            "error_code": f"BAD_{PASSWORD}",
            "error_messages": [f"you sent {authorization}", f"password {PASSWORD}"],
            "correlation_id": TOKEN,
        },
    )


def test_an_error_echoing_the_authorization_header_is_redacted_in_the_exception_and_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="order_cancellation")

    with _gateway(_echoing) as gateway, pytest.raises(KlarnaRequestRejected) as rejected:
        gateway.settle(settlement("kl-1", 2000, now=START))

    error = rejected.value
    kept = [str(error), error.error_code or "", error.correlation_id or "", caplog.text]
    assert "you sent Basic <redacted>" in str(error)
    assert not any(secret in text for secret in SECRETS for text in kept)


def test_a_body_that_is_not_json_is_quoted_without_the_secret() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=f"<{PASSWORD}>".encode())

    with _gateway(handler) as gateway, pytest.raises(KlarnaResponseUnreadable) as failed:
        gateway.settle(settlement("kl-1", 2000, now=START))

    assert "<redacted>" in str(failed.value)
    assert PASSWORD not in str(failed.value)


def test_the_stored_error_of_a_refund_order_holds_no_secret() -> None:
    gateway = _gateway(_echoing)
    sales = Sales.in_memory("acme", gateways={"klarna": gateway})
    sales.set_stock("MUG", 1)
    order = sales.place_order(
        [LineItem("MUG", 1, Money.of("20.00", "EUR"))],
        payment=PaymentRef(provider="klarna", reference="kl-1"),
    )

    refund = sales.cancel_order(order.id)

    assert "<redacted>" in (refund.last_error or "")
    assert not any(secret in (refund.last_error or "") for secret in SECRETS)
    gateway.close()


# -- one deadline per call -------------------------------------------------------------------------


class _Trickle(httpx.SyncByteStream):
    """An answer sent one byte every 20 ms: each byte resets httpx's read timeout."""

    def __iter__(self) -> Iterator[bytes]:
        for byte in json.dumps({"status": "AUTHORIZED", "padding": "x" * 500}).encode():
            time.sleep(0.02)
            yield bytes([byte])


def test_a_trickling_answer_cannot_hold_a_call_past_its_deadline() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, stream=_Trickle())

    started = time.monotonic()
    with (
        _gateway(handler, call_deadline=0.3, read_timeout=0.5) as gateway,
        pytest.raises(KlarnaUnavailable, match=r"within the 0\.3 s call deadline") as failed,
    ):
        gateway.settle(settlement("kl-1", 2000, now=START))

    assert time.monotonic() - started < 1.0
    assert "no time left" in str(failed.value)
    assert len(requests) == 1


def test_a_retry_that_would_start_after_the_deadline_is_not_sent() -> None:
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(503, json={"error_code": "TEMPORARILY_UNAVAILABLE"})

    config = _config(
        call_deadline=0.2, retry=HttpRetryPolicy(max_attempts=3, base_delay=0.1, max_delay=0.1)
    )
    gateway = KlarnaGateway(
        config,
        transport=httpx.MockTransport(handler),
        sleep=lambda _: time.sleep(0.25),  # a wait that overruns what it was asked for
        jitter=lambda: 0.5,
    )

    with gateway, pytest.raises(KlarnaUnavailable, match="call deadline"):
        gateway.settle(settlement("kl-1", 2000, now=START))

    assert len(requests) == 1


def test_the_deadline_is_read_from_the_environment() -> None:
    config = KlarnaConfig.from_env({"KLARNA_API_KEY": "key", "KLARNA_CALL_DEADLINE": "12.5"})

    assert config.call_deadline == 12.5


def test_the_default_deadline_ends_well_inside_the_workers_lease() -> None:
    assert timedelta(seconds=_config().call_deadline) <= timedelta(seconds=60) / 2


def test_a_deadline_of_zero_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="call_deadline must be above zero"):
        _config(call_deadline=0)
