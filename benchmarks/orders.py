"""The orders every benchmark cancels: ``lines`` lines, each a SKU of its own, paid by card.

One definition, so the in-memory, SQLite and PostgreSQL rows and their baselines cancel
the same orders.
"""

from __future__ import annotations

from datetime import UTC, datetime

from order_cancellation import LineItem, Money, PaymentRef, Sales
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.memory import InMemoryPaymentProvider

CURRENCY = "EUR"
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
STOCK = 10**9  # enough that no benchmark ever runs out
CARD = "card"


def sku(n: int) -> str:
    return f"SKU-{n}"


def items(lines: int) -> list[LineItem]:
    return [LineItem(sku(n), 1 + n % 3, Money(100 + n, CURRENCY)) for n in range(lines)]


def total_minor(lines: int) -> int:
    return sum((1 + n % 3) * (100 + n) for n in range(lines))


def payment(n: int) -> PaymentRef:
    return PaymentRef(provider=CARD, reference=f"pay-{n}")


def stock_up(sales: Sales, lines: int) -> None:
    for n in range(lines):
        sales.set_stock(sku(n), STOCK)


def place(
    sales: Sales, provider: InMemoryPaymentProvider, clock: ManualClock, count: int, lines: int
) -> list[str]:
    """Place ``count`` orders through the public API, each authorized with ``provider``."""
    amount = Money(total_minor(lines), CURRENCY)
    placed = []
    for n in range(count):
        ref = payment(n)
        provider.authorize(ref.reference, amount, at=clock.now())
        placed.append(sales.place_order(items(lines), payment=ref).id)
    return placed
