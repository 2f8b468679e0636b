"""Named points where a test can kill the process, to prove that recovery loses nothing.

Set ``ORDER_CANCELLATION_CRASHPOINT=<name>`` (or ``<name>:<n>`` for the n-th time the point
is reached) in a child process; when it gets there it sends itself SIGKILL, as a power cut
would. Without the variable each point is one dictionary lookup.
"""

from __future__ import annotations

import os
import signal
import threading
from typing import Final

BEFORE_COMMIT: Final = "command.before_commit"
AFTER_COMMIT: Final = "command.after_commit"
AFTER_PAYMENT_CALL: Final = "settle.after_payment_call"
AFTER_STOCK_MOVEMENT: Final = "restock.after_stock_movement"
AFTER_CLAIM: Final = "relay.after_claim"

ALL: Final = (BEFORE_COMMIT, AFTER_COMMIT, AFTER_PAYMENT_CALL, AFTER_STOCK_MOVEMENT, AFTER_CLAIM)

_ARMED: Final = os.environ.get("ORDER_CANCELLATION_CRASHPOINT", "")
_lock = threading.Lock()
_reached: dict[str, int] = {}


def reached(name: str) -> None:
    if not _ARMED:
        return
    target, _, nth = _ARMED.partition(":")
    if name != target:
        return
    with _lock:
        _reached[name] = _reached.get(name, 0) + 1
        if _reached[name] >= int(nth or 1):
            os.kill(os.getpid(), signal.SIGKILL)
