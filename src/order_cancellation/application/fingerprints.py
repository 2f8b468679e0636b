"""What a command's fingerprint says of its options, kept as it was before each option
existed, so that idempotency keys of commands that use none of them still replay."""

from __future__ import annotations

from order_cancellation.domain.pricing import NO_TAX
from order_cancellation.domain.values import LineItem, PaymentRef, TenderKind

DEFAULTS: dict[str, object] = {
    "shipping": (),
    "discounts": (),
    "prices_include_tax": True,
    "refund_shipping": False,
    "fees": (),
    "payments": (),
}


def payment_text(payment: object) -> str:
    """A payment's text for a fingerprint, as it was before payments had an amount and a
    kind when it has neither."""
    if (
        isinstance(payment, PaymentRef)
        and payment.amount is None
        and payment.kind is TenderKind.PAYMENT
    ):
        return (
            f"PaymentRef(provider={payment.provider!r}, reference={payment.reference!r}, "
            f"auto_capture={payment.auto_capture!r}, "
            f"authorization_expires_at={payment.authorization_expires_at!r})"
        )
    return repr(payment)


def given(**options: object) -> list[str]:
    """The options that differ from their defaults, for a fingerprint: a command that uses
    none of them keeps the fingerprint it had before they existed, so its keys replay."""
    return [
        f"{name}={value!r}"
        for name, value in options.items()
        if not (value == DEFAULTS[name] or (isinstance(value, list) and not value))
    ]


def line_text(line: object) -> str:
    """A line's text for a fingerprint, as it was before lines had tax rates when its rate
    is 0 %."""
    if isinstance(line, LineItem) and line.tax_rate == NO_TAX:
        return (
            f"LineItem(sku={line.sku!r}, quantity={line.quantity!r}, "
            f"unit_price={line.unit_price!r})"
        )
    return repr(line)
