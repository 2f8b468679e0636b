"""Properties of ``Sales`` over generated orders, built from the shipped strategies."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import timedelta

import attrs
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from order_cancellation import (
    LineItem,
    Money,
    OrderState,
    PaymentRef,
    PaymentStatus,
    ReasonCode,
    RefundKind,
)
from order_cancellation.testing import strategies as ocst
from tests.application.harness import Shop

SKUS = ("MUG", "TEE", "CAP", "HAT")
PLENTY = 500  # more than any generated run can take: stock never runs out here
ON_HAND = dict.fromkeys(SKUS, PLENTY)

sales_settings = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
eur_orders = ocst.orders_to_place(currency="EUR", sku=ocst.skus(SKUS), max_quantity=5)


def taken(orders: Sequence[Sequence[LineItem]]) -> Counter[str]:
    units: Counter[str] = Counter()
    for lines in orders:
        for line in lines:
            units[line.sku] += line.quantity
    return units


def expected_stock(live: Sequence[Sequence[LineItem]]) -> dict[str, int]:
    units = taken(live)
    return {sku: PLENTY - units[sku] for sku in SKUS}


@attrs.frozen
class Interleaving:
    """Orders to place, and the steps: ``("place", i)``, ``("cancel", i)`` (always after
    the order's placement) and ``("effects", -1)`` (run pending effects now)."""

    orders: list[list[LineItem]]
    steps: list[tuple[str, int]]
    deferred: bool


@st.composite
def interleavings(draw: st.DrawFn) -> Interleaving:
    orders = draw(st.lists(eur_orders, min_size=1, max_size=6))
    canceled = [i for i in range(len(orders)) if draw(st.booleans())]
    tokens = list(range(len(orders))) + canceled + [-1] * draw(st.integers(0, 3))
    seen: set[int] = set()
    steps: list[tuple[str, int]] = []
    for token in draw(st.permutations(tokens)):
        if token < 0:
            steps.append(("effects", token))
        else:
            steps.append(("cancel" if token in seen else "place", token))
            seen.add(token)
    return Interleaving(orders=orders, steps=steps, deferred=draw(st.booleans()))


@sales_settings
@given(interleavings())
def test_stock_after_placing_and_canceling_is_what_it_was_before(run: Interleaving) -> None:
    shop = Shop.open(effects="deferred" if run.deferred else "inline", stock=ON_HAND)
    ids: dict[int, str] = {}
    live: dict[int, list[LineItem]] = {}
    for step, index in run.steps:
        note(f"{step} {index}")
        if step == "place":
            ids[index] = shop.place(run.orders[index], paid_by="invoice").id
            live[index] = run.orders[index]
        elif step == "cancel":
            shop.sales.cancel_order(ids[index])
            del live[index]
        else:
            shop.sales.process_pending()
        if not run.deferred:
            assert shop.sales.stock_levels() == expected_stock(list(live.values()))

    shop.settle_effects()
    shop.settle_effects()  # delivering again changes nothing

    assert shop.sales.stock_levels() == expected_stock(list(live.values()))


@sales_settings
@given(
    lines=ocst.orders_to_place(currency=None, sku=ocst.skus(SKUS)),
    later=st.integers(min_value=0, max_value=40 * 24 * 3600),
)
def test_a_canceled_order_nets_to_zero_in_the_report(lines: list[LineItem], later: int) -> None:
    shop = Shop.open(stock=ON_HAND)
    order = shop.place(lines, paid_by="invoice")
    shop.clock.advance(timedelta(seconds=later))

    refund = shop.sales.cancel_order(order.id)

    period = shop.sales.report(start=order.placed_at, end=refund.created_at + timedelta(days=1))
    totals = period.currency(order.currency)
    assert (totals.gross, totals.refunds) == (order.total, order.total)
    assert totals.net.is_zero()
    on_order_day = shop.sales.report(order.placed_at.date()).currency(order.currency)
    assert on_order_day.gross == order.total


@sales_settings
@given(
    lines=eur_orders.filter(lambda lines: sum(line.unit_price.minor for line in lines) > 0),
    auto_capture=st.booleans(),
    data=st.data(),
)
def test_refunds_never_exceed_what_was_paid(
    lines: list[LineItem], auto_capture: bool, data: st.DataObject
) -> None:
    shop = Shop.open(stock=ON_HAND)
    order = shop.place(lines, auto_capture=auto_capture)
    assert order.payment is not None
    if data.draw(st.booleans(), label="capture some in the portal first"):
        portal = data.draw(st.integers(min_value=1, max_value=order.total.minor), label="portal")
        shop.capture_at_provider(order, Money(portal, order.currency))
    for _ in range(data.draw(st.integers(min_value=1, max_value=6), label="steps")):
        current = shop.sales.get_order(order.id)
        choices = []
        if current.state is OrderState.OPEN:
            choices.append("cancel")
        if any(line.unfulfilled for line in current.lines) and current.state in (
            OrderState.OPEN,
            OrderState.FULFILLED,
        ):
            choices.append("fulfill")
        if current.state is OrderState.FULFILLED and any(line.returnable for line in current.lines):
            choices.append("return")
        if not choices:
            break
        fault = data.draw(st.sampled_from(["none", "fail", "lose"]), label="fault")
        if fault == "fail":
            shop.card.fail_next(data.draw(st.integers(1, 3), label="failures"))
        elif fault == "lose":
            shop.card.lose_next_response(data.draw(st.integers(1, 2), label="lost"))
        command = data.draw(st.sampled_from(choices), label="command")
        if command == "cancel":
            shop.sales.cancel_order(order.id)
        elif command == "fulfill":
            shop.sales.fulfill(order.id, data.draw(ocst.fulfill_quantities(current), label="ship"))
        else:
            back = data.draw(ocst.return_quantities(current), label="return")
            shop.sales.create_return(order.id, back)
    shop.settle_effects()

    refunds = shop.sales.refund_orders(order_id=order.id)
    owed = sum((refund.amount for refund in refunds), Money.zero(order.currency))
    refunded = sum((refund.refunded for refund in refunds), Money.zero(order.currency))
    view = shop.card.view(order.payment.reference, now=shop.clock.now())
    assert owed <= order.total
    assert refunded <= view.captured
    assert view.refunded == refunded
    assert view.refunded <= view.captured
    assert all(refund.refunded <= refund.amount for refund in refunds)
    assert sum(1 for refund in refunds if refund.kind is RefundKind.CANCELLATION) <= 1


@sales_settings
@given(
    lines=ocst.orders_to_place(currency=None, sku=ocst.skus(SKUS)),
    payment=ocst.payment_refs(providers=st.sampled_from(["invoice", "paypal", "klarna"])),
)
def test_a_payment_service_without_a_gateway_is_owed_back_by_hand_in_full(
    lines: list[LineItem], payment: PaymentRef
) -> None:
    shop = Shop.open(stock=ON_HAND)
    order = shop.sales.place_order(lines, payment=payment)

    refund = shop.sales.cancel_order(order.id)

    if order.total.is_zero():
        assert refund.payment_status is PaymentStatus.NOT_REQUIRED
        assert shop.sales.manual_refunds_owed() == []
    else:
        assert refund.payment_status is PaymentStatus.MANUAL_REFUND_REQUIRED
        assert refund.manual_amount == order.total
        assert shop.sales.manual_refunds_owed() == [refund]


@sales_settings
@given(reason=ocst.reasons(), code=ocst.reason_codes(), actor=st.none() | ocst.identifiers())
def test_any_accepted_reason_is_kept_with_the_cancellation(
    reason: str | None, code: ReasonCode | str | None, actor: str | None
) -> None:
    shop = Shop.open()
    order = shop.place(paid_by="nothing")

    refund = shop.sales.cancel_order(order.id, reason=reason, reason_code=code, actor=actor)

    cancellation = shop.sales.get_order(order.id).cancellation
    assert cancellation is not None
    assert (refund.reason, cancellation.reason, cancellation.actor) == (reason, reason, actor)
    expected = ReasonCode[code.upper()] if isinstance(code, str) else code
    assert refund.reason_code is cancellation.reason_code is expected


@sales_settings
@given(
    label=ocst.status_labels().filter(lambda text: text not in ("Open", "Fulfilled", "Returned"))
)
def test_any_label_a_merchant_defines_as_canceled_can_be_the_status_after_cancel(
    label: str,
) -> None:
    shop = Shop.open()
    shop.sales.define_status_label(label, means=OrderState.CANCELED)
    order = shop.place(paid_by="nothing")

    shop.sales.cancel_order(order.id, status=label)

    assert shop.sales.get_order(order.id).status == label


@sales_settings
@given(order_id=ocst.identifiers(max_size=128), key=ocst.identifiers(max_size=128))
def test_any_accepted_id_and_key_name_the_order_and_the_command(order_id: str, key: str) -> None:
    shop = Shop.open()
    placed = shop.place(order_id=order_id, paid_by="nothing")

    first = shop.sales.cancel_order(order_id, idempotency_key=key)
    again = shop.sales.cancel_order(order_id, idempotency_key=key)

    assert placed.id == order_id
    assert again == first
    assert shop.sales.refund_orders() == [first]
