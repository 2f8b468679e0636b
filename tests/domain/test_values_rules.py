"""The small values every command checks: identifiers, reasons, moments, quantities, lines and
payment references. Each refusal names what was wrong and what is expected instead."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from order_cancellation import (
    InvalidInput,
    LineItem,
    Money,
    OrderState,
    PaymentRef,
    PaymentStatus,
    ReasonCode,
    RefundKind,
    StockStatus,
)
from order_cancellation.domain.values import (
    MAX_ID_LENGTH,
    MAX_QUANTITY,
    MAX_REASON_LENGTH,
    LineQuantity,
    check_aware,
    check_identifier,
    check_quantity,
    check_reason,
)

PLACED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def refusal(check: object, *args: object) -> str:
    assert callable(check)
    with pytest.raises(InvalidInput) as refused:
        check(*args)
    return str(refused.value)


@pytest.mark.parametrize("value", ["o-1", "a b", "x" * MAX_ID_LENGTH, "ordre-é"])
def test_an_identifier_is_short_printable_text(value: str) -> None:
    assert check_identifier(value, "an order id") == value


@pytest.mark.parametrize("value", [None, 17, "", " o-1", "o-1 ", "\to-1", b"o-1"])
def test_an_identifier_must_be_text_without_surrounding_blanks(value: object) -> None:
    assert refusal(check_identifier, value, "an order id") == (
        f"an order id must be non-empty text without leading or trailing blanks, got {value!r}."
    )


@pytest.mark.parametrize("value", ["x" * (MAX_ID_LENGTH + 1), "o\x00-1", "o\n1", "o\u200b1"])
def test_an_identifier_must_be_printable_and_short(value: str) -> None:
    message = refusal(check_identifier, value, "an order id")

    assert message == (
        f"an order id must be printable text of at most {MAX_ID_LENGTH} characters, "
        f"got {value!r:.60}."
    )


def test_a_long_identifier_is_quoted_only_in_part() -> None:
    message = refusal(check_identifier, "x" * 500, "an order id")

    assert message.endswith(f"got '{'x' * 59}.")


def test_no_reason_is_a_valid_reason() -> None:
    assert check_reason(None) is None


@pytest.mark.parametrize(
    "reason",
    ["", "customer changed their mind", "line one\nline two\tend", "é" * MAX_REASON_LENGTH],
)
def test_a_reason_is_printable_text_that_may_span_lines(reason: str) -> None:
    assert check_reason(reason) == reason


@pytest.mark.parametrize(("reason", "kind"), [(42, "int"), (b"late", "bytes"), (["x"], "list")])
def test_a_reason_that_is_not_text_is_refused_naming_its_type(reason: object, kind: str) -> None:
    assert refusal(check_reason, reason) == f"a reason is text or None, not {kind}."


@pytest.mark.parametrize("reason", ["x" * (MAX_REASON_LENGTH + 1), "bell\x07", "nul\x00", "\r"])
def test_a_reason_that_is_too_long_or_has_control_characters_is_refused(reason: str) -> None:
    assert refusal(check_reason, reason) == (
        f"a reason is printable text of at most {MAX_REASON_LENGTH} characters; "
        "shorten it or remove control characters."
    )


def test_an_aware_moment_is_accepted_as_it_is() -> None:
    assert check_aware(PLACED, "the time") is PLACED


@pytest.mark.parametrize("moment", [PLACED.replace(tzinfo=None), date(2026, 3, 2), "2026-03-02"])
def test_a_moment_must_be_a_timezone_aware_datetime(moment: object) -> None:
    assert refusal(check_aware, moment, "the time") == (
        "the time must be a timezone-aware datetime."
    )


@pytest.mark.parametrize("quantity", [1, 2, 10**6])
def test_a_quantity_is_a_whole_number_above_zero(quantity: int) -> None:
    assert check_quantity(quantity) == quantity


@pytest.mark.parametrize("quantity", [0, -1, 1.0, True, "1", None])
def test_a_quantity_that_is_not_a_whole_number_above_zero_is_refused(quantity: object) -> None:
    assert refusal(check_quantity, quantity) == (
        f"a quantity must be a whole number above zero and at most 1,000,000,000, got {quantity!r}."
    )


def test_a_refused_quantity_names_what_it_counts() -> None:
    assert refusal(check_quantity, 0, "the quantity of 'MUG'") == (
        "the quantity of 'MUG' must be a whole number above zero and at most 1,000,000,000, got 0."
    )


def test_a_line_item_may_be_free() -> None:
    line = LineItem("GIFT", 1, Money.zero("EUR"))

    assert (line.sku, line.quantity, line.unit_price) == ("GIFT", 1, Money.zero("EUR"))


@pytest.mark.parametrize(
    ("sku", "quantity", "message"),
    [
        (" MUG", 1, "a SKU must be non-empty text without leading or trailing blanks, got ' MUG'."),
        (
            "MUG",
            0,
            "the quantity of 'MUG' must be a whole number above zero and at most "
            "1,000,000,000, got 0.",
        ),
    ],
)
def test_a_line_item_names_its_wrong_sku_or_quantity(sku: str, quantity: int, message: str) -> None:
    assert refusal(LineItem, sku, quantity, Money.of("1", "EUR")) == message


@pytest.mark.parametrize("price", [Money(-1, "EUR"), 12, "12.50", None])
def test_a_line_item_price_is_a_money_of_zero_or_more(price: object) -> None:
    assert refusal(LineItem, "MUG", 1, price) == (
        f"the unit price of 'MUG' must be a Money of zero or more, got {price!r}."
    )


def test_a_line_quantity_is_worth_its_units_times_the_unit_price() -> None:
    line = LineQuantity(line_id="L1", sku="MUG", quantity=3, unit_price=Money.of("2.50", "EUR"))

    assert line.amount == Money.of("7.50", "EUR")


@pytest.mark.parametrize(
    ("provider", "reference", "message"),
    [
        ("", "r-1", "the payment provider must be non-empty text"),
        ("card", " r-1", "the payment reference must be non-empty text"),
        ("card", "r\x001", "the payment reference must be printable text"),
    ],
)
def test_a_payment_reference_names_its_wrong_part(
    provider: str, reference: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        PaymentRef(provider=provider, reference=reference)

    assert str(refused.value).startswith(message)


@pytest.mark.parametrize("flag", [1, 0, "yes", None])
def test_auto_capture_is_a_flag(flag: object) -> None:
    with pytest.raises(InvalidInput) as refused:
        PaymentRef(provider="card", reference="r-1", auto_capture=flag)  # type: ignore[arg-type]

    assert str(refused.value) == "auto_capture is True or False."


def test_an_authorization_expiry_must_say_its_timezone() -> None:
    with pytest.raises(InvalidInput) as refused:
        PaymentRef(
            provider="klarna", reference="k-1", authorization_expires_at=PLACED.replace(tzinfo=None)
        )

    assert str(refused.value) == "authorization_expires_at must be a timezone-aware datetime."


def test_a_klarna_authorization_expires_28_days_after_the_order_by_default() -> None:
    payment = PaymentRef(provider="klarna", reference="k-1").with_default_expiry(PLACED)

    assert payment == PaymentRef(
        provider="klarna", reference="k-1", authorization_expires_at=PLACED + timedelta(days=28)
    )


def test_a_klarna_authorization_keeps_the_expiry_the_merchant_gave() -> None:
    given = PaymentRef(
        provider="klarna", reference="k-1", authorization_expires_at=PLACED + timedelta(days=7)
    )

    assert given.with_default_expiry(PLACED) == given


def test_another_provider_gets_no_expiry_by_default() -> None:
    payment = PaymentRef(provider="card", reference="c-1", auto_capture=True)

    assert payment.with_default_expiry(PLACED).authorization_expires_at is None
    assert payment.with_default_expiry(PLACED) == payment


def test_a_line_may_have_as_many_units_as_the_bound() -> None:
    assert LineItem("MUG", MAX_QUANTITY, Money.of("0.01", "EUR")).quantity == MAX_QUANTITY


@pytest.mark.parametrize(
    ("quantity", "shown"),
    [(MAX_QUANTITY + 1, "1000000001"), (2**64, "a number far too large"), (10**5000, "far too")],
    ids=["just-above", "2**64", "5000-digits"],
)
def test_a_quantity_above_the_bound_is_refused_without_printing_its_digits(
    quantity: int, shown: str
) -> None:
    with pytest.raises(InvalidInput, match="at most 1,000,000,000, got") as refused:
        LineItem("MUG", quantity, Money.of("1", "EUR"))

    assert shown in str(refused.value)
    assert len(str(refused.value)) < 200


@pytest.mark.parametrize(
    ("member", "text"),
    [
        (OrderState.CANCELED, "canceled"),
        (PaymentStatus.MANUAL_REFUND_REQUIRED, "manual_refund_required"),
        (StockStatus.DONE, "done"),
        (RefundKind.RETURN, "return"),
        (ReasonCode.FRAUD, "fraud"),
    ],
)
def test_status_enums_equal_their_text(member: object, text: str) -> None:
    assert member == text
    assert f"{member}" == text
