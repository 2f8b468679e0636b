"""Properties of real orders' money: random orders (1-10 lines, 0-3 shipping fees, 0-3
discounts, mixed tax rates, both price modes, EUR, JPY and KWD) taken through a cancel, or
through shipping and random partial returns (with random shipping refunds) until every unit
and all shipping are back.

After every refund: nothing is refunded beyond what was paid, per line, per shipping fee
and per order. At the end: the order nets to zero on every figure of the report and every
tax rate, and the tax of each refunded part agrees with the tax formula within Klarna's
one-minor-unit tolerance.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from order_cancellation import Money, Order, RefundOrder, ReturnFee, TaxRate
from order_cancellation.domain.pricing import tax_added, tax_included
from order_cancellation.domain.report import build_report
from order_cancellation.testing import order_charges as occ
from order_cancellation.testing import strategies as ocst

AT = datetime(2026, 11, 2, 9, tzinfo=UTC)
CURRENCIES = st.sampled_from(["EUR", "JPY", "KWD"])
EXAMPLES = 300
real_orders = occ.real_orders(CURRENCIES, max_lines=10)


def placed(order: occ.OrderToPlace) -> Order:
    return Order.place(
        order_id="o-1",
        shop="acme",
        items=list(order.lines),
        payment=None,
        at=AT,
        shipping=list(order.shipping),
        discounts=list(order.discounts),
        prices_include_tax=order.prices_include_tax,
    ).order


def test_sizes_are_reported(reliability: Callable[[str], None]) -> None:
    reliability(
        f"RELIABILITY M1 real-order money properties examples={EXAMPLES} "
        "lines<=10 fees<=3 discounts<=3 currencies=EUR,JPY,KWD modes=both"
    )


@settings(max_examples=EXAMPLES)
@given(real_orders)
def test_allocation_never_loses_or_creates_a_minor_unit(to_place: occ.OrderToPlace) -> None:
    order = placed(to_place)

    discounted = sum((line.discount for line in order.lines), Money.zero(order.currency))
    applied = sum((d.amount for d in order.discounts), Money.zero(order.currency))
    assert discounted == applied
    for discount in order.discounts:
        assert sum((share.amount for share in discount.per_line), Money.zero(order.currency)) == (
            discount.amount
        )
    for line in order.lines:
        assert Money.zero(order.currency) <= line.discount <= line.list_price
    goods = sum((line.total for line in order.lines), Money.zero(order.currency))
    assert order.total == sum((fee.total for fee in order.shipping), goods)


@settings(max_examples=EXAMPLES)
@given(real_orders)
def test_a_canceled_order_nets_to_zero_on_every_figure_and_rate(
    to_place: occ.OrderToPlace,
) -> None:
    order = placed(to_place)
    refund = order.cancel(
        refund_order_id="r-1",
        status="Canceled",
        reason=None,
        reason_code=None,
        actor=None,
        restock=True,
        at=AT + timedelta(days=1),
    ).refund_order
    assert refund is not None

    assert refund.amount == order.total
    assert refund.tax_by_rate == order.tax_by_rate
    _assert_nets_to_zero(order, [refund])


@settings(max_examples=EXAMPLES)
@given(real_orders, st.data())
def test_returns_in_any_pieces_never_overpay_and_end_at_zero(
    to_place: occ.OrderToPlace, data: st.DataObject
) -> None:
    order = placed(to_place).fulfill(None, at=AT).order
    original = order
    refunds: list[RefundOrder] = []
    while any(line.returnable for line in order.lines):
        quantities = data.draw(ocst.return_quantities(order), label="return")
        last = all(
            quantities.get(line.id, quantities.get(line.sku, 0)) == line.returnable
            for line in order.lines
        )
        shipping_left = sum((fee.refundable for fee in order.shipping), Money.zero(order.currency))
        refund_shipping: bool | Money = (
            True
            if last
            else data.draw(
                st.sampled_from([False, True])
                | st.builds(
                    Money, st.integers(1, max(shipping_left.minor, 1)), st.just(order.currency)
                ),
                label="refund_shipping",
            )
        )
        if isinstance(refund_shipping, Money) and refund_shipping > shipping_left:
            refund_shipping = False
        decision = order.create_return(
            quantities,
            refund_order_id=f"r-{len(refunds)}",
            restock=True,
            reason=None,
            at=AT + timedelta(days=1),
            refund_shipping=refund_shipping,
        )
        assert decision.refund_order is not None
        order = decision.order
        refunds.append(decision.refund_order)
        _assert_never_overpaid(original, refunds)
        _assert_tax_agrees_with_the_formula(decision.refund_order)

    assert sum((r.amount for r in refunds), Money.zero(order.currency)) == original.total
    _assert_nets_to_zero(original, refunds)


def _assert_never_overpaid(order: Order, refunds: list[RefundOrder]) -> None:
    zero = Money.zero(order.currency)
    per_line: Counter[str] = Counter()
    per_fee: Counter[str] = Counter()
    for refund in refunds:
        for portion in refund.lines:
            per_line[portion.line_id] += portion.total.minor
            assert portion.total.minor >= 0
            assert portion.tax.minor >= 0
        for part in refund.shipping:
            per_fee[part.shipping_id] += part.amount.minor
    for line in order.lines:
        assert per_line[line.id] <= line.total.minor, line.id
    for fee in order.shipping:
        assert per_fee[fee.id] <= fee.total.minor, fee.id
    assert sum((r.amount for r in refunds), zero) <= order.total


def _assert_tax_agrees_with_the_formula(refund: RefundOrder) -> None:
    for line in refund.lines:
        if refund.prices_include_tax:
            expected = tax_included(line.total.minor, line.tax_rate)
        else:
            expected = tax_added(line.net.minor, line.tax_rate)
        assert abs(line.tax.minor - expected) <= 1, line
    for part in refund.shipping:
        assert abs(part.tax.minor - tax_included(part.amount.minor, part.tax_rate)) <= 1, part


def _assert_nets_to_zero(order: Order, refunds: list[RefundOrder]) -> None:
    report = build_report([order], refunds, start=AT, end=AT + timedelta(days=2))
    row = report.currency(order.currency)
    zero = Money.zero(order.currency)
    assert row.net == zero
    assert row.gross == row.goods - row.discounts + row.shipping
    assert row.refunds == (
        row.refunded_goods
        - row.discounts_reversed
        + row.refunded_shipping
        - row.fees_kept
        + row.adjustments
    )
    assert row.adjustments == zero
    assert (row.refunded_goods, row.discounts_reversed, row.refunded_shipping) == (
        row.goods,
        row.discounts,
        row.shipping,
    )
    assert row.tax == zero
    recomputed: dict[TaxRate, Money] = {}
    for refund in refunds:
        for rate, tax in [
            *((line.tax_rate, line.tax) for line in refund.lines),
            *((fee.tax_rate, fee.tax) for fee in refund.shipping),
            *((part.tax_rate, part.tax) for part in refund.adjustment),
            *((part.tax_rate, -part.tax) for part in refund.deductions),
        ]:
            recomputed[rate] = recomputed.get(rate, zero) + tax
    for taxes in row.taxes:
        assert taxes.collected == taxes.refunded == recomputed.get(taxes.rate, zero)


@settings(max_examples=EXAMPLES)
@given(real_orders, st.data())
def test_fees_kept_on_returns_are_exactly_what_the_order_nets_to(
    to_place: occ.OrderToPlace, data: st.DataObject
) -> None:
    order = placed(to_place).fulfill(None, at=AT).order
    original = order
    refunds: list[RefundOrder] = []
    while any(line.returnable for line in order.lines):
        quantities = data.draw(ocst.return_quantities(order), label="return")
        decision = order.create_return(
            quantities,
            refund_order_id=f"r-{len(refunds)}",
            restock=True,
            reason=None,
            at=AT + timedelta(days=1),
            refund_shipping=True,
        )
        assert decision.refund_order is not None
        gives = decision.refund_order.amount
        fee = data.draw(st.integers(0, gives.minor), label="fee")
        if fee:
            decision = order.create_return(
                quantities,
                refund_order_id=f"r-{len(refunds)}",
                restock=True,
                reason=None,
                at=AT + timedelta(days=1),
                refund_shipping=True,
                fees=[ReturnFee("Restocking fee", Money(fee, order.currency))],
            )
            assert decision.refund_order is not None
        assert decision.refund_order is not None
        order = decision.order
        refunds.append(decision.refund_order)
        assert decision.refund_order.amount.minor >= 0

    zero = Money.zero(original.currency)
    kept = sum((refund.fees_kept for refund in refunds), zero)
    row = build_report([original], refunds, start=AT, end=AT + timedelta(days=2)).currency(
        original.currency
    )
    assert row.net == kept == row.fees_kept
    assert row.refunds == row.refunded_goods - row.discounts_reversed + row.refunded_shipping - kept
    fee_tax = sum((part.tax for refund in refunds for part in refund.fees), zero)
    assert row.tax == fee_tax


@settings(max_examples=EXAMPLES)
@given(real_orders, st.data())
def test_goodwill_between_returns_never_overpays_and_the_order_still_nets_to_zero(
    to_place: occ.OrderToPlace, data: st.DataObject
) -> None:
    order = placed(to_place).fulfill(None, at=AT).order
    original = order
    refunds: list[RefundOrder] = []
    zero = Money.zero(order.currency)
    while any(line.returnable for line in order.lines):
        if order.refundable.minor and data.draw(st.booleans(), label="goodwill first"):
            amount = data.draw(st.integers(1, order.refundable.minor), label="goodwill")
            decision = order.refund(
                Money(amount, order.currency), refund_order_id="g", reason=None, at=AT
            )
        else:
            decision = order.create_return(
                data.draw(ocst.return_quantities(order), label="return"),
                refund_order_id="r",
                restock=True,
                reason=None,
                at=AT,
                refund_shipping=True,
            )
        assert decision.refund_order is not None
        order = decision.order
        refunds.append(decision.refund_order)
        assert decision.refund_order.amount.minor >= 0
        assert sum((r.amount for r in refunds), zero) <= original.total

    assert sum((r.amount for r in refunds), zero) == original.total
    _assert_nets_to_zero(original, refunds)
