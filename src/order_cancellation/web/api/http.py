"""What every API endpoint shares: the shop from the credential, the JSON body, the
``Idempotency-Key`` and ``If-Match`` headers, and errors turned into problem details.

The library is synchronous; each call runs in Starlette's thread pool so that one slow
store call never stalls the event loop for other requests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final

import attrs
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from order_cancellation.domain.errors import InvalidInput, OrderCancellationError
from order_cancellation.domain.order import Order
from order_cancellation.forms import to_json
from order_cancellation.sales import Sales
from order_cancellation.web.api.problems import (
    HttpProblem,
    http_problem,
    library_problem,
)
from order_cancellation.web.auth import Access

MAX_BODY: Final = 1_000_000
_ETAG: Final = re.compile(r'^\s*(?:W/)?"(\d{1,18})"\s*$')


@attrs.frozen
class Call:
    """One API request, read: its shop, its body and its conditional headers."""

    request: Request
    sales: Sales
    body: Mapping[str, Any]

    @property
    def idempotency_key(self) -> str | None:
        return self.request.headers.get("idempotency-key")

    @property
    def expected_version(self) -> int | None:
        """The order version named by ``If-Match`` (an ETag this API sent), else None."""
        sent = self.request.headers.get("if-match")
        if sent is None:
            return None
        match = _ETAG.match(sent)
        if match is None:
            raise HttpProblem(
                412,
                "precondition_failed",
                "Precondition failed",
                'If-Match takes the ETag of the order as last read, such as "3".',
            )
        return int(match.group(1))

    def path(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name)


Handler = Callable[[Call], Response]


def etag(order: Order) -> str:
    return f'"{order.version}"'


def order_response(order: Order, status: int = 200) -> JSONResponse:
    return JSONResponse(to_json(order), status_code=status, headers={"ETag": etag(order)})


async def _body(request: Request) -> Mapping[str, Any]:
    if request.method in ("GET", "HEAD", "DELETE"):
        return {}
    raw = await request.body()
    if not raw.strip():
        return {}
    if len(raw) > MAX_BODY:
        raise HttpProblem(413, "too_large", "Content too large", "a body is at most 1 MB.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise HttpProblem(400, "malformed", "Bad request", "the body is not JSON.") from None
    if not isinstance(body, dict):
        raise HttpProblem(400, "malformed", "Bad request", "the body is a JSON object.")
    return body


def endpoint(access: Access, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An ASGI endpoint running ``handler`` for the request's shop, errors as problems."""

    async def run(request: Request) -> Response:
        conditional = "if-match" in request.headers
        try:
            body = await _body(request)
            return await run_in_threadpool(_serve, access, handler, request, body)
        except HttpProblem as problem:
            return http_problem(problem)
        except OrderCancellationError as error:
            return library_problem(error, conditional=conditional)

    return run


def _serve(access: Access, handler: Handler, request: Request, body: Mapping[str, Any]) -> Response:
    sales = access.api_sales(request)
    return handler(Call(request, sales, body))


def page_query(call: Call) -> dict[str, Any]:
    """``limit`` and ``after`` of a listing (the library checks their bounds)."""
    options: dict[str, Any] = {}
    limit = call.query("limit")
    if limit is not None:
        if not limit.isdigit() or len(limit) > 6:
            raise InvalidInput("limit is a whole number from 1 to 500.")
        options["limit"] = int(limit)
    after = call.query("after")
    if after is not None:
        options["after"] = after
    return options
