"""Configuration: hosts per region and playground, the environment, and secrets kept secret."""

from __future__ import annotations

import base64
import logging
from importlib import metadata

import httpx
import pytest

from order_cancellation.adapters.klarna import (
    Credentials,
    KlarnaConfig,
    KlarnaCredentialsRejected,
    KlarnaGateway,
    Region,
)
from order_cancellation.domain.errors import ConfigurationError
from order_cancellation.testing.klarna_simulator import (
    TIMEOUT_BEFORE,
    UNAVAILABLE,
    Endpoint,
    KlarnaSimulator,
)

from .contract import Contract
from .support import config_for, gateway_for, settlement

SECRET = "s3cr3t-Pa55word"
USERNAME = "K123456_abcdef"


@pytest.mark.parametrize(
    ("region", "playground", "host"),
    [
        (Region.EU, False, "https://api.klarna.com"),
        (Region.NA, False, "https://api-na.klarna.com"),
        (Region.OC, False, "https://api-oc.klarna.com"),
        (Region.EU, True, "https://api.playground.klarna.com"),
        (Region.NA, True, "https://api-na.playground.klarna.com"),
        (Region.OC, True, "https://api-oc.playground.klarna.com"),
    ],
)
def test_each_region_and_environment_has_its_host(
    region: Region, playground: bool, host: str
) -> None:
    config = KlarnaConfig(
        credentials=Credentials.basic(USERNAME, SECRET), region=region, playground=playground
    )

    assert config.api_url == host


def test_a_base_url_overrides_the_region() -> None:
    config = KlarnaConfig(
        credentials=Credentials.basic(USERNAME, SECRET),
        region=Region.NA,
        base_url="https://klarna-proxy.example/",
    )

    assert config.api_url == "https://klarna-proxy.example"


@pytest.mark.parametrize(
    "url", ["http://klarna-proxy.example", "ftp://127.0.0.1", "api.klarna.com"]
)
def test_plain_http_is_refused_except_on_loopback(url: str) -> None:
    with pytest.raises(ConfigurationError, match="https://"):
        KlarnaConfig(credentials=Credentials.basic(USERNAME, SECRET), base_url=url)


def test_credentials_inside_the_base_url_are_refused_without_repeating_them() -> None:
    with pytest.raises(ConfigurationError) as raised:
        KlarnaConfig(
            credentials=Credentials.basic(USERNAME, SECRET),
            base_url=f"https://{USERNAME}:{SECRET}@api.klarna.com",
        )

    assert SECRET not in str(raised.value)
    assert "KLARNA_USERNAME" in str(raised.value)


def test_from_env_reads_credentials_region_and_playground() -> None:
    config = KlarnaConfig.from_env(
        {
            "KLARNA_USERNAME": USERNAME,
            "KLARNA_PASSWORD": SECRET,
            "KLARNA_REGION": "na",
            "KLARNA_PLAYGROUND": "true",
            "KLARNA_READ_TIMEOUT": "7.5",
        }
    )

    assert config.api_url == "https://api-na.playground.klarna.com"
    assert config.read_timeout == 7.5
    assert config.credentials == Credentials.basic(USERNAME, SECRET)


def test_from_env_defaults_to_europe_live() -> None:
    config = KlarnaConfig.from_env({"KLARNA_USERNAME": USERNAME, "KLARNA_PASSWORD": SECRET})

    assert config.api_url == "https://api.klarna.com"


def test_from_env_accepts_an_api_key_alone() -> None:
    config = KlarnaConfig.from_env({"KLARNA_API_KEY": "klarna_test_api_abc"})

    assert config.credentials.authorization() == "Basic klarna_test_api_abc"


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({}, "KLARNA_USERNAME"),
        ({"KLARNA_USERNAME": USERNAME}, "KLARNA_PASSWORD"),
        ({"KLARNA_API_KEY": "k", "KLARNA_REGION": "ASIA"}, "EU"),
        ({"KLARNA_API_KEY": "k", "KLARNA_PLAYGROUND": "maybe"}, "true or false"),
        ({"KLARNA_API_KEY": "k", "KLARNA_READ_TIMEOUT": "-1"}, "above zero"),
    ],
)
def test_from_env_says_which_setting_to_fix(environ: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigurationError, match=names):
        KlarnaConfig.from_env(environ)


def test_a_missing_password_is_reported_without_the_username_or_secret() -> None:
    with pytest.raises(ConfigurationError) as raised:
        KlarnaConfig.from_env({"KLARNA_USERNAME": USERNAME, "KLARNA_PASSWORD": ""})

    assert USERNAME not in str(raised.value)


def test_reprs_never_show_credentials() -> None:
    config = KlarnaConfig(credentials=Credentials.basic(USERNAME, SECRET))
    gateway = KlarnaGateway(config)

    with gateway:
        shown = " ".join([repr(config), repr(config.credentials), repr(gateway), str(config)])

    assert SECRET not in shown
    assert USERNAME not in shown


def test_requests_carry_basic_auth_and_a_user_agent_naming_the_library() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"error_code": "NO_SUCH_ORDER"})

    config = KlarnaConfig(credentials=Credentials.basic(USERNAME, SECRET))
    with (
        KlarnaGateway(config, transport=httpx.MockTransport(answer)) as gateway,
        pytest.raises(Exception, match="no order"),
    ):
        gateway.order_view("kl-1")

    (request,) = seen
    expected = base64.b64encode(f"{USERNAME}:{SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    version = metadata.version("order-cancellation")
    assert request.headers["User-Agent"].startswith(f"order-cancellation/{version}")
    assert str(request.url).startswith("https://api.klarna.com/ordermanagement/v1/orders/")


def test_no_log_line_or_error_carries_the_credentials(
    caplog: pytest.LogCaptureFixture, contract: Contract | None
) -> None:
    with KlarnaSimulator(username=USERNAME, password=SECRET) as sim:
        sim.create_order("kl-1", 2500, auto_capture=True)
        sim.inject(UNAVAILABLE, TIMEOUT_BEFORE, endpoint=Endpoint.REFUND)
        caplog.set_level(logging.DEBUG)
        with gateway_for(sim) as gateway:
            gateway.settle(settlement("kl-1", 2500, now=sim.clock))
        wrong = config_for(sim, credentials=Credentials.basic(USERNAME, SECRET + "x"))
        with (
            KlarnaGateway(wrong) as misconfigured,
            pytest.raises(KlarnaCredentialsRejected) as raised,
        ):
            misconfigured.settle(settlement("kl-1", 2500, now=sim.clock))

    if contract is not None:
        contract.check(sim.exchanges)
    encoded = base64.b64encode(f"{USERNAME}:{SECRET}".encode()).decode()
    texts = [record.getMessage() for record in caplog.records]
    texts += [str(raised.value), repr(raised.value), str(raised.value.__cause__)]
    assert any("klarna" in text for text in texts)
    for text in texts:
        assert SECRET not in text
        assert USERNAME not in text
        assert encoded not in text
