"""Signed webhooks over real HTTP on the loopback: verified by the Standard Webhooks
reference verifier, retried through the outbox with the same id every time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from standardwebhooks import Webhook

from order_cancellation import LineItem, Money, RetryPolicy, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.adapters.webhooks import WebhookPublisher, payload
from order_cancellation.application.failures import EffectState
from order_cancellation.domain.events import OrderPlaced
from tests.webhooks.receiver import Receiver, Request, receiving

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Shop:
    def __init__(self, max_attempts: int = 5) -> None:
        self.backend = MemoryBackend()
        self.clock = ManualClock()
        self.publisher = WebhookPublisher(self.backend, timeout=0.3, deadline=0.6)
        self.sales = Sales.in_memory(
            "acme",
            backend=self.backend,
            publisher=self.publisher,
            clock=self.clock,
            effects="deferred",
            retry_policy=RetryPolicy(max_attempts=max_attempts, jitter=False),
        )
        self.sales.set_stock("MUG", 100)

    def place(self) -> str:
        order = self.sales.place_order([LineItem("MUG", 1, Money.of("9.90", "EUR"))])
        return order.id

    def later(self) -> None:
        self.clock.advance(timedelta(hours=2))
        self.sales.process_pending()

    def stored_event_id(self, effect_id: str) -> str:
        with self.backend.unit_of_work("acme") as uow:
            return uow.outbox.get(effect_id).event.event_id


def placed(receiver: Receiver) -> list[Request]:
    """The deliveries of OrderPlaced (an endpoint for every type also hears of failures)."""
    return [
        request
        for request in receiver.requests
        if json.loads(request.body)["type"] == "order.placed"
    ]


@pytest.fixture
def shop() -> Iterator[Shop]:
    made = Shop()
    yield made
    made.publisher.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def test_a_delivery_is_signed_as_standard_webhooks_says(shop: Shop, receiver: Receiver) -> None:
    shop.sales.add_webhook(receiver.url, secret=SECRET)
    order_id = shop.place()

    shop.sales.process_pending()

    (request,) = receiver.requests
    document = Webhook(SECRET).verify(request.body, request.headers)
    assert document["type"] == "order.placed"
    assert document["data"]["order_id"] == order_id
    assert document["data"]["event_id"] == request.headers["webhook-id"]
    assert request.headers["webhook-signature"].startswith("v1,")


def test_a_receiver_with_another_secret_refuses_the_delivery(
    shop: Shop, receiver: Receiver
) -> None:
    shop.sales.add_webhook(receiver.url, secret=SECRET)
    shop.place()
    shop.sales.process_pending()

    (request,) = receiver.requests
    with pytest.raises(Exception, match="No matching signature found"):
        Webhook("whsec_" + "A" * 40).verify(request.body, request.headers)


def test_an_answer_of_500_is_retried_with_the_same_id(shop: Shop, receiver: Receiver) -> None:
    shop.sales.add_webhook(receiver.url, secret=SECRET, event_types=["order.placed"])
    receiver.answers = [500]
    shop.place()

    shop.sales.process_pending()
    (failed,) = shop.sales.failed_effects()
    shop.later()

    first, again = placed(receiver)
    assert failed.effect == "publish"
    assert "HTTP 500" in (failed.last_error or "")
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.body == again.body
    assert shop.sales.failed_effects() == []


def test_a_receiver_that_hangs_past_the_deadline_is_retried(shop: Shop, receiver: Receiver) -> None:
    shop.sales.add_webhook(receiver.url, secret=SECRET, event_types=["order.placed"])
    receiver.answers = ["hang"]
    shop.place()

    shop.sales.process_pending()
    (failed,) = shop.sales.failed_effects()
    shop.later()

    assert "Timeout" in (failed.last_error or "")
    first, again = placed(receiver)
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert shop.sales.failed_effects() == []


def test_redelivery_after_an_outage_carries_the_same_id(shop: Shop) -> None:
    down = Receiver()
    port, url = down.port, down.url
    down.stop()
    shop.sales.add_webhook(url, secret=SECRET, event_types=["order.placed"])
    shop.place()

    shop.sales.process_pending()
    (failed,) = shop.sales.failed_effects()
    with receiving(port) as back:
        shop.later()

    (request,) = placed(back)
    assert "ConnectError" in (failed.last_error or "")
    assert request.headers["webhook-id"] == shop.stored_event_id(failed.id)
    assert Webhook(SECRET).verify(request.body, request.headers)["data"]["event_id"] == (
        shop.stored_event_id(failed.id)
    )


def test_a_delivery_that_keeps_failing_is_listed_and_retryable(receiver: Receiver) -> None:
    shop = Shop(max_attempts=2)
    shop.sales.add_webhook(receiver.url, secret=SECRET, event_types=["order.placed"])
    receiver.answers = [503, 503]
    shop.place()

    shop.sales.process_pending()
    shop.later()
    (dead,) = shop.sales.failed_effects()
    shop.sales.retry_effect(dead.id)
    shop.sales.process_pending()

    assert dead.state is EffectState.DEAD_LETTERED
    assert "HTTP 503" in (dead.last_error or "")
    assert shop.sales.failed_effects() == []
    assert len({request.headers["webhook-id"] for request in placed(receiver)}) == 1
    assert len(placed(receiver)) == 3
    shop.publisher.close()


def test_an_endpoint_gets_only_the_event_types_it_asked_for(shop: Shop, receiver: Receiver) -> None:
    shop.sales.add_webhook(receiver.url, secret=SECRET, event_types=["order.canceled"])
    order_id = shop.place()
    shop.sales.cancel_order(order_id, status="Canceled")

    shop.sales.process_pending()

    types = [json.loads(request.body)["type"] for request in receiver.requests]
    assert types == ["order.canceled"]


def test_a_shop_without_endpoints_publishes_nothing_and_owes_nothing(shop: Shop) -> None:
    shop.place()

    shop.sales.process_pending()

    assert shop.sales.failed_effects() == []
    assert shop.sales.pending_effects() == 0


def test_the_body_is_the_events_json_form_in_an_envelope() -> None:
    event = OrderPlaced(
        shop="acme", order_id="o-1", occurred_at=ManualClock().now(), lines=(),
        total=Money.of("9.90", "EUR"), payment=None,
    )  # fmt: skip

    document = json.loads(payload(event))

    assert document["type"] == "order.placed"
    assert document["timestamp"] == "2026-01-05T09:00:00Z"
    assert document["data"]["event_id"] == event.event_id


def test_a_timeout_longer_than_the_deadline_is_refused() -> None:
    from order_cancellation import ConfigurationError

    with pytest.raises(ConfigurationError, match="at most the deadline"):
        WebhookPublisher(MemoryBackend(), timeout=5, deadline=1)


def test_endpoints_left_when_the_deadline_has_passed_are_not_tried(receiver: Receiver) -> None:
    import httpx

    shop = Shop()
    client = httpx.Client(follow_redirects=False)
    slow = WebhookPublisher(shop.backend, timeout=0.3, deadline=0.3, client=client)
    for _ in range(2):
        shop.sales.add_webhook(receiver.url, secret=SECRET, event_types=["order.placed"])
    receiver.answers = ["hang"]
    event = OrderPlaced(
        shop="acme", order_id="o-1", occurred_at=shop.clock.now(), lines=(),
        total=Money.of("9.90", "EUR"), payment=None,
    )  # fmt: skip

    with pytest.raises(Exception, match=r"not tried: the 0\.3 s deadline passed"):
        slow.publish(event)
    slow.close()  # a client passed in stays open: its owner closes it
    assert not client.is_closed
    client.close()
    shop.publisher.close()


def test_an_answer_trickled_past_the_deadline_fails_the_delivery() -> None:
    import threading
    import time
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from typing import Any

    class Trickle(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["content-length"]))
            self.send_response(200)
            self.send_header("content-length", "20")
            self.end_headers()
            for _ in range(20):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.05)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    shop = Shop()
    publisher = WebhookPublisher(shop.backend, timeout=0.2, deadline=0.4)
    shop.sales.add_webhook(f"http://127.0.0.1:{server.server_address[1]}/", secret=SECRET)
    event = OrderPlaced(
        shop="acme", order_id="o-1", occurred_at=shop.clock.now(), lines=(),
        total=Money.of("9.90", "EUR"), payment=None,
    )  # fmt: skip
    try:
        with pytest.raises(Exception, match=r"not complete within the 0\.4 s deadline"):
            publisher.publish(event)
    finally:
        publisher.close()
        shop.publisher.close()
        server.shutdown()
        server.server_close()


def test_error_codes_name_each_kind_of_refusal() -> None:
    from order_cancellation import ConcurrencyConflict, OrderNotFound, StorageError
    from order_cancellation.application.errors import error_code
    from order_cancellation.domain.errors import CommandRejected

    assert error_code(OrderNotFound("x")) == "not_found"
    assert error_code(ConcurrencyConflict("x")) == "conflict"
    assert error_code(StorageError("x")) == "storage_error"
    assert error_code(CommandRejected("x")) == "refused"
    assert error_code(RuntimeError("x")) == "error"
