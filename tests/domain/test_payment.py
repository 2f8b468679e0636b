"""Settlement planning: how the money of a refund order goes back, given the provider's view."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import attrs
import pytest

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


def test_an_authorization_is_expired_from_the_moment_it_expires() -> None:
    live = view(A, expires_in=timedelta(seconds=1))
    at_expiry = view(A, expires_in=timedelta(0))

    assert not live.expired(NOW)
    assert at_expiry.expired(NOW)
    assert cancellation(at_expiry).result.status is PaymentStatus.AUTHORIZATION_LAPSED


def test_an_authorization_the_provider_calls_expired_is_expired_whatever_its_date() -> None:
    assert view(N, expires_in=timedelta(days=20)).expired(NOW)
    assert not view(A, expires_in=timedelta(days=20)).expired(NOW)


def test_an_authorization_without_an_expiry_date_never_expires_by_time() -> None:
    payment = attrs.evolve(view(A), expires_at=None)

    assert not payment.expired(NOW + timedelta(days=10_000))


def test_a_cancel_the_provider_reports_records_what_the_provider_says_it_released() -> None:
    # 5.00 of the authorization had been given up before; the provider knows, we trust it.
    plan = cancellation(view(X, authorized="45.00", released="40.00"))

    assert steps(plan) == []
    assert plan.result.status is PaymentStatus.VOIDED
    assert plan.result.released == eur("40.00")


def test_a_cancel_the_provider_cannot_detail_records_the_uncaptured_rest_as_released() -> None:
    # Captured 10.00 was refunded, then the authorization canceled; no "released" figure.
    plan = cancellation(view(X, captured="10.00", refunded="10.00"))

    assert steps(plan) == []
    assert plan.result.status is PaymentStatus.VOIDED
    assert plan.result.released == eur("35.00")
    assert plan.result.refunded.is_zero()


def test_a_release_of_a_single_minor_unit_is_still_made() -> None:
    plan = cancellation(view(P, captured="44.99"))

    assert steps(plan) == [
        (StepKind.REFUND, eur("44.99")),
        (StepKind.RELEASE_REMAINING, eur("0.01")),
    ]
    assert plan.result.status is PaymentStatus.REFUNDED_AND_RELEASED


def test_a_single_minor_unit_released_before_is_recorded_as_released() -> None:
    plan = cancellation(
        view(C, authorized="44.99", captured="44.99", refunded="44.99", released="0.01"),
        already_refunded="44.99",
    )

    assert plan.result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert plan.result.released == eur("0.01")


def test_a_retry_after_the_release_went_through_still_refunds_the_capture() -> None:
    # The remainder was released but the refund of the capture never happened.
    plan = cancellation(view(C, authorized="30.00", captured="30.00", released="15.00"))

    assert steps(plan) == [(StepKind.REFUND, eur("30.00"))]
    assert plan.result.status is PaymentStatus.REFUNDED_AND_RELEASED
    assert (plan.result.refunded, plan.result.released) == (eur("30.00"), eur("15.00"))


def test_an_uncaptured_return_from_a_canceled_authorization_has_lapsed() -> None:
    plan = a_return("12.50", view(X, captured="0"))

    assert steps(plan) == []
    assert plan.result.status is PaymentStatus.AUTHORIZATION_LAPSED
    assert plan.result.manual.is_zero()


def test_an_uncaptured_return_from_an_expired_authorization_has_lapsed() -> None:
    plan = a_return("12.50", view(P, captured="10.00", expires_in=-timedelta(seconds=1)))

    assert steps(plan) == [(StepKind.REFUND, eur("10.00"))]
    assert plan.result.status is PaymentStatus.AUTHORIZATION_LAPSED
    assert (plan.result.refunded, plan.result.manual) == (eur("10.00"), Money.zero("EUR"))


@pytest.mark.parametrize(
    ("captured", "refunded", "refund"),
    [("0", "0", None), ("10.00", "10.00", None), ("0.01", "0", "0.01"), ("30.00", "0", "12.50")],
)
def test_a_return_refunds_what_it_can_of_the_capture_and_owes_the_rest_by_hand(
    captured: str, refunded: str, refund: str | None
) -> None:
    plan = a_return("12.50", view(P, captured=captured, refunded=refunded))

    refunds = [(StepKind.REFUND, eur(refund))] if refund is not None else []
    assert steps(plan) == refunds
    assert plan.result.refunded + plan.result.manual == eur("12.50")


@pytest.mark.parametrize(
    ("plan", "detail"),
    [
        (lambda: cancellation(view(A)), None),
        (lambda: cancellation(view(P, captured="30.00")), None),
        (lambda: cancellation(view(C, captured="45.00")), None),
        (lambda: cancellation(view(X, released="45.00")), "authorization already canceled"),
        (
            lambda: cancellation(view(A, expires_in=-timedelta(seconds=1))),
            "the authorization expired; nothing was left to release",
        ),
        (lambda: a_return("12.50", view(C, captured="45.00")), None),
        (
            lambda: a_return("12.50", view(X)),
            "the uncaptured part of the authorization lapsed",
        ),
        (
            lambda: a_return("25.00", view(P, captured="30.00", refunded="20.00")),
            "15.00 EUR was not captured and cannot be refunded by the provider; "
            "reduce the authorization or refund it by hand",
        ),
    ],
)
def test_a_plan_explains_any_outcome_other_than_the_usual_one_in_its_detail(
    plan: Callable[[], SettlementPlan], detail: str | None
) -> None:
    assert plan().result.detail == detail


# -- the unshipped rest of a partly shipped order ------------------------------------------------


def unshipped(
    payment: PaymentView, *, amount: str = "15.00", worth: str = "30.00"
) -> SettlementPlan:
    """15.00 of a 45.00 order canceled; the order is still worth ``worth``."""
    return plan_settlement(
        kind=RefundKind.CANCELLATION,
        amount=eur(amount),
        view=payment,
        now=NOW,
        order_worth=eur(worth),
    )


def test_canceling_units_while_more_will_ship_reduces_the_authorization() -> None:
    plan = unshipped(view(P, captured="10.00"))

    assert [(s.kind, s.amount) for s in plan.steps] == [
        (StepKind.REDUCE_AUTHORIZATION, eur("15.00"))
    ]
    assert (plan.result.status, plan.result.released) == (PaymentStatus.RELEASED, eur("15.00"))


def test_canceling_the_last_unshipped_units_releases_the_remaining_authorization() -> None:
    plan = unshipped(view(P, captured="30.00"))

    assert [(s.kind, s.amount) for s in plan.steps] == [(StepKind.RELEASE_REMAINING, eur("15.00"))]
    assert plan.result.refunded == eur("0")


def test_canceled_units_that_were_captured_already_are_refunded() -> None:
    # Everything was captured at checkout: nothing is left to release.
    plan = unshipped(view(C, captured="45.00"))

    assert [(s.kind, s.amount) for s in plan.steps] == [(StepKind.REFUND, eur("15.00"))]
    assert (plan.result.status, plan.result.refunded) == (PaymentStatus.REFUNDED, eur("15.00"))


def test_the_authorization_is_reduced_only_by_what_the_rest_does_not_need() -> None:
    # 40.00 captured of 45.00; the rest is worth 30.00 (10.00 over-captured), 5.00 left
    # authorized: release the 5.00, refund 10.00.
    plan = unshipped(view(P, captured="40.00"))

    assert [(s.kind, s.amount) for s in plan.steps] == [
        (StepKind.REFUND, eur("10.00")),
        (StepKind.RELEASE_REMAINING, eur("5.00")),
    ]
    assert plan.result.status is PaymentStatus.REFUNDED_AND_RELEASED


def test_a_retry_after_the_reduction_went_through_asks_for_nothing_more() -> None:
    plan = unshipped(view(P, authorized="30.00", captured="10.00"))

    assert plan.steps == ()
    assert plan.result.status is PaymentStatus.REFUNDED or plan.result.released.is_zero()


def test_canceled_units_of_a_lapsed_authorization_were_never_charged() -> None:
    plan = unshipped(view(P, captured="10.00", expires_in=-timedelta(days=1)))

    assert plan.steps == ()
    assert plan.result.status is PaymentStatus.AUTHORIZATION_LAPSED


def test_captured_money_already_given_back_by_returns_is_not_counted_twice() -> None:
    # 45.00 captured at checkout; a return gave back 10.00 of the shipped goods; canceling
    # 15.00 of unshipped goods refunds all of it.
    plan = plan_settlement(
        kind=RefundKind.CANCELLATION,
        amount=eur("15.00"),
        view=view(C, captured="45.00", refunded="10.00"),
        now=NOW,
        order_worth=eur("30.00"),
        order_keeps=eur("20.00"),
    )

    assert [(s.kind, s.amount) for s in plan.steps] == [(StepKind.REFUND, eur("15.00"))]


def test_what_is_neither_authorized_nor_captured_is_owed_by_hand() -> None:
    plan = unshipped(view(P, authorized="20.00", captured="20.00"), worth="30.00")

    assert plan.result.status is PaymentStatus.MANUAL_REFUND_REQUIRED
    assert plan.result.manual == eur("15.00")
