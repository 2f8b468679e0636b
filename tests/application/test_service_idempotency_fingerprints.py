"""Idempotency keys remember the whole command: reusing a key with any one argument changed
is refused, and replaying the very same command returns the first result.

One table per command: the first call, then for each argument a second call that differs
in that argument only. Every second call must raise :class:`IdempotencyKeyReused` and
change nothing a caller can see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Final

import attrs
import pytest

from order_cancellation import (
    IdempotencyKeyReused,
    InvalidInput,
    LineItem,
    OrderState,
    PaymentRef,
    PaymentStatus,
    UnknownStatusLabel,
)
from order_cancellation.domain.events import ManualRefundCompleted
from tests.application.harness import Shop, eur, mug_and_tee

KEY: Final = "key-1"


def loose(value: object) -> Any:
    """Pass a value of the wrong type, as an untyped caller could."""
    return value


@attrs.frozen
class Orders:
    """Two open orders, two shipped orders and two manual refunds owed, in one shop."""

    shop: Shop
    open: str
    other_open: str
    shipped: str
    other_shipped: str
    owed: str
    other_owed: str

    @classmethod
    def build(cls, shop: Shop) -> Orders:
        sales = shop.sales
        sales.set_stock("MUG", 100)
        sales.set_stock("TEE", 100)
        sales.define_status_label("Canceled - fraud")
        return cls(
            shop=shop,
            open=shop.place().id,
            other_open=shop.place().id,
            shipped=sales.fulfill(shop.place(auto_capture=True).id).id,
            other_shipped=sales.fulfill(shop.place(auto_capture=True).id).id,
            owed=sales.cancel_order(shop.place(paid_by="invoice").id).id,
            other_owed=sales.cancel_order(shop.place(paid_by="invoice").id).id,
        )


Call = Callable[[Orders], object]


def _fulfill(**changes: Any) -> Call:
    def call(o: Orders) -> object:
        arguments: dict[str, Any] = {"order_id": o.open, "quantities": {"MUG": 1}}
        arguments.update({k: getattr(o, v) if k == "order_id" else v for k, v in changes.items()})
        return o.shop.sales.fulfill(**arguments, idempotency_key=KEY)

    return call


def _return(**changes: Any) -> Call:
    def call(o: Orders) -> object:
        arguments: dict[str, Any] = {
            "order_id": o.shipped,
            "quantities": {"MUG": 1},
            "restock": True,
            "reason": "Chipped",
        }
        arguments.update({k: getattr(o, v) if k == "order_id" else v for k, v in changes.items()})
        return o.shop.sales.create_return(**arguments, idempotency_key=KEY)

    return call


def _mark_done(**changes: Any) -> Call:
    def call(o: Orders) -> object:
        arguments: dict[str, Any] = {"refund_order_id": o.owed, "note": "Bank transfer"}
        arguments.update(
            {k: getattr(o, v) if k == "refund_order_id" else v for k, v in changes.items()}
        )
        return o.shop.sales.mark_manual_refund_done(**arguments, idempotency_key=KEY)

    return call


def _cancel(**changes: Any) -> Call:
    def call(o: Orders) -> object:
        arguments: dict[str, Any] = {
            "order_id": o.open,
            "status": "Canceled",
            "reason": "Customer asked",
            "reason_code": "customer",
            "restock": True,
            "actor": "clerk-1",
        }
        arguments.update({k: getattr(o, v) if k == "order_id" else v for k, v in changes.items()})
        return o.shop.sales.cancel_order(**arguments, idempotency_key=KEY)

    return call


def _place(**changes: Any) -> Call:
    def call(o: Orders) -> object:
        arguments: dict[str, Any] = {
            "lines": mug_and_tee(),
            "payment": PaymentRef(provider="invoice", reference="inv-1"),
            "order_id": "web-1",
        }
        arguments.update(changes)
        return o.shop.sales.place_order(**arguments, idempotency_key=KEY)

    return call


# name: (first call, a second call differing in one argument)
CHANGED: Final[dict[str, tuple[Call, Call]]] = {
    "fulfill another order": (_fulfill(), _fulfill(order_id="other_open")),
    "fulfill another number of units": (_fulfill(), _fulfill(quantities={"MUG": 2})),
    "fulfill another line": (_fulfill(), _fulfill(quantities={"TEE": 1})),
    "fulfill the whole order": (_fulfill(), _fulfill(quantities=None)),
    "return from another order": (_return(), _return(order_id="other_shipped")),
    "return another number of units": (_return(), _return(quantities={"MUG": 2})),
    "return another line": (_return(), _return(quantities={"TEE": 1})),
    "return without restocking": (_return(), _return(restock=False)),
    "return for another reason": (_return(), _return(reason="Broken")),
    "return for no reason": (_return(), _return(reason=None)),
    "mark another refund done": (_mark_done(), _mark_done(refund_order_id="other_owed")),
    "mark done with another note": (_mark_done(), _mark_done(note="Cash")),
    "mark done with no note": (_mark_done(), _mark_done(note=None)),
    "cancel another order": (_cancel(), _cancel(order_id="other_open")),
    "cancel with another status": (_cancel(), _cancel(status="Canceled - fraud")),
    "cancel for another reason": (_cancel(), _cancel(reason="Out of stock")),
    "cancel with another reason code": (_cancel(), _cancel(reason_code="inventory")),
    "cancel without restocking": (_cancel(), _cancel(restock=False)),
    "cancel by another actor": (_cancel(), _cancel(actor="clerk-2")),
    "place other lines": (_place(), _place(lines=[LineItem("MUG", 1, eur("12.50"))])),
    "place with another payment": (
        _place(),
        _place(payment=PaymentRef(provider="invoice", reference="inv-2")),
    ),
    "place under another order id": (_place(), _place(order_id="web-2")),
}


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_reusing_a_key_with_one_argument_changed_is_refused_and_changes_nothing(
    shop: Shop, name: str
) -> None:
    first, second = CHANGED[name]
    orders = Orders.build(shop)
    first(orders)
    before = shop.observe()

    with pytest.raises(IdempotencyKeyReused, match="used for a different command"):
        second(orders)

    assert shop.observe() == before


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_replaying_the_same_command_returns_the_first_result(shop: Shop, name: str) -> None:
    first, _ = CHANGED[name]
    orders = Orders.build(shop)
    result = first(orders)
    before = shop.observe()

    assert first(orders) == result
    assert shop.observe() == before


def test_the_same_quantities_in_another_order_are_the_same_command(shop: Shop) -> None:
    order = shop.place()
    first = shop.sales.fulfill(order.id, {"MUG": 1, "TEE": 1}, idempotency_key=KEY)

    replay = shop.sales.fulfill(order.id, {"TEE": 1, "MUG": 1}, idempotency_key=KEY)

    assert replay == first
    assert (replay.line("L1").fulfilled, replay.line("L2").fulfilled) == (1, 1)


def test_a_replayed_manual_refund_is_marked_done_and_announced_once(shop: Shop) -> None:
    owed = shop.sales.cancel_order(shop.place(paid_by="invoice").id)
    done = shop.sales.mark_manual_refund_done(owed.id, note="Cash", idempotency_key=KEY)

    replay = shop.sales.mark_manual_refund_done(owed.id, note="Cash", idempotency_key=KEY)

    assert replay == done
    assert replay.payment_status is PaymentStatus.MANUALLY_REFUNDED
    assert len(shop.publisher.of_type(ManualRefundCompleted)) == 1


def test_marking_a_manual_refund_done_announces_who_what_and_when(shop: Shop) -> None:
    order = shop.place(paid_by="invoice")
    owed = shop.sales.cancel_order(order.id)
    marked_at = shop.clock.advance(timedelta(hours=2))

    shop.sales.mark_manual_refund_done(owed.id, note="Cash at the till")

    (event,) = shop.publisher.of_type(ManualRefundCompleted)
    assert event == ManualRefundCompleted(
        shop="acme",
        order_id=order.id,
        occurred_at=marked_at,
        refund_order_id=owed.id,
        amount=order.total,
        note="Cash at the till",
    )


# -- arguments a fingerprint cannot spell as JSON ------------------------------------------------


def test_a_return_with_a_reason_that_is_not_text_is_refused_even_with_a_key(shop: Shop) -> None:
    order = shop.sales.fulfill(shop.place(auto_capture=True).id)
    before = shop.observe()

    with pytest.raises(InvalidInput, match="a reason is text or None, not bytes"):
        shop.sales.create_return(order.id, {"MUG": 1}, reason=loose(b"x"), idempotency_key=KEY)

    assert shop.observe() == before


def test_a_cancel_with_a_status_that_is_not_text_is_refused_even_with_a_key(shop: Shop) -> None:
    order = shop.place()
    before = shop.observe()

    with pytest.raises(UnknownStatusLabel, match="is not defined in this shop"):
        shop.sales.cancel_order(order.id, status=loose(b"Canceled"), idempotency_key=KEY)

    assert shop.observe() == before
    assert shop.sales.get_order(order.id).state is OrderState.OPEN
