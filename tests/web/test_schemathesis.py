"""Schemathesis over every operation of the OpenAPI document: generated requests (valid
and not) never cause a server error, and every reply matches the document (status code,
content type, body schema). CI runs 25 examples per operation; ``-m nightly`` runs 500."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from order_cancellation import LineItem, Money, Sales
from order_cancellation.web import create_app

SHOP = Sales.in_memory("acme")
SHOP.set_stock("MUG", 10**9)
SHOP.place_order([LineItem("MUG", 1, Money.of("5", "EUR"))], order_id="A-1")
TOKEN = SHOP.create_api_token(name="schemathesis")[0]
APP = create_app(SHOP, session_secret="schemathesis")

schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
COMMON = {"deadline": None, "suppress_health_check": list(HealthCheck), "derandomize": True}


@schema.parametrize()
@settings(max_examples=25, **COMMON)  # type: ignore[arg-type]
def test_every_operation_answers_within_its_document(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)


@pytest.mark.nightly
@schema.parametrize()
@settings(max_examples=500, **COMMON)  # type: ignore[arg-type]
def test_every_operation_answers_within_its_document_at_length(
    case: schemathesis.Case[Any],
) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
