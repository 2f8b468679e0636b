"""Klarna's JSON, read and written: the order it shows, the refunds and captures it takes.

Reading is strict about the fields the settlement depends on (status and amounts): a
missing or unknown value stops the settlement before anything is sent, because acting on a
guess could pay twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Final, NoReturn

import attrs

from order_cancellation.adapters.klarna.errors import (
    KlarnaAmountOutOfRange,
    KlarnaAnswerContradictory,
    KlarnaResponseUnexpected,
)
from order_cancellation.domain.charges import ShippingPortion
from order_cancellation.domain.errors import InvalidMoney
from order_cancellation.domain.fees import FeePortion
from order_cancellation.domain.money import Money
from order_cancellation.domain.payment import AuthorizationStatus, PaymentView
from order_cancellation.domain.values import LineQuantity

MAX_AMOUNT: Final = 200_000_000
"""Klarna's largest amount in one capture or refund, in minor units."""
MAX_ORDER_LINES: Final = 1000
MAX_TEXT: Final = 255


@attrs.frozen(kw_only=True)
class Settled:
    """A refund or capture as listed on a Klarna order."""

    id: str | None
    amount: int
    reference: str | None


@attrs.frozen(kw_only=True)
class KlarnaOrder:
    """The fields of Klarna's order that money-back decisions depend on."""

    status: AuthorizationStatus
    currency: str
    captured: int
    refunded: int
    remaining: int
    expires_at: datetime | None
    refunds: tuple[Settled, ...]
    captures: tuple[Settled, ...]
    original: int | None = None

    def view(self) -> PaymentView:
        return PaymentView(
            status=self.status,
            authorized=self._money(self.captured + self.remaining),
            captured=self._money(self.captured),
            refunded=self._money(self.refunded),
            expires_at=self.expires_at,
            released=self._released(),
        )

    def _released(self) -> Money | None:
        # What was neither captured nor is still authorized was given up: by a cancel or a
        # release (possibly by an earlier attempt whose answer was lost) or by expiry.
        if self.original is None or self.status is AuthorizationStatus.EXPIRED:
            return None
        return self._money(max(self.original - self.captured - self.remaining, 0))

    def refunded_for(self, reference: str) -> Money:
        """What Klarna refunded under ``reference`` (one refund order), in earlier attempts."""
        return self._money(sum(r.amount for r in self.refunds if r.reference == reference))

    def refund_id_for(self, reference: str) -> str | None:
        ids = [r.id for r in self.refunds if r.reference == reference and r.id]
        return ids[-1] if ids else None

    def capture_for(self, reference: str) -> Settled | None:
        return next((c for c in self.captures if c.reference == reference), None)

    def _money(self, minor: int) -> Money:
        return Money(minor, self.currency)


def parse_order(data: dict[str, object], *, what: str, order_id: str | None = None) -> KlarnaOrder:
    """Klarna's order from its JSON; ``order_id``, when given, is the id that was asked for."""
    reader = _Reader(data, what)
    answered_id = data.get("order_id")
    if order_id is not None and answered_id is not None and answered_id != order_id:
        _contradiction(what, f"it names order {str(answered_id)[:60]!r}, not {order_id!r}")
    status_text = reader.text("status")
    try:
        status = AuthorizationStatus(status_text)
    except ValueError:
        known = ", ".join(s.value for s in AuthorizationStatus)
        raise KlarnaResponseUnexpected(
            f"Klarna reports status {status_text[:40]!r} in its answer to {what}; this "
            f"library knows {known}. Nothing was changed. Look at the order in Klarna's "
            "Merchant Portal and upgrade order-cancellation; retrying is safe."
        ) from None
    currency = reader.text("purchase_currency").upper()
    try:
        Money.zero(currency)
    except InvalidMoney:
        reader.fail("purchase_currency", currency)
    order = KlarnaOrder(
        status=status,
        currency=currency,
        captured=reader.amount("captured_amount"),
        refunded=reader.amount("refunded_amount"),
        remaining=reader.amount("remaining_authorized_amount"),
        expires_at=reader.moment("expires_at"),
        refunds=reader.settled("refunds", "refund_id", "refunded_amount"),
        captures=reader.settled("captures", "capture_id", "captured_amount"),
        original=reader.amount("original_order_amount")
        if "original_order_amount" in data
        else None,
    )
    _check_consistent(order, what)
    return order


def _check_consistent(order: KlarnaOrder, what: str) -> None:
    # Acting on an impossible view would send impossible amounts (a refund of -20.00).
    if order.refunded > order.captured:
        _contradiction(
            what, f"it shows {order.refunded} refunded of {order.captured} captured (minor units)"
        )
    if order.original is not None and order.captured > order.original:
        _contradiction(
            what, f"it shows {order.captured} captured of {order.original} authorized (minor units)"
        )
    if sum(refund.amount for refund in order.refunds) > order.refunded:
        _contradiction(what, f"its refunds list more than the {order.refunded} it shows refunded")


def _contradiction(what: str, detail: str) -> NoReturn:
    raise KlarnaAnswerContradictory(
        f"Klarna's answer to {what} contradicts itself: {detail}. Nothing was sent and "
        "nothing recorded; look at the order in Klarna's Merchant Portal, then retry the "
        "payment."
    )


