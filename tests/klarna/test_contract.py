"""The OpenAPI contract check itself: present, covering the simulator, and able to fail."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from order_cancellation.testing.klarna_simulator import (
    Endpoint,
    Exchange,
    SimRequest,
    SimResponse,
)

from . import contract as contract_module
from .contract import TEMPLATES, Contract, load_contract, spec_missing_reason

AUTH = ("Authorization", "Basic " + base64.b64encode(b"merchant:secret").decode())
ORDER = "/ordermanagement/v1/orders/kl-1"


def _contract(contract: Contract | None) -> Contract:
    if contract is None:
        pytest.skip(spec_missing_reason())
    return contract


def _refund(amount: int) -> Exchange:
    return Exchange(
        request=SimRequest(
            method="POST",
            path=f"{ORDER}/refunds",
            headers=(AUTH, ("Content-Type", "application/json")),
            body=json.dumps({"refunded_amount": amount}).encode(),
            base_url="http://127.0.0.1",
        ),
        endpoint=Endpoint.REFUND,
        order_id="kl-1",
        response=SimResponse(status=201, headers=(("Refund-Id", "r-1"), ("Location", "x"))),
    )


def test_the_openapi_contract_is_present(contract: Contract | None) -> None:
    _contract(contract)


def test_every_operation_the_simulator_serves_is_in_the_contract(
    contract: Contract | None,
) -> None:
    operations = _contract(contract).operations()

    assert set(TEMPLATES.values()) <= operations


def test_the_contract_accepts_a_refund_klarna_accepts(contract: Contract | None) -> None:
    assert _contract(contract).problems(_refund(200_000_000)) == []


def test_the_contract_rejects_a_refund_above_klarnas_maximum(contract: Contract | None) -> None:
    problems = _contract(contract).problems(_refund(200_000_001))

    assert problems
    assert "maximum" in problems[0]


def test_the_contract_rejects_an_order_in_a_status_klarna_does_not_have(
    contract: Contract | None,
) -> None:
    exchange = Exchange(
        request=SimRequest(
            method="GET", path=ORDER, headers=(AUTH,), body=b"", base_url="http://127.0.0.1"
        ),
        endpoint=Endpoint.GET_ORDER,
        order_id="kl-1",
        response=SimResponse.json(200, {"order_id": "kl-1", "status": "REFUNDED"}),
    )

    assert _contract(contract).problems(exchange)


def test_the_contract_rejects_a_request_without_credentials(contract: Contract | None) -> None:
    exchange = Exchange(
        request=SimRequest(
            method="GET", path=ORDER, headers=(), body=b"", base_url="http://127.0.0.1"
        ),
        endpoint=Endpoint.GET_ORDER,
        order_id="kl-1",
        response=None,
    )

    assert _contract(contract).problems(exchange)


def test_without_the_file_the_checks_are_skipped_outside_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(contract_module, "SPEC_PATH", tmp_path / "absent.yml")
    monkeypatch.delenv("CI", raising=False)

    assert load_contract() is None


def test_without_the_file_ci_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(contract_module, "SPEC_PATH", tmp_path / "absent.yml")
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="In CI it must be present"):
        load_contract()
