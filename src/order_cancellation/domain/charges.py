"""What an order charges besides its goods, and the priced portions refunds and captures take.

- :class:`ShippingFee` and :class:`Discount` are what a caller passes to ``place_order``;
  the order keeps them as :class:`ShippingLine` and :class:`AppliedDiscount`.
- Discounts apply to goods, in the order given, each to what is left of its lines after
  the earlier ones; a discount is split over its lines by largest remainder
  (:func:`~order_cancellation.domain.pricing.allocate`), so the lines' discounts sum to it.
- :class:`ShippingPortion` is a part of a shipping fee that a refund gives back or a capture
  takes: the money (tax included) and the tax in it. The part that completes a fee takes
  exactly the tax that is left.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol, Self

import attrs

from order_cancellation.domain.errors import (
    CurrencyMismatch,
    InvalidDiscount,
    InvalidInput,
    RefundExceedsCharge,
    UnknownLine,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.pricing import (
    BASIS_POINTS,
    NO_TAX,
    TaxRate,
    allocate,
    divide_half_up,
    percent_to_basis_points,
    tax_included,
    tax_of,
)
from order_cancellation.domain.values import (
    LineQuantity,
    check_identifier,
    to_tax_rate,
)

MAX_SHIPPING_FEES = 20
MAX_DISCOUNTS = 50


@attrs.frozen
class ShippingFee:
    """A shipping fee to charge with an order: ``ShippingFee("Standard", Money.of("4.90",
    "EUR"), tax_rate="25.5")``. The amount is entered like the shop's prices (with or without
    tax). Shipping is not stock: it is never restocked."""

    name: str
    amount: Money
    tax_rate: TaxRate = attrs.field(default=NO_TAX, kw_only=True, converter=to_tax_rate)

    def __attrs_post_init__(self) -> None:
        check_identifier(self.name, "a shipping fee's name")
        if not isinstance(self.amount, Money) or self.amount.minor < 0:
            raise InvalidInput(
                f"the amount of shipping fee {self.name!r} must be a Money of zero or more, "
                f"got {self.amount!r}."
            )


def _line_keys(keys: Sequence[str]) -> tuple[str, ...]:
    if isinstance(keys, str) or not isinstance(keys, Sequence):
        raise InvalidDiscount(
            f"a discount's lines are a list of SKUs or line ids, not {keys!r}; "
            "leave them out to discount the whole order."
        )
    return tuple(keys)


@attrs.frozen(kw_only=True)
class Discount:
    """A discount on the goods of an order: a fixed ``amount`` or a ``basis_points`` share,
    on the whole order (``lines`` empty) or on the lines named by SKU or line id.

    Build one with :meth:`fixed` or :meth:`percentage`.
    """

    code: str
    amount: Money | None = None
    basis_points: int | None = None
    lines: tuple[str, ...] = attrs.field(default=(), converter=_line_keys)

    @classmethod
    def fixed(cls, code: str, amount: Money, *, lines: Sequence[str] = ()) -> Self:
        """``Discount.fixed("GIFT5", Money.of("5.00", "EUR"))``: that much off."""
        return cls(code=code, amount=amount, lines=lines)

    @classmethod
    def percentage(
        cls, code: str, percent: str | int | Decimal, *, lines: Sequence[str] = ()
    ) -> Self:
        """``Discount.percentage("WINTER10", "10")``: 10 % off, rounded half up."""
        return cls(
            code=code,
            basis_points=percent_to_basis_points(percent, f"discount {code!r}"),
            lines=lines,
        )

    def __attrs_post_init__(self) -> None:
        check_identifier(self.code, "a discount's code")
        if (self.amount is None) == (self.basis_points is None):
            raise InvalidDiscount(
                f"discount {self.code!r} takes either an amount or a percentage; "
                "use Discount.fixed(...) or Discount.percentage(...)."
            )
        if self.amount is not None and (
            not isinstance(self.amount, Money) or self.amount.minor <= 0
        ):
            raise InvalidDiscount(
                f"the amount of discount {self.code!r} must be a Money above zero, "
                f"got {self.amount!r}."
            )
        if self.basis_points is not None and (
            type(self.basis_points) is not int or not 0 < self.basis_points <= BASIS_POINTS
        ):
            raise InvalidDiscount(
                f"the percentage of discount {self.code!r} must be above 0 and at most 100."
            )
        for key in self.lines:
            if not isinstance(key, str):
                raise InvalidDiscount(
                    f"discount {self.code!r} names lines by SKU or line id (text), not {key!r}."
                )


@attrs.frozen(kw_only=True)
class LineDiscount:
    """What one discount took off one line, as entered."""

    line_id: str
    amount: Money


@attrs.frozen(kw_only=True)
class AppliedDiscount:
    """A discount as the order applied it: how much it took off the goods, and from which
    lines."""

    code: str
    basis_points: int | None
    amount: Money
    per_line: tuple[LineDiscount, ...]


@attrs.frozen(kw_only=True)
class ShippingLine:
    """A shipping fee of an order: ``amount`` as entered, ``tax`` at ``tax_rate``, ``total``
    what the customer paid for it, and what of that total was ``refunded`` so far."""

    id: str
    name: str
    amount: Money
    tax_rate: TaxRate
    tax: Money
    total: Money
    refunded: Money

    @property
    def refundable(self) -> Money:
        return self.total - self.refunded

    def portion(self, money: Money) -> ShippingPortion:
        """The part of this fee that ``money`` (tax included) gives back after what was
        refunded before: its tax is the tax of the refunded money so far, less what earlier
        refunds took, so the refund that completes the fee takes exactly the rest."""
        if money > self.refundable:
            raise RefundExceedsCharge(
                f"shipping {self.id} ({self.name}) has {self.refundable} left to refund, "
                f"not {money}; refund at most that."
            )
        before = self._tax_refunded(self.refunded)
        after = self._tax_refunded(self.refunded + money)
        return ShippingPortion(
            shipping_id=self.id,
            name=self.name,
            tax_rate=self.tax_rate,
            amount=money,
            tax=after - before,
        )

    def _tax_refunded(self, refunded: Money) -> Money:
        if refunded == self.total:
            return self.tax
        tax = min(tax_included(refunded.minor, self.tax_rate), self.tax.minor)
        return Money(tax, self.tax.currency)

    def whole(self) -> ShippingPortion:
        return ShippingPortion(
            shipping_id=self.id,
            name=self.name,
            tax_rate=self.tax_rate,
            amount=self.total,
            tax=self.tax,
        )


@attrs.frozen(kw_only=True)
class ShippingPortion:
    """A part of a shipping fee: ``amount`` of money (tax included) with ``tax`` in it."""

    shipping_id: str
    name: str
    tax_rate: TaxRate
    amount: Money
    tax: Money

    @property
    def net(self) -> Money:
        return self.amount - self.tax


def price_shipping(
    fees: Sequence[ShippingFee], *, currency: str, prices_include_tax: bool
) -> tuple[ShippingLine, ...]:
    if len(fees) > MAX_SHIPPING_FEES:
        raise InvalidInput(f"an order has at most {MAX_SHIPPING_FEES} shipping fees.")
    lines = []
    for n, fee in enumerate(fees, start=1):
        if not isinstance(fee, ShippingFee):
            raise InvalidInput(f"shipping fees are ShippingFee values, not {type(fee).__name__}.")
        _same_currency(fee.amount, currency, f"shipping fee {fee.name!r}")
        tax = tax_of(fee.amount.minor, fee.tax_rate, prices_include_tax=prices_include_tax)
        total = fee.amount.minor + (0 if prices_include_tax else tax)
        lines.append(
            ShippingLine(
                id=f"S{n}",
                name=fee.name,
                amount=fee.amount,
                tax_rate=fee.tax_rate,
                tax=Money(tax, currency),
                total=Money(total, currency),
                refunded=Money.zero(currency),
            )
        )
    return tuple(lines)


def apply_discounts(
    discounts: Sequence[Discount],
    *,
    line_ids: Sequence[str],
    skus: Sequence[str],
    subtotals: Sequence[int],
    currency: str,
) -> tuple[AppliedDiscount, ...]:
    """Apply ``discounts`` in order to lines whose subtotals (as entered) are given; each
    takes from what the earlier ones left."""
    if len(discounts) > MAX_DISCOUNTS:
        raise InvalidInput(f"an order has at most {MAX_DISCOUNTS} discounts.")
    left = list(subtotals)
    applied = []
    for discount in discounts:
        if not isinstance(discount, Discount):
            raise InvalidInput(
                f"discounts are Discount values, not {type(discount).__name__}; "
                "use Discount.fixed(...) or Discount.percentage(...)."
            )
        targets = (
            [_resolve(key, discount.code, line_ids, skus) for key in discount.lines]
            if discount.lines
            else list(range(len(line_ids)))
        )
        if len(set(targets)) != len(targets):
            raise InvalidDiscount(f"discount {discount.code!r} names a line twice.")
        base = sum(left[i] for i in targets)
        amount = _discount_amount(discount, base, currency)
        shares = allocate(amount, [left[i] for i in targets])
        for position, share in zip(targets, shares, strict=True):
            left[position] -= share
        applied.append(
            AppliedDiscount(
                code=discount.code,
                basis_points=discount.basis_points,
                amount=Money(amount, currency),
                per_line=tuple(
                    LineDiscount(line_id=line_ids[i], amount=Money(share, currency))
                    for i, share in zip(targets, shares, strict=True)
                ),
            )
        )
    return tuple(applied)


def _discount_amount(discount: Discount, base: int, currency: str) -> int:
    if discount.basis_points is not None:
        return divide_half_up(base * discount.basis_points, BASIS_POINTS)
    assert discount.amount is not None
    _same_currency(discount.amount, currency, f"discount {discount.code!r}")
    if discount.amount.minor > base:
        raise InvalidDiscount(
            f"discount {discount.code!r} of {discount.amount} is more than the "
            f"{Money(base, currency)} left of the goods it applies to; lower it or apply it "
            "to more lines."
        )
    return discount.amount.minor


def _resolve(key: str, code: str, line_ids: Sequence[str], skus: Sequence[str]) -> int:
    by_id = [i for i, line_id in enumerate(line_ids) if line_id == key]
    by_sku = [i for i, sku in enumerate(skus) if sku == key]
    if by_id and any(i not in by_id for i in by_sku):
        raise UnknownLine(
            f"discount {code!r} names {key!r}, which is both a line id and the SKU of "
            "another line; name the line id instead."
        )
    if by_id:
        return by_id[0]
    if len(by_sku) == 1:
        return by_sku[0]
    known = ", ".join(f"{i} ({s})" for i, s in zip(line_ids, skus, strict=True))
    if by_sku:
        raise UnknownLine(
            f"discount {code!r} names SKU {key!r}, which is on several lines; name the line "
            f"id: {known}."
        )
    raise UnknownLine(
        f"discount {code!r} names {key!r}, which is no line or SKU of the order: {known}."
    )


def _same_currency(amount: Money, currency: str, what: str) -> None:
    if amount.currency != currency:
        raise CurrencyMismatch(
            f"{what} is in {amount.currency} but the order is in {currency}; an order and "
            "its charges use one currency."
        )


class Taxed(Protocol):
    @property
    def tax_rate(self) -> TaxRate: ...

    @property
    def tax(self) -> Money: ...


def tax_by_rate(charges: Iterable[Taxed], currency: str) -> dict[TaxRate, Money]:
    """The tax of ``charges`` summed per rate, lowest rate first."""
    totals: dict[TaxRate, Money] = {}
    for charge in charges:
        totals[charge.tax_rate] = totals.get(charge.tax_rate, Money.zero(currency)) + charge.tax
    return dict(sorted(totals.items()))


def shipping_to_refund(
    order_id: str, fees: Sequence[ShippingLine], refund_shipping: bool | Money, *, currency: str
) -> tuple[ShippingPortion, ...]:
    """What a refund gives back of the shipping: nothing (False), all that is left (True),
    or an amount of money, taken from the fees in the order they were charged."""
    if refund_shipping is False:
        return ()
    if refund_shipping is True:
        return tuple(fee.portion(fee.refundable) for fee in fees if fee.refundable.minor)
    if not isinstance(refund_shipping, Money) or refund_shipping.minor <= 0:
        raise InvalidInput(
            "refund_shipping is True (all that is left of it), False, or a Money above "
            f"zero, not {refund_shipping!r}."
        )
    if refund_shipping.currency != currency:
        raise CurrencyMismatch(
            f"the shipping refund is in {refund_shipping.currency} but order {order_id!r} "
            f"is in {currency}."
        )
    left = sum((fee.refundable for fee in fees), Money.zero(currency))
    if refund_shipping > left:
        raise RefundExceedsCharge(
            f"order {order_id!r} has {left} of shipping left to refund, not "
            f"{refund_shipping}; refund at most that."
        )
    # Fees are refunded in the order they were charged.
    portions, wanted = [], refund_shipping
    for fee in fees:
        take = min(wanted, fee.refundable)
        if take.minor:
            portions.append(fee.portion(take))
            wanted -= take
    return tuple(portions)


def amount_of(
    portions: Iterable[LineQuantity], shipping: Iterable[ShippingPortion], currency: str
) -> Money:
    """What the parts of goods and shipping come to together."""
    goods = sum((portion.amount for portion in portions), Money.zero(currency))
    return sum((part.amount for part in shipping), goods)
