"""Embedding order-cancellation in a web application: ``POST /orders/<id>/cancel``.

A WSGI application from the standard library only (``wsgiref``), so it fits any framework's
idea of a request handler. The body is JSON, ``{"status": "...", "reason": "..."}`` (both
optional); an ``Idempotency-Key`` header makes a retried request cancel once. The library's
typed errors become HTTP statuses:

=========================================  ======
the order does not exist (in this shop)     404
the order's state refuses (fulfilled...)    409
someone changed it first, key reused        409
bad input: unknown status label, reason     422
the body is not a JSON object               400
the store is unavailable                    503
=========================================  ======

Run it: ``python examples/web_request_handler.py`` shows a few requests handled in-process;
``python examples/web_request_handler.py --serve 8000`` serves on 127.0.0.1:8000.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable
from http import HTTPStatus
from io import BytesIO
from wsgiref.simple_server import make_server
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment
from wsgiref.util import setup_testing_defaults

from order_cancellation import (
    CommandRejected,
    ConcurrencyConflict,
    IdempotencyKeyReused,
    InvalidInput,
    LineItem,
    Money,
    NotFound,
    OrderCancellationError,
    PaymentRef,
    Sales,
    StorageError,
)

CANCEL = re.compile(r"/orders/(?P<order_id>[^/]+)/cancel")
MAX_BODY = 64 * 1024  # a cancel request is tiny; refuse anything that is not

# Most specific first: the first matching class decides.
STATUS_FOR_ERROR: tuple[tuple[type[OrderCancellationError], HTTPStatus], ...] = (
    (NotFound, HTTPStatus.NOT_FOUND),
    (CommandRejected, HTTPStatus.CONFLICT),
    (ConcurrencyConflict, HTTPStatus.CONFLICT),
    (IdempotencyKeyReused, HTTPStatus.CONFLICT),
    (InvalidInput, HTTPStatus.UNPROCESSABLE_ENTITY),
    (StorageError, HTTPStatus.SERVICE_UNAVAILABLE),
)


class BadRequest(Exception):
    """The request itself is malformed (not the command it carries)."""


def make_app(sales: Sales) -> WSGIApplication:
    """The WSGI application of one shop. Build ``sales`` once, at start-up, and share it:
    it is thread-safe and holds the store's connections."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        route = CANCEL.fullmatch(environ.get("PATH_INFO", ""))
        if route is None:
            return _reply(start_response, HTTPStatus.NOT_FOUND, _error("NotFound", "no such page"))
        if environ.get("REQUEST_METHOD") != "POST":
            return _reply(
                start_response,
                HTTPStatus.METHOD_NOT_ALLOWED,
                _error("MethodNotAllowed", "use POST"),
                [("Allow", "POST")],
            )
        try:
            body = _json_body(environ)
            refund = sales.cancel_order(
                route["order_id"],
                status=_text(body, "status") or "Canceled",
                reason=_text(body, "reason"),
                idempotency_key=environ.get("HTTP_IDEMPOTENCY_KEY"),
            )
        except BadRequest as error:
            return _reply(start_response, HTTPStatus.BAD_REQUEST, _error("BadRequest", str(error)))
        except OrderCancellationError as error:
            status = next(
                (code for kind, code in STATUS_FOR_ERROR if isinstance(error, kind)),
                HTTPStatus.INTERNAL_SERVER_ERROR,
            )
            return _reply(start_response, status, _error(type(error).__name__, str(error)))
        order = sales.get_order(refund.order_id)
        return _reply(
            start_response,
            HTTPStatus.OK,
            {
                "order_id": order.id,
                "status": order.status,
                "refund_order": {
                    "id": refund.id,
                    "amount": {"minor": refund.amount.minor, "currency": refund.amount.currency},
                    "payment_status": refund.payment_status.value,
                    "stock_status": refund.stock_status.value,
                },
            },
        )

    return app


def _json_body(environ: WSGIEnvironment) -> dict[str, object]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number") from None
    if length > MAX_BODY:
        raise BadRequest(f"the body is larger than {MAX_BODY} bytes")
    raw = environ["wsgi.input"].read(length) if length else b"{}"
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadRequest("the body is not JSON") from None
    if not isinstance(body, dict):
        raise BadRequest('the body is a JSON object: {"status": "...", "reason": "..."}')
    return body


def _text(body: dict[str, object], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"{name} is text, not {type(value).__name__}.")
    return value


def _error(kind: str, message: str) -> dict[str, object]:
    return {"error": {"type": kind, "message": message}}


def _reply(
    start_response: StartResponse,
    status: HTTPStatus,
    document: dict[str, object],
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    payload = json.dumps(document).encode()
    start_response(
        f"{status.value} {status.phrase}",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(payload))),
            *(headers or []),
        ],
    )
    return [payload]


# -- trying it -------------------------------------------------------------------------------


def sample_shop() -> tuple[Sales, str, str]:
    """A shop with one open and one fulfilled order; returns it and their ids."""
    sales = Sales.in_memory("web-shop")
    sales.set_stock("MUG", 10)
    sales.define_status_label("Canceled - out of stock")
    paypal = PaymentRef(provider="paypal", reference="PAY-1")
    line = [LineItem("MUG", 2, Money.of("9.50", "EUR"))]
    open_order = sales.place_order(line, payment=paypal, order_id="1001")
    shipped = sales.place_order(line, payment=paypal, order_id="1002")
    sales.fulfill(shipped.id)
    return sales, open_order.id, shipped.id


def call(
    app: WSGIApplication, method: str, path: str, body: bytes = b"", **headers: str
) -> tuple[int, dict[str, object]]:
    """Send one request to ``app`` in-process, as a WSGI server would; no network."""
    environ: WSGIEnvironment = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": BytesIO(body),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    setup_testing_defaults(environ)
    replied: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        replied.append(status)
        return lambda data: None  # the legacy write() callable; nobody uses it here

    payload = b"".join(app(environ, start_response))
    document: dict[str, object] = json.loads(payload)
    return int(replied[0].split()[0]), document


def main(argv: list[str]) -> None:
    sales, open_order, shipped = sample_shop()
    app = make_app(sales)
    if argv[:1] == ["--serve"]:
        port = int(argv[1]) if len(argv) > 1 else 8000
        print(
            f'curl -X POST -d \'{{"reason": "Changed mind"}}\' '
            f"http://127.0.0.1:{port}/orders/{open_order}/cancel"
        )
        with make_server("127.0.0.1", port, app) as server:
            server.serve_forever()
        return
    requests = [
        (f"/orders/{open_order}/cancel", b'{"status": "Canceled - out of stock", "reason": "x"}'),
        (f"/orders/{open_order}/cancel", b"{}"),
        (f"/orders/{shipped}/cancel", b"{}"),
        ("/orders/9999/cancel", b"{}"),
        (f"/orders/{shipped}/cancel", b'{"status": "Cancelled"}'),
        (f"/orders/{shipped}/cancel", b"not json"),
    ]
    for path, body in requests:
        status, document = call(app, "POST", path, body)
        print(f"POST {path} {body.decode()} -> {status} {json.dumps(document)[:110]}")


if __name__ == "__main__":
    main(sys.argv[1:])
