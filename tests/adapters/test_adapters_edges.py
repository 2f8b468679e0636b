"""Edges of the in-memory adapters, the clocks and the manual gateway: refusals with a typed
error, and the in-memory provider refusing what a real provider refuses when the payment
changed between a settlement's read and its call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import (
    InMemoryPaymentProvider,
    MemoryBackend,
    Operation,
    RecordingPublisher,
)
from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    InvalidInput,
    PaymentRejected,
    StorageError,
)
from order_cancellation.domain.events import DomainEvent, OrderReturned, RefundEvent
from order_cancellation.domain.money import Money
from order_cancellation.domain.payment import AuthorizationStatus, PaymentView
from order_cancellation.domain.refunds import RefundKind
from order_cancellation.domain.values import LineQuantity, PaymentRef
from order_cancellation.ports.payments import CaptureRequest, SettlementRequest
from order_cancellation.ports.persistence import MessageStatus
from order_cancellation.testing.contracts import (
    SHOP,
    T0,
    sample_message,
    sample_order,
    sample_refund,
)

PAYMENT = "pay-1"


def eur(minor: int) -> Money:
    return Money(minor, "EUR")


def settlement(
    amount: int, *, refund_order_id: str = "ro-1", kind: RefundKind = RefundKind.CANCELLATION
) -> SettlementRequest:
    line = LineQuantity(line_id="L1", sku="MUG", quantity=1, unit_price=eur(amount))
    return SettlementRequest(
        shop=SHOP,
        order_id="o-1",
        refund_order_id=refund_order_id,
        kind=kind,
        amount=eur(amount),
        lines=(line,),
        payment=PaymentRef(provider="card", reference=PAYMENT),
        idempotency_key=f"settle-{refund_order_id}",
        attempt=1,
        first_attempt_at=T0,
        now=T0,
    )


class ChangedAfterTheRead(InMemoryPaymentProvider):
    """A provider where something else happens to the payment right after a settlement
    has read it, as when the merchant works in the provider's portal at the same moment."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: Callable[[], object] | None = None

    def view(self, reference: str, *, now: datetime) -> PaymentView:
        seen = super().view(reference, now=now)
        meanwhile, self.meanwhile = self.meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return seen


# -- clocks ----------------------------------------------------------------------------------


def test_a_manual_clock_refuses_a_start_without_a_timezone() -> None:
    with pytest.raises(InvalidInput, match="timezone-aware"):
        ManualClock(datetime(2026, 1, 5, 9, 0))


def test_a_manual_clock_does_not_move_backwards_by_a_negative_step() -> None:
    clock = ManualClock()

    with pytest.raises(InvalidInput, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))

    assert clock.now() == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_a_manual_clock_can_be_set_to_a_later_moment() -> None:
    clock = ManualClock()
    later = datetime(2026, 2, 1, 12, 30, tzinfo=UTC)

    clock.set(later)

    assert clock.now() == later


def test_a_manual_clock_cannot_be_set_to_an_earlier_moment() -> None:
    clock = ManualClock()

    with pytest.raises(InvalidInput, match="only moves forward"):
        clock.set(datetime(2026, 1, 5, 8, 59, tzinfo=UTC))

    assert clock.now() == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


# -- the manual gateway and the recording publisher ------------------------------------------


def test_the_manual_gateway_captures_nothing_through_the_library() -> None:
    request = CaptureRequest(
        shop=SHOP,
        order_id="o-1",
        amount=eur(2500),
        lines=(),
        payment=PaymentRef(provider="invoice", reference="inv-1"),
        idempotency_key="capture-1",
        now=T0,
    )

    assert ManualPaymentGateway().capture(request) == eur(0)


def test_subscribers_receive_each_published_event_in_order() -> None:
    publisher = RecordingPublisher()
    received: list[DomainEvent] = []
    publisher.subscribe(received.append)
    first = OrderReturned(shop=SHOP, order_id="o-1", occurred_at=T0)
    second = OrderReturned(shop=SHOP, order_id="o-2", occurred_at=T0)

    publisher.publish(first)
    publisher.publish(second)

    assert received == [first, second]
    assert publisher.of_type(OrderReturned) == [first, second]
    assert publisher.of_type(RefundEvent) == []


# -- the in-memory payment provider ----------------------------------------------------------


def test_a_payment_is_authorized_once() -> None:
    provider = InMemoryPaymentProvider()
    provider.authorize(PAYMENT, eur(2500), at=T0)

    with pytest.raises(InvalidInput, match="'pay-1' is authorized already"):
        provider.authorize(PAYMENT, eur(100), at=T0)

    assert provider.view(PAYMENT, now=T0).authorized == eur(2500)


def test_an_authorization_for_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput, match="above zero"):
        InMemoryPaymentProvider().authorize(PAYMENT, eur(0), at=T0)


