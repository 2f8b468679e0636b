"""What a storage backend offers the application: a unit of work per shop."""

from __future__ import annotations

from typing import Protocol

from order_cancellation.ports.persistence import UnitOfWork


class Backend(Protocol):
    """A store shared by many shops; every unit of work it hands out is bound to one shop."""

    def unit_of_work(self, shop: str) -> UnitOfWork: ...
