"""How money goes back: the provider's view of a payment and the plan that settles a refund.

The rules live here so that every payment adapter (Klarna, the in-memory provider, yours)
settles the same way: cancel the authorization when nothing was captured, refund what was
captured and release the rest otherwise, and accept that an expired authorization has
nothing left to release.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus, RefundKind, SettlementResult


class AuthorizationStatus(enum.Enum):
    """The provider's state of a payment (Klarna's order statuses, generalised)."""

    AUTHORIZED = "AUTHORIZED"
    PART_CAPTURED = "PART_CAPTURED"
    CAPTURED = "CAPTURED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    CLOSED = "CLOSED"


@attrs.frozen(kw_only=True)
class PaymentView:
    """What the provider says about a payment right now."""

    status: AuthorizationStatus
    authorized: Money
    captured: Money
    refunded: Money
    expires_at: datetime | None = None
    released: Money | None = None
    """What the provider has already given up of the authorization (canceled, or released
    as the remainder after a capture), when it says so. It lets a settlement retried after a
    lost response record what the earlier attempt did; None when the provider cannot tell."""

    @property
    def refundable(self) -> Money:
        return self.captured - self.refunded

    @property
    def remaining_authorization(self) -> Money:
        return self.authorized - self.captured

    def expired(self, now: datetime) -> bool:
        if self.status is AuthorizationStatus.EXPIRED:
            return True
        return self.expires_at is not None and now >= self.expires_at


class StepKind(enum.Enum):
    CANCEL_AUTHORIZATION = "cancel_authorization"
    REFUND = "refund"
    RELEASE_REMAINING = "release_remaining"
    REDUCE_AUTHORIZATION = "reduce_authorization"  # ``amount`` off what stays authorized


@attrs.frozen(kw_only=True)
class Step:
    kind: StepKind
    amount: Money


@attrs.frozen(kw_only=True)
class SettlementPlan:
    """The calls to make, in order, and the result to record once they all succeeded."""

    steps: tuple[Step, ...]
    result: SettlementResult


def plan_settlement(  # noqa: PLR0911 - one return per case of the rule
    *,
    kind: RefundKind,
    amount: Money,
    view: PaymentView,
    now: datetime,
    already_refunded: Money | None = None,
    order_worth: Money | None = None,
    order_keeps: Money | None = None,
) -> SettlementPlan:
    """Decide how to give ``amount`` back for a refund order, given the provider's view.

    ``already_refunded`` is what the provider has refunded for this very refund order in
    earlier attempts. The plan is computed from what the provider says now, so running it
    again after a partial success (the refund went through, the release did not) asks only
    for what is left. ``order_worth`` is set for a cancellation of the unshipped rest of an
    order: what the order is still worth after it (its total less every cancellation), which
    the authorization must cover; ``order_keeps`` is that less what returns gave back: the
    most the merchant may hold of the captured money (``order_worth`` when not given).
    """
    zero = Money.zero(amount.currency)
    done = already_refunded if already_refunded is not None else zero
    refundable = view.refundable
    if kind is RefundKind.RETURN:
        return _plan_return(amount - done, done, view, now, zero)
    if order_worth is not None:
        keeps = order_keeps if order_keeps is not None else order_worth
        return _plan_unshipped(
            amount - done, done, worth=order_worth, keeps=keeps, view=view, now=now, zero=zero
        )

    if view.status is AuthorizationStatus.CANCELLED and refundable.is_zero():
        # An earlier attempt (whose response was lost) or the merchant canceled it already.
        voided = view.released if view.released is not None else view.remaining_authorization
        return _plan(
            (),
            PaymentStatus.VOIDED,
            (zero, max(voided, zero), zero),
            "authorization already canceled",
        )
    # A cancel gives back what the order is worth and no more: money captured beyond it
    # (a capture made by hand in the provider's portal, say) is for the merchant to look at.
    excess = max(refundable - max(amount - done, zero), zero)
    refundable -= excess
    note = (
        f"the provider shows {excess} more captured than this order is worth; it was not "
        "refunded: check the payment in the provider's portal"
        if excess.minor
        else None
    )
    unrefunded = excess if excess.minor else None
    refund_steps = (Step(kind=StepKind.REFUND, amount=refundable),) if refundable.minor else ()
    if view.expired(now) or view.status is AuthorizationStatus.CLOSED:
        return _plan(
            refund_steps,
            PaymentStatus.AUTHORIZATION_LAPSED,
            (done + refundable, zero, zero),
            _joined("the authorization expired; nothing was left to release", note),
            unrefunded,
        )
    if view.captured.is_zero():
        cancel = Step(kind=StepKind.CANCEL_AUTHORIZATION, amount=view.authorized)
        return _plan((cancel,), PaymentStatus.VOIDED, (zero, view.authorized, zero), None)
    remaining = view.remaining_authorization
    if remaining.minor > 0:
        release = Step(kind=StepKind.RELEASE_REMAINING, amount=remaining)
        return _plan(
            (*refund_steps, release),
            PaymentStatus.REFUNDED_AND_RELEASED,
            (done + refundable, remaining, zero),
            note,
            unrefunded,
        )
    if view.released is not None and view.released.minor > 0:
        # The remainder was released before (by an attempt whose response was lost).
        return _plan(
            refund_steps,
            PaymentStatus.REFUNDED_AND_RELEASED,
            (done + refundable, view.released, zero),
            note,
            unrefunded,
        )
    return _plan(
        refund_steps, PaymentStatus.REFUNDED, (done + refundable, zero, zero), note, unrefunded
    )


def _joined(first: str, second: str | None) -> str:
    return first if second is None else f"{first}; {second}"


def _plan_return(
    still_owed: Money, done: Money, view: PaymentView, now: datetime, zero: Money
) -> SettlementPlan:
    refund = max(min(still_owed, view.refundable), zero)
    steps = (Step(kind=StepKind.REFUND, amount=refund),) if refund.minor else ()
    shortfall = still_owed - refund
    refund = done + refund
    if shortfall.minor <= 0:
        return _plan(steps, PaymentStatus.REFUNDED, (refund, zero, zero), None)
    if view.expired(now) or view.status is AuthorizationStatus.CANCELLED:
        # Units never captured were never charged: the lapsed authorization already freed them.
        return _plan(
            steps,
            PaymentStatus.AUTHORIZATION_LAPSED,
            (refund, zero, zero),
            "the uncaptured part of the authorization lapsed",
        )
    return _plan(
        steps,
        PaymentStatus.MANUAL_REFUND_REQUIRED,
        (refund, zero, shortfall),
        f"{shortfall} was not captured and cannot be refunded by the provider; "
        "reduce the authorization or refund it by hand",
    )


def _plan_unshipped(
    owed: Money,
    done: Money,
    *,
    worth: Money,
    keeps: Money,
    view: PaymentView,
    now: datetime,
    zero: Money,
) -> SettlementPlan:
    """Give back ``owed`` for canceled units: from what was captured beyond what the order
    is still worth, and the rest from the authorization that the units still to ship do not
    need. Both parts are worked out from figures that this refund's own steps do not move
    (what was captured, what the order is worth, what was refunded before it), so a retry
    after a lost answer asks only for what is missing."""
    if view.expired(now) or view.status in (
        AuthorizationStatus.CANCELLED,
        AuthorizationStatus.CLOSED,
    ):
        # The canceled units were never shipped, so never captured: nothing to give back.
        return _plan(
            (),
            PaymentStatus.AUTHORIZATION_LAPSED,
            (done, zero, zero),
            "the authorization had lapsed; the canceled units were never charged",
        )
    whole = owed + done
    held_before = view.captured - view.refunded + done
    from_captured = min(whole, max(held_before - keeps, zero))
    refund = max(from_captured - done, zero)
    # What the units still to ship will be charged: the authorization must keep it.
    still_to_capture = max(worth - view.captured, zero)
    spare = max(view.remaining_authorization - still_to_capture, zero)
    release = min(whole - from_captured, spare)
    shortfall = whole - from_captured - release
    steps: list[Step] = []
    if refund.minor:
        steps.append(Step(kind=StepKind.REFUND, amount=refund))
    released = release
    if release.minor and still_to_capture.is_zero() and view.captured.minor:
        # Nothing else will ship: give up the whole remainder, as Klarna's release does.
        released = view.remaining_authorization
        steps.append(Step(kind=StepKind.RELEASE_REMAINING, amount=released))
    elif release.minor:
        steps.append(Step(kind=StepKind.REDUCE_AUTHORIZATION, amount=release))
    if shortfall.minor:
        return _plan(
            tuple(steps),
            PaymentStatus.MANUAL_REFUND_REQUIRED,
            (from_captured, released, shortfall),
            f"{shortfall} was neither captured nor left authorized to give back; refund it "
            "by hand or reduce the authorization in the provider's portal",
        )
    status = (
        PaymentStatus.REFUNDED_AND_RELEASED
        if from_captured.minor and released.minor
        else PaymentStatus.REFUNDED
        if from_captured.minor
        else PaymentStatus.RELEASED
    )
    return _plan(tuple(steps), status, (from_captured, released, zero), None)


def _plan(
    steps: tuple[Step, ...],
    status: PaymentStatus,
    amounts: tuple[Money, Money, Money],
    detail: str | None,
    unrefunded: Money | None = None,
) -> SettlementPlan:
    refunded, released, manual = amounts
    return SettlementPlan(
        steps=steps,
        result=SettlementResult(
            status=status,
            refunded=refunded,
            released=released,
            manual=manual,
            detail=detail,
            unrefunded=unrefunded,
        ),
    )
