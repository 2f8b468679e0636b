"""P9: every stock movement is applied exactly once, however often and in whatever order
it is delivered (an outbox delivers at least once)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable

import pytest

from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from tests.backends.conftest import BackendFactory

SHOP = "acme"
SKUS = ("MUG", "TEE", "CAP")


def _restock(n: int) -> StockMovement:
    return StockMovement(
        key=MovementKey(order_id=f"ord-{n:05d}", line_id="L1", kind=MovementKind.CANCEL_RESTOCK),
        sku=SKUS[n % len(SKUS)],
        delta=1 + n % 3,
    )


@pytest.mark.parametrize("movements", [1000, pytest.param(10_000, marks=pytest.mark.nightly)])
def test_redelivered_restocks_are_applied_once_each(
    backend_factory: BackendFactory,
    backend_name: str,
    reliability: Callable[[str], None],
    movements: int,
) -> None:
    backend = backend_factory()
    chance = random.Random(9)
    originals = [_restock(n) for n in range(movements)]
    deliveries = [movement for movement in originals for _ in range(chance.randint(1, 5))]
    chance.shuffle(deliveries)
    applied = 0
    with backend.unit_of_work(SHOP) as uow:
        for sku in SKUS:
            uow.stock.set_level(sku, 0)
        uow.commit()
    for start in range(0, len(deliveries), 50):
        with backend.unit_of_work(SHOP) as uow:
            # Fifty deliveries per transaction, as a relay batch would: one may repeat a key.
            for movement in deliveries[start : start + 50]:
                applied += uow.stock.apply([movement])
            uow.commit()

    expected: Counter[str] = Counter()
    for movement in originals:
        expected[movement.sku] += movement.delta
    with backend.unit_of_work(SHOP) as uow:
        levels = {sku: uow.stock.level(sku) for sku in SKUS}
    double_applied = applied - movements
    reliability(
        f"RELIABILITY P9 backend={backend_name} movements={movements} "
        f"deliveries={len(deliveries)} max_duplication=5 double_applied={double_applied} "
        f"levels_wrong={sum(levels[sku] != expected[sku] for sku in SKUS)}"
    )
    assert double_applied == 0
    assert levels == dict(expected)
