"""Hypothesis strategies for testing code built on order-cancellation.

This module requires Hypothesis, which the core library does not depend on; install the
``testing`` extra (``pip install "order-cancellation[testing]"``). Import it as a module::

    from hypothesis import given
    from order_cancellation.testing import strategies as ocst

    @given(lines=ocst.orders_to_place(currency="EUR"), reason=ocst.reasons())
    def test_my_checkout_survives_a_cancel(lines, reason): ...

Orders with shipping fees, discounts and both price modes come from
:mod:`order_cancellation.testing.order_charges`.

Valid-value strategies only produce what the library accepts (so a failure means a bug,
not a rejected input); the ``invalid_*`` strategies produce values the library must refuse
with a typed error (a subclass of :class:`~order_cancellation.OrderCancellationError`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Final

from hypothesis import strategies as st

from order_cancellation.domain.lines import OrderLine
from order_cancellation.domain.money import (
    _EXPONENT_EXCEPTIONS,
    _TWO_DECIMAL_CURRENCIES,
    MAX_MINOR,
    Money,
    currency_exponent,
)
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.status import MAX_LABEL_LENGTH
from order_cancellation.domain.values import (
    MAX_ID_LENGTH,
    MAX_REASON_LENGTH,
    LineItem,
    PaymentRef,
    ReasonCode,
)

__all__ = [
    "ALL_CURRENCIES",
    "currencies",
    "fulfill_quantities",
    "identifiers",
    "invalid_amounts",
    "invalid_currencies",
    "invalid_identifiers",
    "invalid_quantities",
    "invalid_reasons",
    "line_items",
    "mixed_currency_orders",
    "money",
    "orders_to_place",
    "over_returns",
    "payment_refs",
    "reason_codes",
    "reasons",
    "return_quantities",
    "skus",
    "status_labels",
    "tax_rates",
    "unknown_lines",
]

ALL_CURRENCIES: Final[tuple[str, ...]] = tuple(
    sorted(_TWO_DECIMAL_CURRENCIES | _EXPONENT_EXCEPTIONS.keys())
)
"""Every ISO 4217 code that :class:`~order_cancellation.Money` accepts."""

_PRINTABLE: Final = st.characters(categories=("L", "M", "N", "P", "S"), include_characters=" ")
"""Characters that ``str.isprintable`` accepts: no controls, no separators but the space."""

DEFAULT_MAX_MINOR: Final = 10**9
"""Largest minor-unit amount drawn unless a caller asks for more (ten million euros)."""


def currencies(*, exponents: Iterable[int] | None = None) -> st.SearchStrategy[str]:
    """ISO 4217 currency codes that ``Money`` accepts, shrinking towards ``"AED"``.

    ``exponents`` keeps only currencies with those minor-unit exponents, for example
    ``currencies(exponents=[0, 3])`` for JPY-like and KWD-like currencies.
    """
    if exponents is None:
        return st.sampled_from(ALL_CURRENCIES)
    wanted = frozenset(exponents)
    chosen = tuple(code for code in ALL_CURRENCIES if currency_exponent(code) in wanted)
    if not chosen:
        raise ValueError(f"no currency has a minor-unit exponent in {sorted(wanted)}")
    return st.sampled_from(chosen)


def money(
    currency: str | st.SearchStrategy[str] | None = None,
    *,
    min_minor: int | None = 0,
    max_minor: int | None = DEFAULT_MAX_MINOR,
) -> st.SearchStrategy[Money]:
    """``Money`` values in ``currency`` (a code, a strategy of codes, or any currency).

    Amounts are whole minor units between ``min_minor`` and ``max_minor``; pass ``None``
    for the library's own bound, ``MAX_MINOR`` (``money(min_minor=None)`` includes negative
    amounts, as differences of money can be).
    """
    codes = currencies() if currency is None else _as_strategy(currency)
    low = -MAX_MINOR if min_minor is None else min_minor
    high = MAX_MINOR if max_minor is None else max_minor
    return st.builds(Money, st.integers(min_value=low, max_value=high), codes)


def identifiers(*, max_size: int = 24) -> st.SearchStrategy[str]:
    """Ids the library accepts (order ids, references, idempotency keys, actors): non-empty
    printable text, no leading or trailing blanks, at most ``max_size`` characters (capped at
    the library's limit of 128). Unicode letters, marks, digits, punctuation and symbols."""
    size = min(max_size, MAX_ID_LENGTH)
    return st.text(_PRINTABLE, min_size=1, max_size=size).filter(lambda text: text == text.strip())


def skus(pool: Sequence[str] | None = None) -> st.SearchStrategy[str]:
    """SKUs: drawn from ``pool`` when given (so that orders share SKUs and compete for the
    same stock), else readable codes like ``"SKU-42"`` from a small range."""
    if pool is not None:
        if not pool:
            raise ValueError("a SKU pool needs at least one SKU")
        return st.sampled_from(tuple(pool))
    return st.integers(min_value=1, max_value=50).map(lambda n: f"SKU-{n}")


COMMON_TAX_RATES: Final = (0, 550, 725, 1000, 1350, 1400, 2000, 2100, 2400, 2500, 2550)
"""Basis points of rates seen in shops (Finland 25.5 %, 13.5 % and 10 %; US 7.25 %; ...)."""


def tax_rates() -> st.SearchStrategy[TaxRate]:
    """Tax rates: mostly common VAT and sales-tax rates, sometimes any rate from 0 % to
    100 % in basis points; shrinks towards 0 %."""
    return st.one_of(
        st.sampled_from(COMMON_TAX_RATES), st.integers(min_value=0, max_value=10_000)
    ).map(TaxRate)


def line_items(
    currency: str | st.SearchStrategy[str] = "EUR",
    *,
    sku: st.SearchStrategy[str] | None = None,
    max_quantity: int = 5,
    max_unit_minor: int = 100_000,
    tax_rate: st.SearchStrategy[TaxRate] | None = None,
) -> st.SearchStrategy[LineItem]:
    """One ``LineItem``: a SKU (from ``sku``, default :func:`skus`), a quantity from 1 to
    ``max_quantity``, a unit price of zero to ``max_unit_minor`` minor units and a tax rate
    (from ``tax_rate``, default :func:`tax_rates`)."""
    return st.builds(
        LineItem,
        sku if sku is not None else skus(),
        st.integers(min_value=1, max_value=max_quantity),
        money(currency, min_minor=0, max_minor=max_unit_minor),
        tax_rate=tax_rate if tax_rate is not None else tax_rates(),
    )


@st.composite
def orders_to_place(
    draw: st.DrawFn,
    currency: str | st.SearchStrategy[str] | None = "EUR",
    *,
    sku: st.SearchStrategy[str] | None = None,
    min_lines: int = 1,
    max_lines: int = 4,
    max_quantity: int = 5,
    max_unit_minor: int = 100_000,
    unique_skus: bool = False,
) -> list[LineItem]:
    """The lines of one valid order, as ``Sales.place_order`` takes them.

    Every line is in one currency (``currency``: a code, a strategy, or None for any). The
    same SKU may appear on several lines unless ``unique_skus``; a SKU on several lines can
    only be named by line id in a fulfillment or a return.
    """
    code = draw(currencies() if currency is None else _as_strategy(currency))
    item = line_items(code, sku=sku, max_quantity=max_quantity, max_unit_minor=max_unit_minor)
    return draw(
        st.lists(
            item,
            min_size=max(min_lines, 1),
            max_size=max_lines,
            unique_by=(lambda line: line.sku) if unique_skus else None,
        )
    )


def payment_refs(
    providers: st.SearchStrategy[str] | None = None,
    *,
    references: st.SearchStrategy[str] | None = None,
    auto_capture: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[PaymentRef]:
    """``PaymentRef`` values: a provider (default ``"klarna"``, ``"card"`` or ``"invoice"``),
    a reference (default :func:`identifiers`) and whether to capture on fulfillment.

    A reference is only meaningful to a payment service that knows it; to settle through
    an in-memory provider, authorize the drawn reference there first.
    """
    return st.builds(
        PaymentRef,
        provider=providers if providers is not None else st.sampled_from(_PROVIDERS),
        reference=references if references is not None else identifiers(),
        auto_capture=auto_capture if auto_capture is not None else st.booleans(),
    )


_PROVIDERS: Final = ("klarna", "card", "invoice")


def reasons(*, max_size: int = 200, optional: bool = True) -> st.SearchStrategy[str | None]:
    """Free-text reasons the library accepts: printable text with line breaks and tabs, up
    to ``max_size`` characters (at most the library's 1000), or None when ``optional``."""
    text = _reason_text(max_size)
    return st.none() | text if optional else text


def _reason_text(max_size: int) -> st.SearchStrategy[str]:
    alphabet = st.one_of(_PRINTABLE, st.sampled_from("\n\t"))
    return st.text(alphabet, max_size=min(max_size, MAX_REASON_LENGTH))


def reason_codes(*, as_text: bool = True) -> st.SearchStrategy[ReasonCode | str | None]:
    """Reason codes as ``cancel_order`` takes them: None, a :class:`ReasonCode`, or (when
    ``as_text``) its name in any letter case, such as ``"fraud"`` or ``"FRAUD"``."""
    members = st.sampled_from(list(ReasonCode))
    if not as_text:
        return st.none() | members
    names = members.flatmap(lambda code: st.sampled_from([code.name, code.name.lower()]))
    return st.none() | members | names


def status_labels(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Status label texts a merchant may define: non-empty printable text of at most
    ``max_size`` characters (capped at the library's 100) with something besides blanks."""
    size = min(max_size, MAX_LABEL_LENGTH)
    return st.text(_PRINTABLE, min_size=1, max_size=size).filter(str.strip)


@st.composite
def fulfill_quantities(draw: st.DrawFn, order: Order, *, by_sku: bool = True) -> dict[str, int]:
    """What to ship of ``order``: a non-empty mapping of line id (or, when ``by_sku`` and the
    SKU is on one line only, the SKU) to 1 up to the units still to ship. Draws nothing
    (Hypothesis rejects the example) when every unit has shipped."""
    return draw(_quantities(order, lambda line: line.unfulfilled, by_sku=by_sku))


@st.composite
def return_quantities(draw: st.DrawFn, order: Order, *, by_sku: bool = True) -> dict[str, int]:
    """What to return of ``order``: a non-empty mapping of line id (or a SKU that is on one
    line only, when ``by_sku``) to 1 up to that line's fulfilled units not yet returned.
    Sometimes every returnable unit, sometimes some. Draws nothing (the example is rejected)
    when nothing is returnable."""
    return draw(_quantities(order, lambda line: line.returnable, by_sku=by_sku))


@st.composite
def _quantities(
    draw: st.DrawFn, order: Order, available: Callable[[OrderLine], int], *, by_sku: bool
) -> dict[str, int]:
    candidates = [line for line in order.lines if available(line) > 0]
    if not candidates:
        return draw(st.nothing())
    everything = draw(st.booleans())
    chosen = (
        candidates
        if everything
        else draw(st.lists(st.sampled_from(candidates), min_size=1, unique_by=_line_id))
    )
    wanted: dict[str, int] = {}
    for line in chosen:
        most = available(line)
        units = most if everything else draw(st.integers(min_value=1, max_value=most))
        wanted[_line_key(draw, order, line, by_sku=by_sku)] = units
    return wanted


def _line_id(line: OrderLine) -> str:
    return line.id


def _line_key(draw: st.DrawFn, order: Order, line: OrderLine, *, by_sku: bool) -> str:
    unique_sku = sum(1 for other in order.lines if other.sku == line.sku) == 1
    # A SKU that equals another line's id would name that line instead.
    clashes = any(other.id == line.sku for other in order.lines)
    if by_sku and unique_sku and not clashes and draw(st.booleans()):
        return line.sku
    return line.id


# -- invalid inputs --------------------------------------------------------------------------


def invalid_quantities() -> st.SearchStrategy[object]:
    """Quantities the library refuses (:class:`~order_cancellation.InvalidInput`): zero,
    negative whole numbers, floats (whole or not, NaN, infinities), booleans, decimals,
    text and None."""
    return st.one_of(
        st.just(0),
        st.integers(max_value=-1),
        st.floats(allow_nan=True, allow_infinity=True),
        st.booleans(),
        st.decimals(allow_nan=False, allow_infinity=False, places=0),
        st.integers(min_value=1, max_value=10).map(str),
        st.none(),
    )


def invalid_identifiers() -> st.SearchStrategy[object]:
    """Ids the library refuses (:class:`~order_cancellation.InvalidInput`): empty or blank
    text, leading or trailing blanks, control or invisible characters (NUL, newline, zero
    width space, ...), text longer than 128 characters up to 10 KB, and non-text values
    (numbers, bytes). None is left out: where an id is optional, None means "none"."""
    control = st.sampled_from(["\x00", "\n", "\r", "\t", "\x1b", "\x7f", "\u200b", "\u2028"])
    return st.one_of(
        st.sampled_from(["", " ", "\t", " id", "id ", "\u00a0id"]),
        st.tuples(identifiers(max_size=10), control, identifiers(max_size=10)).map("".join),
        st.integers(min_value=MAX_ID_LENGTH + 1, max_value=10_240).map(lambda n: "x" * n),
        st.just("\u00e9" * 10_240),
        st.one_of(st.integers(), st.binary(min_size=1, max_size=8)),
    )


def invalid_reasons() -> st.SearchStrategy[object]:
    """Reasons the library refuses (:class:`~order_cancellation.InvalidInput`): text over
    1000 characters (up to 10 KB), text with control characters other than line breaks
    and tabs, and values that are not text."""
    control = st.sampled_from(["\x00", "\x07", "\x1b", "\x7f", "\u200b"])
    return st.one_of(
        st.integers(min_value=MAX_REASON_LENGTH + 1, max_value=10_240).map(lambda n: "r" * n),
        st.tuples(_reason_text(20), control).map("".join),
        st.one_of(st.integers(), st.binary(min_size=1, max_size=8), st.just(["a", "list"])),
    )


@st.composite
def invalid_amounts(draw: st.DrawFn, currency: str = "EUR") -> object:
    """Amounts that ``Money.of(amount, currency)`` refuses with
    :class:`~order_cancellation.InvalidMoney`: more decimals than ``currency`` has, floats,
    NaN and infinities, booleans, and text that is not a plain decimal number."""
    exponent = currency_exponent(currency)
    extra = draw(st.integers(min_value=1, max_value=4))
    minor = draw(st.integers(min_value=-(10**9), max_value=10**9))
    last_digit = draw(st.integers(min_value=1, max_value=9))
    # A non-zero digit beyond the currency's exponent can never be rounded away silently.
    too_precise = Decimal(minor * 10**extra + last_digit).scaleb(-(exponent + extra))
    return draw(
        st.one_of(
            st.just(too_precise),
            st.just(f"{too_precise:f}"),
            st.floats(),
            st.booleans(),
            st.sampled_from([Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")]),
            st.sampled_from(["", "abc", "1,50", "1e3", "0x10", "12.5.0", "--1", "NaN", "1 000"]),
        )
    )


def invalid_currencies() -> st.SearchStrategy[object]:
    """Currency codes ``Money`` refuses (:class:`~order_cancellation.InvalidMoney`):
    lower-case codes, codes that are not ISO 4217, other lengths, and non-text values."""
    return st.one_of(
        st.sampled_from(ALL_CURRENCIES).map(str.lower),
        st.sampled_from(["", "EU", "EURO", "XXX", "ABC", "BTC", " EUR", "EUR "]),
        st.text(st.characters(min_codepoint=65, max_codepoint=90), min_size=3, max_size=3).filter(
            lambda code: code not in ALL_CURRENCIES
        ),
        st.one_of(st.none(), st.integers()),
    )


@st.composite
def mixed_currency_orders(draw: st.DrawFn, *, max_lines: int = 4) -> list[LineItem]:
    """Order lines that are each valid but priced in at least two currencies, which
    ``place_order`` refuses with :class:`~order_cancellation.CurrencyMismatch`."""
    first, second = draw(st.lists(currencies(), min_size=2, max_size=2, unique=True))
    lines = [draw(line_items(first)), draw(line_items(second))]
    lines += draw(st.lists(line_items(st.sampled_from([first, second])), max_size=max_lines - 2))
    return draw(st.permutations(lines))


@st.composite
def over_returns(draw: st.DrawFn, order: Order) -> dict[str, int]:
    """A return of ``order`` that asks for more units of some line than are fulfilled and
    not yet returned; ``create_return`` refuses it with
    :class:`~order_cancellation.NothingToReturn`."""
    line = draw(st.sampled_from(order.lines))
    return {line.id: line.returnable + draw(st.integers(min_value=1, max_value=10))}


@st.composite
def unknown_lines(draw: st.DrawFn, order: Order) -> dict[str, int]:
    """A fulfillment or return that names a line id or SKU the order does not have (or a
    SKU on several lines); refused with :class:`~order_cancellation.UnknownLine`."""
    known = {line.id for line in order.lines}
    skus_once = {
        line.sku for line in order.lines if sum(o.sku == line.sku for o in order.lines) == 1
    }
    key = draw(identifiers(max_size=16).filter(lambda text: text not in known | skus_once))
    return {key: draw(st.integers(min_value=1, max_value=3))}


# -- plumbing --------------------------------------------------------------------------------


def _as_strategy(value: str | st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.just(value) if isinstance(value, str) else value
