"""Money as integer minor units of an ISO 4217 currency. No float ever touches it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final, Self

import attrs

from order_cancellation.domain.errors import CurrencyMismatch, InvalidMoney

# Minor-unit exponents of the active ISO 4217 currencies that do not use two decimals.
_EXPONENT_EXCEPTIONS: Final[dict[str, int]] = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
    "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
    "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
    "CLF": 4, "UYW": 4,
}  # fmt: skip

_TWO_DECIMAL_CURRENCIES: Final[frozenset[str]] = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BMD",
        "BND",
        "BOB",
        "BOV",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHE",
        "CHF",
        "CHW",
        "CNY",
        "COP",
        "COU",
        "CRC",
        "CUP",
        "CVE",
        "CZK",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IRR",
        "JMD",
        "KES",
        "KGS",
        "KHR",
        "KPW",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MXV",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "USD",
        "USN",
        "UYU",
        "UZS",
        "VED",
        "VES",
        "WST",
        "XCD",
        "XCG",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
    ]
)

_DECIMAL_TEXT = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")

MAX_MINOR: Final = 10**15
"""The largest amount, in minor units, that any Money holds (10 trillion EUR): far above
Klarna's 200,000,000 per call, far below 2**63, so totals of many amounts still fit the
64-bit integers SQLite and PostgreSQL store. Beyond it, amounts and results are refused."""
_MAX_DIGITS: Final = len(str(MAX_MINOR))


_EXPONENTS: Final[dict[str, int]] = dict.fromkeys(_TWO_DECIMAL_CURRENCIES, 2) | (
    _EXPONENT_EXCEPTIONS
)


def currency_exponent(currency: str) -> int:
    """How many decimal places the currency's minor unit has (EUR 2, JPY 0, KWD 3)."""
    try:
        return _EXPONENTS[currency]
    except (KeyError, TypeError):  # TypeError: a value that is not even hashable (a list)
        raise InvalidMoney(
            f"{_shown(currency)} is not an ISO 4217 currency code; "
            "use an upper-case code such as 'EUR'."
        ) from None


def _shown(value: object) -> str:
    # repr() of an int of more than 4,300 digits raises ValueError itself.
    if type(value) is int and abs(value) > 10**18:
        return "a number far too large"
    return repr(value)[:60]


def _check_currency(_instance: object, _attribute: object, currency: str) -> None:
    currency_exponent(currency)


def _check_minor(_instance: object, _attribute: object, minor: int) -> None:
    if type(minor) is not int:
        raise InvalidMoney(
            f"minor units must be an int, not {type(minor).__name__}; "
            "use Money.of('12.50', 'EUR') to parse decimal text."
        )
    if not -MAX_MINOR <= minor <= MAX_MINOR:
        raise _too_large()


def _too_large() -> InvalidMoney:
    # The amount itself is not shown: printing a 5,000-digit int is itself an error.
    return InvalidMoney(
        f"the amount is beyond the {MAX_MINOR:,} minor units this library handles; "
        "check the amount (a mistyped price or quantity?)."
    )


@attrs.frozen(order=False)
class Money:
    """An exact amount: ``minor`` units (cents for EUR) of ``currency``.

    Arithmetic and comparison work only between amounts of one currency; mixing
    currencies raises :class:`CurrencyMismatch`.
    """

    minor: int = attrs.field(validator=_check_minor)
    currency: str = attrs.field(validator=_check_currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Self:
        """Parse a decimal amount in major units: ``Money.of("12.50", "EUR")``.

        More decimals than the currency has (``"1.005"`` EUR, ``"1.5"`` JPY) are rejected
        rather than rounded, as are floats, NaN and infinities.
        """
        exponent = currency_exponent(currency)
        value = _parse_decimal(amount)
        scaled = _shift(value, exponent)
        # Judged on the exponent, before any arithmetic: 1E+2000000 would otherwise become
        # an int of two million digits, which takes the CPU for minutes.
        if scaled and scaled.adjusted() >= _MAX_DIGITS:
            raise _too_large()
        if scaled != scaled.to_integral_value():
            raise InvalidMoney(
                f"{amount!r:.60} has more decimals than {currency} allows ({exponent}); "
                "round it to the currency's minor unit first."
            )
        return cls(int(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Self:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """The amount in major units, exact."""
        return _shift(Decimal(self.minor), -currency_exponent(self.currency))

    def _same_currency(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(
                f"cannot combine {self.currency} with {other.currency}; "
                "an order and its refunds use one currency."
            )

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return _valid(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return _valid(self.minor - other.minor, self.currency)

    def __mul__(self, factor: int) -> Money:
        if type(factor) is not int:
            raise TypeError("Money can only be multiplied by an int (a quantity)")
        return _valid(self.minor * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return _valid(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.minor <= other.minor

    def __gt__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.minor > other.minor

    def __ge__(self, other: Money) -> bool:
        self._same_currency(other)
        return self.minor >= other.minor

    def is_zero(self) -> bool:
        return self.minor == 0

    def __str__(self) -> str:
        return f"{self.amount:f} {self.currency}"


_set = object.__setattr__
_KNOWN_CURRENCIES: Final = frozenset(_EXPONENTS)


def stored_money(minor: object, currency: object) -> Money:
    """The Money of parts read back from a store, checked as the constructor checks them.

    Every amount of every record a durable backend reads comes through here; the common
    case (an int and a known code) is checked in one step, anything else goes to the
    constructor, which raises its usual error.
    """
    if type(minor) is int and type(currency) is str and currency in _KNOWN_CURRENCIES:
        return _valid(minor, currency)
    return Money(minor, currency)  # type: ignore[arg-type] # raises InvalidMoney


def _valid(minor: int, currency: str) -> Money:
    """A Money from parts known to be valid: the int result of arithmetic on amounts of one
    (already checked) currency. Skipping the validators makes arithmetic several times
    cheaper, and totals are summed on every cancel and return."""
    if not -MAX_MINOR <= minor <= MAX_MINOR:
        raise _too_large()
    money = object.__new__(Money)
    _set(money, "minor", minor)
    _set(money, "currency", currency)
    return money


def _shift(value: Decimal, places: int) -> Decimal:
    """``value`` times ten to the ``places``, exactly: ``Decimal.scaleb`` rounds to the
    context's precision (28 digits), which would silently change large amounts."""
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller
    return Decimal((sign, digits, exponent + places))


def _parse_decimal(amount: str | int | Decimal) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, str | int | Decimal):
        raise InvalidMoney(
            f"amounts are given as decimal text, int or Decimal, not {type(amount).__name__}; "
            "floats cannot represent money exactly."
        )
    if isinstance(amount, str):
        text = amount.strip()
        if not _DECIMAL_TEXT.fullmatch(text):
            raise InvalidMoney(f"{amount!r:.60} is not a decimal amount; write it like '12.50'.")
        return Decimal(text)  # the pattern admits only text that Decimal parses
    value = Decimal(amount)
    if not value.is_finite():
        raise InvalidMoney(f"{amount!r} is not a finite amount.")
    return value
