"""An API operation as data: its route, handler and what the OpenAPI document says of it.

The routes and the OpenAPI document are both made from these records, so the document
cannot describe an operation the app does not serve, or miss one it does.
"""

from __future__ import annotations

from typing import Any

import attrs

from order_cancellation.domain.values import MAX_ID_LENGTH
from order_cancellation.web.api.http import Handler


@attrs.frozen(kw_only=True)
class Param:
    name: str
    where: str  # "path", "query" or "header"
    schema: dict[str, Any]
    description: str = ""
    required: bool = False


@attrs.frozen(kw_only=True)
class Operation:
    method: str
    path: str  # OpenAPI style: /orders/{order_id}
    operation_id: str
    summary: str
    handler: Handler
    ok: int = 200
    response: str | None = None  # a schema name under components, or None for no body
    body: dict[str, Any] | None = None
    params: tuple[Param, ...] = ()
    errors: tuple[int, ...] = (404, 422)
    idempotent_key: bool = False  # takes Idempotency-Key
    conditional: bool = False  # takes If-Match, answers with an ETag


def path_param(name: str, description: str) -> Param:
    return Param(
        name=name,
        where="path",
        schema={"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH},
        description=description,
        required=True,
    )


def query_param(name: str, schema: dict[str, Any], description: str) -> Param:
    return Param(name=name, where="query", schema=schema, description=description)


LIMIT = query_param("limit", {"type": "integer", "minimum": 1, "maximum": 500}, "page size")
AFTER = query_param(
    "after", {"type": "string", "maxLength": 500}, "the next_cursor of the previous page"
)
