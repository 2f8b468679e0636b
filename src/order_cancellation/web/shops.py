"""The shops a server hosts: one ``Sales`` per shop, made on first use from a root ``Sales``.

A request never names its shop: the credential does (see :mod:`.auth`), and the directory
hands back that shop's ``Sales``. With deferred effects each shop gets a worker thread the
first time it is used, stopped by :meth:`ShopDirectory.close`.
"""

from __future__ import annotations

import threading

from order_cancellation.sales import Sales


class ShopDirectory:
    """Every shop on one backend, each with the root's gateways, clock and effects mode."""

    def __init__(self, root: Sales, *, workers: bool = False, poll_interval: float = 0.2) -> None:
        self._root = root
        self._shops: dict[str, Sales] = {root.shop: root}
        self._lock = threading.Lock()
        self._workers = workers
        self._poll_interval = poll_interval
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        if workers:
            self._start_worker(root)

    def sales(self, shop: str) -> Sales:
        with self._lock:
            sales = self._shops.get(shop)
            if sales is None:
                sales = self._root.for_shop(shop)
                self._shops[shop] = sales
                if self._workers:
                    self._start_worker(sales)
            return sales

    def probe(self, shop: str) -> Sales:
        """A shop's ``Sales`` not kept in the directory: to check a credential first."""
        with self._lock:
            known = self._shops.get(shop)
        return known if known is not None else self._root.for_shop(shop)

    def _start_worker(self, sales: Sales) -> None:
        # One worker per shop: run_worker delivers one shop's outbox.
        thread = threading.Thread(
            target=sales.run_worker,
            args=(self._stop,),
            kwargs={"poll_interval": self._poll_interval},
            name=f"effects worker of shop {sales.shop}",
            daemon=True,
        )
        thread.start()
        self._threads.append(thread)

    def close(self) -> None:
        """Stop the workers (each after the batch in hand); the root's backend stays open."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=10)
