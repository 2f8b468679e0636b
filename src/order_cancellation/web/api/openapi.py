"""The OpenAPI 3.1 document of the API, made from the operations the app serves and the
JSON Schemas of the forms. ``docs/openapi.json`` is this document, written by
``python -m order_cancellation.web.write_openapi docs/openapi.json``; a test keeps it current.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from order_cancellation import __version__
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.domain.report import SalesReport
from order_cancellation.forms import schema
from order_cancellation.web.api.operations import Operation, Param
from order_cancellation.web.api.problems import PROBLEM_SCHEMA

_REF = "#/components/schemas/"


def _refs_to_components(node: Any) -> Any:
    """The form schemas point into their own ``$defs``; here those live under components."""
    if isinstance(node, dict):
        return {
            key: (
                _REF + value.removeprefix("#/$defs/")
                if key == "$ref" and isinstance(value, str)
                else _refs_to_components(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_refs_to_components(item) for item in node]
    return node


def _form_schemas() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, kind in (
        ("Order", Order),
        ("RefundOrder", RefundOrder),
        ("SalesReport", SalesReport),
    ):
        document = dict(schema(kind))
        for key in ("$schema", "$id"):
            document.pop(key, None)
        definitions = document.pop("$defs", {})
        for definition, body in definitions.items():
            converted = _refs_to_components(body)
            if found.setdefault(definition, converted) != converted:
                raise AssertionError(f"two forms define {definition} differently")
        found[name] = _refs_to_components(document)
    return found


def _page(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"$ref": _REF + item}},
            "next_cursor": {"type": ["string", "null"]},
        },
        "required": ["items", "next_cursor"],
    }


def components() -> dict[str, Any]:
    schemas = _form_schemas()
    schemas.update(
        {
            "OrderPage": _page("Order"),
            "RefundOrderPage": _page("RefundOrder"),
            "RefundOrderList": {
                "type": "object",
                "properties": {"items": {"type": "array", "items": {"$ref": _REF + "RefundOrder"}}},
                "required": ["items"],
            },
            "StockLevels": {
                "type": "object",
                "properties": {
                    "levels": {"type": "object", "additionalProperties": {"type": "integer"}}
                },
                "required": ["levels"],
            },
            "StockLevel": {
                "type": "object",
                "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer"}},
                "required": ["sku", "quantity"],
            },
            "StatusLabels": {
                "type": "object",
                "properties": {
                    "labels": {
                        "type": "object",
                        "additionalProperties": {
                            "enum": ["open", "fulfilled", "canceled", "returned"]
                        },
                    }
                },
                "required": ["labels"],
            },
            "Problem": PROBLEM_SCHEMA,
        }
    )
    return {
        "schemas": dict(sorted(schemas.items())),
        "securitySchemes": {
            "shopToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "a shop's API token (order-cancellation token create --shop S)",
            }
        },
    }


def _parameter(param: Param) -> dict[str, Any]:
    document: dict[str, Any] = {"name": param.name, "in": param.where, "schema": param.schema}
    if param.description:
        document["description"] = param.description
    if param.required:
        document["required"] = True
    return document


_PROBLEM = {"application/problem+json": {"schema": {"$ref": _REF + "Problem"}}}
_STATUS_TEXT = {
    400: "the body is not a JSON object",
    401: "no live token of a shop",
    404: "the shop has no such record (another shop's included)",
    409: "the order's state refuses the command, or a concurrent change",
    412: "If-Match names a version that is no longer current",
    413: "the body is too large",
    422: "the library refuses the input; nothing was changed",
    502: "the payment service failed",
    503: "the store is unavailable",
}


def _operation(operation: Operation) -> dict[str, Any]:
    params = [_parameter(param) for param in operation.params]
    if operation.idempotent_key:
        params.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                "description": "a replay with the same key returns the first result",
            }
        )
    if operation.conditional and operation.method != "GET":
        params.append(
            {
                "name": "If-Match",
                "in": "header",
                "schema": {"type": "string", "maxLength": 40},
                "description": "the order's ETag as last read; refused with 412 when stale",
            }
        )
    ok: dict[str, Any] = {"description": "done"}
    if operation.response is not None:
        ok["content"] = {"application/json": {"schema": {"$ref": _REF + operation.response}}}
    if operation.response == "Order":
        ok["headers"] = {"ETag": {"schema": {"type": "string"}, "description": "the version"}}
    # Any input may be refused (422) and any store may fail (503), whatever the operation.
    # A path parameter may hold text no route matches (a newline): 404 for every such path.
    routed = (404,) if "{" in operation.path else ()
    body = (400, 413) if operation.body else ()
    statuses = sorted({401, 422, 503, *operation.errors, *routed, *body})
    responses: dict[str, Any] = {str(operation.ok): ok}
    for status in statuses:
        responses[str(status)] = {"description": _STATUS_TEXT[status], "content": _PROBLEM}
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "responses": responses,
    }
    if params:
        document["parameters"] = params
    if operation.body is not None:
        document["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": operation.body}},
        }
    return document


def document(operations: Iterable[Operation]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "order-cancellation HTTP API",
            "version": __version__,
            "description": "Cancel and return the orders of the shop whose token is sent.",
        },
        "servers": [{"url": "/api"}],
        "security": [{"shopToken": []}],
        "paths": paths,
        "components": components(),
    }


def text(operations: Iterable[Operation]) -> str:
    return json.dumps(document(operations), indent=2, ensure_ascii=False) + "\n"
