"""``serve``: the admin at ``/`` and the JSON API under ``/api``, with uvicorn.

Every shop in the store is served; which one a request acts for comes from its token. With
``--defer-effects`` a worker thread per shop delivers the effects alongside.
"""

from __future__ import annotations

import argparse
import os

from order_cancellation.cli.base import Commands, command, with_shop
from order_cancellation.cli.console import Console
from order_cancellation.cli.exits import UsageError
from order_cancellation.cli.values import whole_number
from order_cancellation.domain.errors import ConfigurationError
from order_cancellation.sales import Sales

SESSION_SECRET_VARIABLE = "ORDER_CANCELLATION_SESSION_SECRET"  # noqa: S105 - a variable's name


def register(commands: Commands) -> None:
    serve = command(
        commands,
        "serve",
        "run the merchant's admin (/) and the JSON API (/api) over HTTP",
        with_shop(_serve),
    )
    serve.set_defaults(creates=True)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument("--port", default="8000", help="port to listen on (default: 8000)")


def _serve(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    try:
        import uvicorn  # noqa: PLC0415

        from order_cancellation.web import ShopDirectory, create_app  # noqa: PLC0415
    except ImportError as error:
        raise ConfigurationError(
            "serve needs the web extra: pip install 'order-cancellation[web]'"
        ) from error
    port = whole_number(str(args.port), "--port")
    if not 0 <= port <= 65535:
        raise UsageError("--port is a number from 0 to 65535")
    shops = ShopDirectory(sales, workers=bool(args.defer_effects))
    app = create_app(shops, session_secret=os.environ.get(SESSION_SECRET_VARIABLE))
    console.progress(
        f"serving the admin at http://{args.host}:{port}/ and the API at /api/ "
        f"(sign in with a token from `order-cancellation token create`); stop with Ctrl-C"
    )
    try:
        uvicorn.run(app, host=str(args.host), port=port, log_level="warning")
    finally:
        shops.close()
