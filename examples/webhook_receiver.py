"""A webhook receiver: verify the Standard Webhooks signature, de-duplicate on the id, act.

It checks, in this order, before trusting a byte of the body:

1. the signature (``webhook-signature``: HMAC-SHA256 with the endpoint's ``whsec_`` secret
   over ``webhook-id.webhook-timestamp.body``), with the ``standardwebhooks`` package's
   reference verifier, which also refuses a timestamp more than 5 minutes off;
2. the id (``webhook-id`` = the event's ``event_id``): a delivery already handled is
   answered 204 again and not acted on twice (deliveries are at least once).

Answer 2xx only once the event is safely handled; anything else makes the shop retry later.

Run it: ``python examples/webhook_receiver.py`` delivers one signed event to itself over
the loopback and prints what it received; ``--serve 8080`` serves on 127.0.0.1:8080 with the
secret in ``WEBHOOK_SECRET``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from order_cancellation import LineItem, Money, Sales
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.adapters.webhooks import WebhookPublisher

DEMO_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - a demo secret


class Receiver:
    """What the HTTP handler calls: verify, de-duplicate, act. Returns the HTTP status."""

    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)
        self._seen: set[str] = set()  # keep these in your database, with the effect
        self._lock = threading.Lock()
        self.handled: list[dict[str, Any]] = []

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        try:
            # The exact bytes received: re-serialised JSON would not verify.
            document = self._webhook.verify(body, headers)
        except (WebhookVerificationError, ValueError):  # ValueError: a malformed header
            return 401
        with self._lock:
            if headers["webhook-id"] in self._seen:
                return 204  # a redelivery: already handled
            self._seen.add(headers["webhook-id"])
            self.handled.append(document)
        return 204


def serve(receiver: Receiver, port: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {key.lower(): value for key, value in self.headers.items()}
            self.send_response(receiver.receive(body, headers))
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def demo() -> list[dict[str, Any]]:
    """One shop, one endpoint (this receiver), one canceled order; the events received."""
    receiver = Receiver(DEMO_SECRET)
    server = serve(receiver, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    backend = MemoryBackend()
    publisher = WebhookPublisher(backend)
    try:
        sales = Sales.in_memory("acme", backend=backend, publisher=publisher)
        sales.add_webhook(
            f"http://127.0.0.1:{server.server_address[1]}/hooks",
            secret=DEMO_SECRET,
            event_types=["order.placed", "order.canceled"],
        )
        sales.set_stock("MUG", 5)
        order = sales.place_order([LineItem("MUG", 1, Money.of("12.50", "EUR"))])
        sales.cancel_order(order.id, status="Canceled", reason="customer asked")
    finally:
        publisher.close()
        server.shutdown()
        server.server_close()
    return receiver.handled


def main(argv: list[str]) -> int:
    if argv[:1] == ["--serve"]:
        secret = os.environ.get("WEBHOOK_SECRET", "")
        if not secret:
            print("set WEBHOOK_SECRET to the endpoint's whsec_... secret", file=sys.stderr)
            return 2
        server = serve(Receiver(secret), int(argv[1]) if len(argv) > 1 else 8080)
        server.serve_forever()  # pragma: no cover - runs until interrupted
    for document in demo():
        print(json.dumps({"type": document["type"], "event_id": document["data"]["event_id"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
