"""Settlement planning: how the money of a refund order goes back, given the provider's view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from order_cancellation import Money, PaymentStatus, RefundKind
from order_cancellation.domain.payment import (
    AuthorizationStatus,
    PaymentView,
    SettlementPlan,
    StepKind,
    plan_settlement,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
A, P, C, X, N = (
    AuthorizationStatus.AUTHORIZED,
    AuthorizationStatus.PART_CAPTURED,
    AuthorizationStatus.CAPTURED,
    AuthorizationStatus.CANCELLED,
    AuthorizationStatus.EXPIRED,
)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def view(
    status: AuthorizationStatus,
    *,
    authorized: str = "45.00",
    captured: str = "0",
    refunded: str = "0",
    expires_in: timedelta = timedelta(days=20),
    released: str | None = None,
) -> PaymentView:
    return PaymentView(
        status=status,
        authorized=eur(authorized),
        captured=eur(captured),
        refunded=eur(refunded),
        expires_at=NOW + expires_in,
        released=eur(released) if released is not None else None,
    )


def cancellation(payment: PaymentView, *, already_refunded: str | None = None) -> SettlementPlan:
    return plan_settlement(
        kind=RefundKind.CANCELLATION,
        amount=eur("45.00"),
        view=payment,
        now=NOW,
        already_refunded=eur(already_refunded) if already_refunded is not None else None,
    )


def a_return(amount: str, payment: PaymentView) -> SettlementPlan:
    return plan_settlement(kind=RefundKind.RETURN, amount=eur(amount), view=payment, now=NOW)


def steps(plan: SettlementPlan) -> list[tuple[StepKind, Money]]:
    return [(step.kind, step.amount) for step in plan.steps]


def test_nothing_captured_cancels_the_authorization() -> None:
    plan = cancellation(view(A))

    assert steps(plan) == [(StepKind.CANCEL_AUTHORIZATION, eur("45.00"))]
    assert plan.result.status is PaymentStatus.VOIDED
    assert plan.result.released == eur("45.00")


def test_partly_captured_refunds_the_capture_and_releases_the_rest() -> None:
    plan = cancellation(view(P, captured="30.00"))

    assert steps(plan) == [
        (StepKind.REFUND, eur("30.00")),
        (StepKind.RELEASE_REMAINING, eur("15.00")),
    ]
    assert plan.result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (plan.result.refunded, plan.result.released) == (eur("30.00"), eur("15.00"))


def test_fully_captured_refunds_everything() -> None:
    plan = cancellation(view(C, captured="45.00"))

    assert steps(plan) == [(StepKind.REFUND, eur("45.00"))]
    assert plan.result.status is PaymentStatus.REFUNDED


def test_an_expired_authorization_has_nothing_left_to_release() -> None:
    plan = cancellation(view(A, expires_in=-timedelta(seconds=1)))

    assert steps(plan) == []
    assert plan.result.status is PaymentStatus.AUTHORIZATION_LAPSED
    assert plan.result.released.is_zero()


def test_an_expired_authorization_still_refunds_what_was_captured() -> None:
    plan = cancellation(view(N, captured="10.00"))

    assert steps(plan) == [(StepKind.REFUND, eur("10.00"))]
    assert plan.result.status is PaymentStatus.AUTHORIZATION_LAPSED


def test_a_retry_after_a_refund_went_through_asks_only_for_the_release() -> None:
    plan = cancellation(view(P, captured="30.00", refunded="30.00"), already_refunded="30.00")

    assert steps(plan) == [(StepKind.RELEASE_REMAINING, eur("15.00"))]
    assert plan.result.refunded == eur("30.00")


def test_a_retry_after_the_void_went_through_records_what_was_released() -> None:
    # The first attempt canceled the authorization but its response was lost.
    plan = cancellation(view(X, released="45.00"))

    assert steps(plan) == []
    assert plan.result.status is PaymentStatus.VOIDED
    assert plan.result.released == eur("45.00")


def test_a_retry_after_the_release_went_through_records_refund_and_release() -> None:
    # Refund and release both happened; the response of the release was lost.
    plan = cancellation(
        view(C, authorized="30.00", captured="30.00", refunded="30.00", released="15.00"),
        already_refunded="30.00",
    )

    assert steps(plan) == []
    assert plan.result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (plan.result.refunded, plan.result.released) == (eur("30.00"), eur("15.00"))


def test_a_return_refunds_its_amount_from_what_was_captured() -> None:
    plan = a_return("12.50", view(C, captured="45.00"))

    assert steps(plan) == [(StepKind.REFUND, eur("12.50"))]
    assert plan.result.status is PaymentStatus.REFUNDED


def test_a_return_never_refunds_more_than_is_refundable() -> None:
    plan = a_return("25.00", view(P, captured="30.00", refunded="20.00"))

    assert steps(plan) == [(StepKind.REFUND, eur("10.00"))]
    assert plan.result.status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert plan.result.manual == eur("15.00")
