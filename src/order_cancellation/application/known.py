"""What inline delivery already knows: the refund orders it committed a moment ago.

Right after a command commits, its own thread delivers the command's effects (inline
effects). That thread wrote the refund order with the command and writes it again with each
effect it delivers, so it need not read it back: not before the payment call, and not to
return the command's result. What is kept is per thread and lives only while one command's
effects are delivered (:meth:`KnownRefunds.collect` to :meth:`KnownRefunds.collected`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from order_cancellation.domain.refunds import RefundOrder
from order_cancellation.ports.persistence import UnitOfWork


class KnownRefunds:
    def __init__(self) -> None:
        self._local = threading.local()

    def _known(self) -> dict[str, RefundOrder] | None:
        known: dict[str, RefundOrder] | None = getattr(self._local, "known", None)
        return known

    def collect(self, refund: RefundOrder | None) -> None:
        """Keep, in this thread, the refund orders deliveries commit from now on, starting
        with ``refund`` as its command committed it."""
        self._local.known = {} if refund is None else {refund.id: refund}

    def collected(self, refund_order_id: str | None) -> RefundOrder | None:
        """Stop collecting; the refund order as this thread last committed it (None: not
        known so, read it). With its effects delivered it is the one a read would return; with
        some left pending (the store failed after the command's commit) it is the committed
        result the caller gets, and no read of a failing store stands in the way."""
        known, self._local.known = self._known(), None
        return None if known is None or refund_order_id is None else known.get(refund_order_id)

    def before_call(
        self, refund_order_id: str, unit_of_work: Callable[[], UnitOfWork]
    ) -> RefundOrder:
        """The refund order a payment call is made for: as this thread committed it moments
        ago when known, else read. A stale copy costs nothing: the call is idempotent under
        the refund order's key, and its outcome is recorded on the refund order as it then
        is (compare-and-set)."""
        known = self._known()
        refund = None if known is None else known.get(refund_order_id)
        if refund is not None:
            return refund
        with unit_of_work() as uow:
            return uow.refunds.get(refund_order_id)

    def committed(self, refund: RefundOrder | None, refund_order_id: str) -> None:
        """This thread committed ``refund``; None: it changed in a way not followed here
        (a failure recorded), so it is read again when needed."""
        known = self._known()
        if known is None:
            return
        if refund is None:
            known.pop(refund_order_id, None)
        else:
            known[refund_order_id] = refund