class _Reader:
    def __init__(self, data: dict[str, object], what: str) -> None:
        self._data = data
        self._what = what

    def fail(self, field: str, got: object) -> NoReturn:
        raise KlarnaResponseUnexpected(
            f"Klarna's answer to {self._what} has no valid {field!r} (got {got!r:.60}). "
            "The library cannot tell what Klarna did, so it changed nothing; the payment "
            "stays pending. Check the order in Klarna's Merchant Portal; retrying is safe."
        )

    def text(self, field: str, data: dict[str, object] | None = None) -> str:
        value = (self._data if data is None else data).get(field)
        if not isinstance(value, str) or not value:
            self.fail(field, value)
        return value

    def amount(self, field: str, data: dict[str, object] | None = None) -> int:
        value = (self._data if data is None else data).get(field)
        if type(value) is not int or value < 0:
            self.fail(field, value)
        return value

    def moment(self, field: str) -> datetime | None:
        value = self._data.get(field)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            self.fail(field, value)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def settled(self, field: str, id_field: str, amount_field: str) -> tuple[Settled, ...]:
        items = self._data.get(field, [])
        if not isinstance(items, list):
            self.fail(field, items)
        settled = []
        for item in items:
            if not isinstance(item, dict):
                self.fail(field, item)
            reference = item.get("reference")
            identifier = item.get(id_field)
            settled.append(
                Settled(
                    id=identifier if isinstance(identifier, str) else None,
                    amount=self.amount(amount_field, item),
                    reference=reference if isinstance(reference, str) else None,
                )
            )
        return tuple(settled)


def check_amount(amount: Money, what: str) -> int:
    if amount.minor > MAX_AMOUNT:
        raise KlarnaAmountOutOfRange(
            f"{what} is {amount}, above the {Money(MAX_AMOUNT, amount.currency)} Klarna "
            "accepts in one call. Nothing was sent. Refund part of it in Klarna's Merchant "
            "Portal (the settlement then asks only for the rest) or refund it by hand."
        )
    return amount.minor


def order_lines(
    lines: Sequence[LineQuantity],
    shipping: Sequence[ShippingPortion],
    total: Money,
    fees: Sequence[FeePortion] = (),
) -> list[dict[str, object]] | None:
    """The goods and shipping as Klarna order lines, or None when they cannot describe
    ``total``.

    Klarna's amounts include tax. Each goods line carries its own discount
    (``total_discount_amount``, tax included), so ``total_amount = quantity * unit_price -
    total_discount_amount`` holds exactly and ``total_tax_amount`` is the tax the shop
    counts for those units. Lines are optional for Klarna but shown to the customer, so
    they are sent only when they add up to the amount actually refunded or captured. Fees
    kept back from a return go as ``return_fee`` lines of negative amounts, which take
    them off what the customer gets back, as Klarna's refunds with return fees do.
    """
    if (not lines and not shipping) or len(lines) + len(shipping) + len(fees) > MAX_ORDER_LINES:
        return None
    goods = sum((line.amount for line in lines), Money.zero(total.currency))
    kept = sum((fee.amount for fee in fees), Money.zero(total.currency))
    if sum((fee.amount for fee in shipping), goods) - kept != total:
        return None
    return [
        *(_goods_line(line) for line in lines),
        *(_shipping_line(fee) for fee in shipping),
        *(_fee_line(fee) for fee in fees),
    ]


def _fee_line(fee: FeePortion) -> dict[str, object]:
    return {
        "type": "return_fee",
        "reference": fee.name[:MAX_TEXT],
        "name": fee.name[:MAX_TEXT],
        "quantity": 1,
        "unit_price": -fee.amount.minor,
        "tax_rate": fee.tax_rate.basis_points,
        "total_amount": -fee.amount.minor,
        "total_discount_amount": 0,
        "total_tax_amount": -fee.tax.minor,
    }


def _goods_line(line: LineQuantity) -> dict[str, object]:
    # The list price with tax, per unit, rounded up so that the discount is never negative.
    listed = max(line.total.minor + line.discount.minor, line.total.minor)
    unit_price = -(-listed // line.quantity)
    return {
        "type": "physical",
        "reference": line.sku[:MAX_TEXT],
        "name": line.sku[:MAX_TEXT],
        "quantity": line.quantity,
        "unit_price": unit_price,
        "tax_rate": line.tax_rate.basis_points,
        "total_amount": line.total.minor,
        "total_discount_amount": unit_price * line.quantity - line.total.minor,
        "total_tax_amount": line.tax.minor,
    }


def _shipping_line(fee: ShippingPortion) -> dict[str, object]:
    return {
        "type": "shipping_fee",
        "reference": fee.shipping_id,
        "name": fee.name[:MAX_TEXT],
        "quantity": 1,
        "unit_price": fee.amount.minor,
        "tax_rate": fee.tax_rate.basis_points,
        "total_amount": fee.amount.minor,
        "total_discount_amount": 0,
        "total_tax_amount": fee.tax.minor,
    }


def money_body(
    amount_field: str,
    amount: Money,
    *,
    what: str,
    description: str,
    reference: str,
    lines: Sequence[LineQuantity],
    shipping: Sequence[ShippingPortion] = (),
    fees: Sequence[FeePortion] = (),
) -> dict[str, object]:
    body: dict[str, object] = {
        amount_field: check_amount(amount, what),
        "description": description[:MAX_TEXT],
        "reference": reference[:MAX_TEXT],
    }
    klarna_lines = order_lines(lines, shipping, amount, fees)
    if klarna_lines is not None:
        body["order_lines"] = klarna_lines
    return body
