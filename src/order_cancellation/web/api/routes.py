"""The API's routes, one per operation, and its OpenAPI document at ``/openapi.json``."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from order_cancellation.web.api import openapi, orders, shop
from order_cancellation.web.api.http import endpoint
from order_cancellation.web.api.problems import problem
from order_cancellation.web.auth import Access

OPERATIONS = orders.OPERATIONS + shop.OPERATIONS


def api_routes(access: Access) -> list[BaseRoute]:
    document = openapi.text(OPERATIONS)

    async def openapi_json(request: Request) -> Response:
        return Response(document, media_type="application/json")

    async def not_found(request: Request) -> Response:
        return problem(404, "not_found", "Not found", "no API operation at this path.")

    routes: list[BaseRoute] = [Route("/openapi.json", openapi_json, methods=["GET"])]
    routes += [
        Route(
            operation.path,
            endpoint(access, operation.handler),
            methods=[operation.method],
            name=operation.operation_id,
        )
        for operation in OPERATIONS
    ]
    routes.append(Route("/{rest:path}", not_found))
    return routes
