"""Contract suite of the stock ledger: levels, and movements applied once, all or none.

Part of :class:`~order_cancellation.testing.contracts.BackendContract`; provide the same
``backend`` fixture to use it alone.
"""

from __future__ import annotations

import pytest

from order_cancellation.domain.errors import InsufficientStock, StockLevelOutOfRange
from order_cancellation.domain.stock import STORABLE_STOCK_LEVEL, MovementKind
from order_cancellation.ports.backend import Backend
from order_cancellation.testing.samples import SHOP, sample_movement


class StockLedgerContract:
    """Provide ``backend``: a fresh, empty store."""

    # -- stock -----------------------------------------------------------------------------------

    def test_an_unknown_sku_has_no_stock(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("never-seen") == 0

    def test_a_movement_is_applied_once_however_often_it_is_delivered(
        self, backend: Backend
    ) -> None:
        movement = sample_movement("o-1", "L1", MovementKind.CANCEL_RESTOCK, "SKU-1", 3)
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 10)
            uow.commit()
        applied = []
        for _ in range(3):
            with backend.unit_of_work(SHOP) as uow:
                applied.append(uow.stock.apply([movement]))
                uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("SKU-1") == 13
            assert uow.stock.applied(movement.key)
        assert applied == [1, 0, 0]

    def test_movements_that_would_go_below_zero_apply_none(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 5)
            uow.stock.set_level("SKU-2", 1)
            uow.commit()
        take = [
            sample_movement("o-1", "L1", MovementKind.SALE, "SKU-1", -2),
            sample_movement("o-1", "L2", MovementKind.SALE, "SKU-2", -2),
        ]
        with pytest.raises(InsufficientStock), backend.unit_of_work(SHOP) as uow:
            uow.stock.apply(take)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert dict(uow.stock.levels()) == {"SKU-1": 5, "SKU-2": 1}
            assert not uow.stock.applied(take[0].key)

    def test_a_restock_past_the_storable_level_is_refused_and_applies_nothing(
        self, backend: Backend
    ) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", STORABLE_STOCK_LEVEL)
            uow.commit()
        back = sample_movement("o-1", "L1", MovementKind.CANCEL_RESTOCK, "SKU-1", 1)
        with pytest.raises(StockLevelOutOfRange), backend.unit_of_work(SHOP) as uow:
            uow.stock.apply([back])
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("SKU-1") == STORABLE_STOCK_LEVEL
            assert not uow.stock.applied(back.key)

    def test_set_level_overrides_the_count(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-1", 5)
            uow.stock.apply([sample_movement("o-1", "L1", MovementKind.SALE, "SKU-1", -2)])
            uow.stock.set_level("SKU-1", 40)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.stock.level("SKU-1") == 40

    def test_levels_are_listed_by_sku(self, backend: Backend) -> None:
        with backend.unit_of_work(SHOP) as uow:
            for sku, level in (("SKU-B", 1), ("SKU-C", 3), ("SKU-A", 2)):
                uow.stock.set_level(sku, level)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            uow.stock.set_level("SKU-B", 4)
            assert list(uow.stock.levels().items()) == [("SKU-A", 2), ("SKU-B", 4), ("SKU-C", 3)]