def test_a_cancel_after_a_capture_made_meanwhile_is_refused() -> None:
    provider = ChangedAfterTheRead()
    provider.authorize(PAYMENT, eur(2500), at=T0)
    provider.meanwhile = lambda: provider.capture_payment(PAYMENT, eur(1000), at=T0)

    with pytest.raises(PaymentRejected, match="'pay-1' has captures; cancel not possible"):
        provider.settle(settlement(2500))

    view = provider.view(PAYMENT, now=T0)
    assert (view.status, view.captured) == (AuthorizationStatus.PART_CAPTURED, eur(1000))
    assert provider.count(Operation.CANCEL_AUTHORIZATION) == 0


def test_a_refund_already_given_by_a_concurrent_settlement_is_not_given_twice() -> None:
    provider = ChangedAfterTheRead()
    provider.authorize(PAYMENT, eur(2500), at=T0)
    provider.capture_payment(PAYMENT, eur(2500), at=T0)
    other = settlement(2500, refund_order_id="ro-2", kind=RefundKind.RETURN)
    provider.meanwhile = lambda: provider.settle(other)

    with pytest.raises(PaymentRejected, match="would exceed what payment 'pay-1' captured"):
        provider.settle(settlement(2500, kind=RefundKind.RETURN))

    assert provider.view(PAYMENT, now=T0).refunded == eur(2500)
    assert provider.count(Operation.REFUND) == 1


def test_a_release_after_the_rest_was_captured_meanwhile_is_refused() -> None:
    provider = ChangedAfterTheRead()
    provider.authorize(PAYMENT, eur(2500), at=T0)
    provider.capture_payment(PAYMENT, eur(1000), at=T0)
    provider.meanwhile = lambda: provider.capture_payment(PAYMENT, eur(1500), at=T0)

    with pytest.raises(PaymentRejected, match="'pay-1' has nothing to release"):
        provider.settle(settlement(2500))

    assert provider.count(Operation.RELEASE_REMAINING) == 0
    assert provider.view(PAYMENT, now=T0).captured == eur(2500)


# -- the in-memory store ---------------------------------------------------------------------


def test_a_unit_of_work_cannot_write_after_its_with_block() -> None:
    backend = MemoryBackend()
    with backend.unit_of_work(SHOP) as uow:
        orders = uow.orders

    with pytest.raises(StorageError, match="inside its 'with' block only"):
        orders.add(sample_order())


def test_adding_an_existing_refund_order_id_conflicts() -> None:
    backend = MemoryBackend()
    refund = sample_refund(sample_order())
    with backend.unit_of_work(SHOP) as uow:
        uow.orders.add(sample_order())
        uow.refunds.add(refund)
        uow.commit()

    with backend.unit_of_work(SHOP) as uow, pytest.raises(ConcurrencyConflict, match="'r-1'"):
        uow.refunds.add(refund)


def test_adding_an_existing_outbox_message_id_conflicts() -> None:
    backend = MemoryBackend()
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([sample_message("m-1")])
        uow.commit()

    with backend.unit_of_work(SHOP) as uow, pytest.raises(ConcurrencyConflict, match="'m-1'"):
        uow.outbox.add([sample_message("m-2"), sample_message("m-1")])

    with backend.unit_of_work(SHOP) as uow:
        assert [message.id for message in uow.outbox.pending()] == ["m-1"]


def test_an_unknown_outbox_message_is_a_storage_error() -> None:
    with (
        MemoryBackend().unit_of_work(SHOP) as uow,
        pytest.raises(StorageError, match="no outbox message 'm-9'"),
    ):
        uow.outbox.get("m-9")


def test_completing_a_message_twice_leaves_it_done() -> None:
    backend = MemoryBackend()
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([sample_message("m-1")])
        uow.outbox.complete("m-1")
        uow.commit()

    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.complete("m-1")
        uow.commit()

    with backend.unit_of_work(SHOP) as uow:
        assert uow.outbox.get("m-1").status is MessageStatus.DONE
        assert list(uow.outbox.pending()) == []


def test_reviving_a_delivered_message_does_not_deliver_it_again() -> None:
    backend = MemoryBackend()
    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.add([sample_message("m-1")])
        uow.outbox.complete("m-1")
        uow.commit()

    with backend.unit_of_work(SHOP) as uow:
        uow.outbox.revive("m-1", now=T0 + timedelta(days=1))
        uow.commit()

    with backend.unit_of_work(SHOP) as uow:
        claimed = uow.outbox.claim(
            now=T0 + timedelta(days=2), limit=10, lease=timedelta(minutes=1), worker="w"
        )
        assert list(claimed) == []
        assert uow.outbox.get("m-1").status is MessageStatus.DONE
