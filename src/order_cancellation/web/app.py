"""The ASGI app: the merchant's admin at ``/`` and the JSON API under ``/api``.

Build it with :func:`create_app` from a :class:`Sales` (whose backend, gateways and
effects mode every shop then shares) or from a :class:`ShopDirectory`.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from order_cancellation.sales import Sales
from order_cancellation.web.admin.routes import admin_routes
from order_cancellation.web.api.problems import problem
from order_cancellation.web.api.routes import api_routes
from order_cancellation.web.auth import Access, ShopHook
from order_cancellation.web.shops import ShopDirectory

SESSION_COOKIE = "oc_admin"
SESSION_MAX_AGE = 8 * 3600  # a working day; then sign in again


async def _not_found(request: Request, error: Exception) -> Response:
    """Paths no route matches (some never reach the API's own catch-all: a newline in a
    path segment defeats the mount's pattern): a problem under /api, a page elsewhere."""
    if request.url.path.startswith("/api"):
        return problem(404, "not_found", "Not found", "no API operation at this path.")
    return PlainTextResponse("Not found", status_code=404)


def create_app(
    shops: Sales | ShopDirectory,
    *,
    session_secret: str | None = None,
    shop_from_request: ShopHook | None = None,
    https_only: bool = False,
) -> Starlette:
    """The admin and the API over ``shops``.

    ``session_secret`` signs the admin's session cookie; without one a random secret is
    made, so sessions end when the process does (give one to share sessions between
    processes). ``shop_from_request`` is the hook of a platform whose own login decides the
    shop of a request (see :mod:`order_cancellation.web.auth`). ``https_only`` marks the
    cookie Secure: set it whenever the admin is served over HTTPS.
    """
    directory = shops if isinstance(shops, ShopDirectory) else ShopDirectory(shops)
    access = Access(directory, shop_from_request)
    static = Path(__file__).parent / "static"
    app = Starlette(
        exception_handlers={404: _not_found},
        routes=[
            Mount("/api", routes=api_routes(access)),
            Mount("/static", app=StaticFiles(directory=static), name="static"),
            *admin_routes(access),
        ],
        middleware=[
            Middleware(
                SessionMiddleware,
                secret_key=session_secret or secrets.token_urlsafe(32),
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=https_only,
            )
        ],
    )
    app.state.shops = directory
    return app
