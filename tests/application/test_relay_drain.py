"""Draining: deliver batch after batch until nothing is due, claiming at most a batch's worth
at a time, and stop after ``max_batches`` even when effects keep making new work."""

from __future__ import annotations

import re
from typing import cast

from order_cancellation import LineItem, RelayReport
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.application.effects import Effects
from order_cancellation.application.relay import Relay
from order_cancellation.domain.events import DomainEvent, OrderPlaced
from order_cancellation.ports.persistence import OutboxMessage, UnitOfWork
from tests.application.harness import CARD, RETRY_POLICY, Shop, eur


def relay_of(shop: Shop, *, batch_size: int | None = None) -> Relay:
    """A relay of ``shop``, with a batch size of its own if given."""
    effects = Effects(
        shop=shop.name,
        backend=shop.backend,
        gateways={CARD: shop.card},
        default_gateway=ManualPaymentGateway(),
        publisher=shop.publisher,
        clock=shop.clock,
        external_stock=None,
    )
    if batch_size is None:
        return Relay(
            shop=shop.name,
            backend=shop.backend,
            effects=effects,
            clock=shop.clock,
            policy=RETRY_POLICY,
        )
    return Relay(
        shop=shop.name,
        backend=shop.backend,
        effects=effects,
        clock=shop.clock,
        policy=RETRY_POLICY,
        batch_size=batch_size,
    )


def test_a_batch_claims_at_most_the_batch_size(deferred_shop: Shop) -> None:
    for _ in range(5):
        deferred_shop.place(paid_by="nothing")  # one effect each: publish OrderPlaced
    relay = relay_of(deferred_shop, batch_size=2)

    assert relay.run_once() == RelayReport(delivered=2)
    assert deferred_shop.sales.pending_effects() == 3
    assert relay.drain() == RelayReport(delivered=3)
    assert deferred_shop.sales.pending_effects() == 0


def test_a_relay_claims_a_hundred_messages_at_a_time_by_default() -> None:
    shop = Shop.open(effects="deferred", stock={"MUG": 101})
    for _ in range(101):
        shop.sales.place_order([LineItem("MUG", 1, eur("1.00"))])

    assert relay_of(shop).run_once() == RelayReport(delivered=100)
    assert shop.sales.pending_effects() == 1


def test_a_relay_without_a_worker_id_gets_a_unique_one(deferred_shop: Shop) -> None:
    first, second = relay_of(deferred_shop), relay_of(deferred_shop)

    assert re.fullmatch(r"relay-[0-9a-f]{12}", first.worker_id)
    assert first.worker_id != second.worker_id


def test_draining_stops_after_max_batches_when_effects_keep_making_work(
    deferred_shop: Shop,
) -> None:
    def place_another(event: DomainEvent) -> None:
        # A consumer that answers every placed order with a new one: work never runs out.
        if isinstance(event, OrderPlaced):
            deferred_shop.place(paid_by="nothing")

    deferred_shop.publisher.subscribe(place_another)
    deferred_shop.place(paid_by="nothing")

    report = relay_of(deferred_shop).drain(max_batches=3)

    assert report == RelayReport(delivered=3)
    assert deferred_shop.sales.pending_effects() == 1
    assert len(deferred_shop.all_orders()) == 4


class EndlessOutbox:
    """A store whose outbox always has one more message due (effects that never run out)."""

    def __init__(self, message: OutboxMessage) -> None:
        self._message = message

    def unit_of_work(self, shop: str) -> UnitOfWork:
        return cast(UnitOfWork, self)

    @property
    def outbox(self) -> EndlessOutbox:
        return self

    def __enter__(self) -> EndlessOutbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def commit(self) -> None:
        return None

    def claim(self, **_: object) -> list[OutboxMessage]:
        return [self._message]

    def complete(self, message_id: str) -> None:
        return None


def test_draining_gives_up_after_ten_thousand_batches_by_default(clock: ManualClock) -> None:
    now = clock.now()
    message = OutboxMessage(
        id="msg-1",
        handler="publish",
        event=DomainEvent(shop="acme", order_id="ord-1", occurred_at=now),
        created_at=now,
        available_at=now,
    )
    store = EndlessOutbox(message)
    effects = Effects(
        shop="acme",
        backend=store,
        gateways={},
        default_gateway=ManualPaymentGateway(),
        publisher=None,
        clock=clock,
        external_stock=None,
    )
    relay = Relay(shop="acme", backend=store, effects=effects, clock=clock, policy=RETRY_POLICY)

    assert relay.drain() == RelayReport(delivered=10_000)
