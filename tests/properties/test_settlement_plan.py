"""Settlement planning over every provider view: the plan gives back exactly what is owed,
as refund, release or manual refund, and never refunds more than is refundable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from order_cancellation import Money, PaymentStatus, RefundKind
from order_cancellation.domain.payment import (
    AuthorizationStatus,
    PaymentView,
    SettlementPlan,
    StepKind,
    plan_settlement,
)
from order_cancellation.testing import strategies as ocst

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@attrs.frozen
class Scenario:
    kind: RefundKind
    amount: Money  # what the refund order owes
    view: PaymentView
    done: Money  # refunded for this refund order by earlier attempts

    def plan(self) -> SettlementPlan:
        return plan_settlement(
            kind=self.kind,
            amount=self.amount,
            view=self.view,
            now=NOW,
            already_refunded=self.done if self.done.minor else None,
        )


def _expiry(draw: st.DrawFn) -> datetime:
    lapsed = draw(st.booleans())
    offset = timedelta(seconds=draw(st.integers(min_value=1, max_value=60 * 24 * 3600)))
    return NOW - offset if lapsed else NOW + offset


@st.composite
def cancellations(draw: st.DrawFn) -> Scenario:
    """A cancellation of an order whose total was authorized; some of it may have been
    captured in the provider's portal, and an earlier attempt may have done part of the job."""
    total = draw(ocst.money(min_minor=1, max_minor=10**9))
    zero = Money.zero(total.currency)
    captured = Money(draw(st.integers(min_value=0, max_value=total.minor)), total.currency)
    done = Money(draw(st.integers(min_value=0, max_value=captured.minor)), total.currency)
    expires_at = _expiry(draw)
    shape = draw(st.sampled_from(["live", "voided before", "released before"]))
    if shape == "voided before" and captured.is_zero():
        view = PaymentView(
            status=AuthorizationStatus.CANCELLED,
            authorized=total,
            captured=zero,
            refunded=zero,
            expires_at=expires_at,
            released=draw(st.sampled_from([total, None])),
        )
    elif shape == "released before" and zero < captured < total:
        view = PaymentView(
            status=AuthorizationStatus.CAPTURED,
            authorized=captured,
            captured=captured,
            refunded=done,
            expires_at=expires_at,
            released=total - captured,
        )
    else:
        status = (
            AuthorizationStatus.AUTHORIZED
            if captured.is_zero()
            else AuthorizationStatus.CAPTURED
            if captured == total
            else AuthorizationStatus.PART_CAPTURED
        )
        view = PaymentView(
            status=status,
            authorized=total,
            captured=captured,
            refunded=done,
            expires_at=expires_at,
        )
    return Scenario(kind=RefundKind.CANCELLATION, amount=total, view=view, done=done)


@st.composite
def returns(draw: st.DrawFn) -> Scenario:
    """A return of part of an order: some of the order captured, some of it refunded by
    earlier returns, some of this return refunded by an earlier attempt."""
    total = draw(ocst.money(min_minor=1, max_minor=10**9))
    amount = Money(draw(st.integers(min_value=1, max_value=total.minor)), total.currency)
    captured = Money(draw(st.integers(min_value=0, max_value=total.minor)), total.currency)
    refunded = Money(draw(st.integers(min_value=0, max_value=captured.minor)), total.currency)
    done_most = min(refunded.minor, amount.minor)
    done = Money(draw(st.integers(min_value=0, max_value=done_most)), total.currency)
    status = (
        AuthorizationStatus.AUTHORIZED
        if captured.is_zero()
        else AuthorizationStatus.CAPTURED
        if captured == total
        else AuthorizationStatus.PART_CAPTURED
    )
    view = PaymentView(
        status=status,
        authorized=total,
        captured=captured,
        refunded=refunded,
        expires_at=_expiry(draw),
    )
    return Scenario(kind=RefundKind.RETURN, amount=amount, view=view, done=done)


def refunded_by(plan: SettlementPlan, currency: str) -> Money:
    return sum(
        (step.amount for step in plan.steps if step.kind is StepKind.REFUND),
        Money.zero(currency),
    )


@given(st.one_of(cancellations(), returns()))
def test_a_plan_never_refunds_more_than_is_refundable(scenario: Scenario) -> None:
    plan = scenario.plan()

    assert refunded_by(plan, scenario.amount.currency) <= scenario.view.refundable
    assert all(step.amount.minor > 0 for step in plan.steps)


@given(st.one_of(cancellations(), returns()))
def test_a_plan_records_what_its_steps_and_earlier_attempts_refunded(scenario: Scenario) -> None:
    plan = scenario.plan()

    assert plan.result.refunded == scenario.done + refunded_by(plan, scenario.amount.currency)
    assert plan.result.refunded <= scenario.view.captured


@given(cancellations())
def test_a_cancellation_gives_back_the_whole_order_unless_the_authorization_lapsed(
    scenario: Scenario,
) -> None:
    result = scenario.plan().result
    given_back = result.refunded + result.released + result.manual

    if result.status is PaymentStatus.AUTHORIZATION_LAPSED:
        assert result.released.is_zero()
        assert given_back == scenario.view.captured
    else:
        assert given_back == scenario.amount
    assert result.manual.is_zero()


@given(cancellations())
def test_a_cancellation_voids_only_when_nothing_was_captured(scenario: Scenario) -> None:
    plan = scenario.plan()
    voids = [step for step in plan.steps if step.kind is StepKind.CANCEL_AUTHORIZATION]

    if voids:
        assert scenario.view.captured.is_zero()
        assert [step.kind for step in plan.steps] == [StepKind.CANCEL_AUTHORIZATION]


@given(returns())
def test_a_return_is_refunded_or_owed_by_hand_in_full_unless_the_rest_lapsed(
    scenario: Scenario,
) -> None:
    result = scenario.plan().result
    accounted = result.refunded + result.manual

    if result.status is PaymentStatus.AUTHORIZATION_LAPSED:
        assert accounted <= scenario.amount
    else:
        assert accounted == scenario.amount
    assert result.released.is_zero()
