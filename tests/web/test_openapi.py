"""The OpenAPI 3.1 document: served by the app, valid, kept in the repository, complete."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate
from starlette.routing import Mount, Route

from order_cancellation.web.api.openapi import text
from order_cancellation.web.api.routes import OPERATIONS

REPOSITORY_COPY = Path(__file__).parents[2] / "docs" / "openapi.json"


def test_the_app_serves_the_document_without_a_token(http: Any) -> None:
    reply = http.get("/api/openapi.json")
    assert reply.status_code == 200
    assert reply.json()["openapi"] == "3.1.0"


def test_the_document_is_valid_openapi_3_1() -> None:
    validate(json.loads(text(OPERATIONS)))


def test_the_repository_copy_is_current() -> None:
    assert REPOSITORY_COPY.read_text("utf-8") == text(OPERATIONS), (
        "docs/openapi.json is stale: python -m order_cancellation.web.write_openapi "
        "docs/openapi.json"
    )


def test_every_served_api_route_is_in_the_document(http: Any) -> None:
    mount = next(
        route for route in http.app.routes if isinstance(route, Mount) and route.path == "/api"
    )
    served = {
        (method, route.path)
        for route in mount.routes
        if isinstance(route, Route) and route.methods and "{rest" not in route.path
        for method in route.methods - {"HEAD"}
    }
    documented = {
        (method.upper(), path)
        for path, item in json.loads(text(OPERATIONS))["paths"].items()
        for method in item
    }
    assert served - {("GET", "/openapi.json")} == documented


def test_the_openapi_writer_writes_the_served_document(tmp_path: Path) -> None:
    target = tmp_path / "openapi.json"
    subprocess.run(
        [sys.executable, "-m", "order_cancellation.web.write_openapi", str(target)], check=True
    )
    assert target.read_text("utf-8") == text(OPERATIONS)
