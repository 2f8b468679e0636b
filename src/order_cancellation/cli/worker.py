"""``worker``: deliver effects (restock, payment, events) until SIGINT or SIGTERM.

The first signal asks the worker to stop after the batch in hand, so nothing is cut in
half; a second one interrupts at once (exit 130), which is still safe: an effect whose
lease runs out is taken over and applied exactly once.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from order_cancellation.application.relay import RelayReport
from order_cancellation.cli import values
from order_cancellation.cli.base import Commands, command, optional_text, with_shop
from order_cancellation.cli.console import Console
from order_cancellation.sales import Sales

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def register(commands: Commands) -> None:
    worker = command(
        commands,
        "worker",
        "deliver pending effects until stopped (Ctrl-C, SIGTERM)",
        with_shop(_work),
    )
    worker.add_argument(
        "--poll", metavar="SECONDS", default="1", help="pause when idle (default: 1)"
    )
    worker.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    worker.add_argument("--worker-id", metavar="NAME", help="names this worker's leases")
    worker.add_argument(
        "--give-up-after",
        metavar="SECONDS",
        default="60",
        help="exit 3 when the store still fails this long after its first failure (default: 60)",
    )


def _work(args: argparse.Namespace, sales: Sales, console: Console) -> None:
    if args.once:
        report = sales.process_pending()
    else:
        poll = values.seconds(str(args.poll), "--poll")
        give_up_after = values.seconds(str(args.give_up_after), "--give-up-after")
        stop = threading.Event()
        with _stopped_by_signals(stop):
            console.progress(
                f"worker delivering the effects of shop {sales.shop!r} every {poll:g} s when "
                "idle; stop it with Ctrl-C or SIGTERM"
            )
            report = sales.run_worker(
                stop,
                poll_interval=poll,
                worker_id=optional_text(args, "worker_id"),
                give_up_after=give_up_after,
            )
    waiting = sales.pending_effects()
    console.result(
        {
            "delivered": report.delivered,
            "failed": report.failed,
            "dead_lettered": report.dead_lettered,
            "pending": waiting,
        },
        [_summary(report, waiting)],
    )


def _summary(report: RelayReport, waiting: int) -> str:
    return (
        f"delivered {report.delivered}, failed {report.failed} (to be retried), "
        f"dead-lettered {report.dead_lettered}; {waiting} still waiting"
    )


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    # Only the main thread may set handlers. In another thread (an application embedding
    # ``main``) no signal reaches the worker, which then runs until its process ends.
    previous = (
        {number: signal.getsignal(number) for number in STOP_SIGNALS}
        if threading.current_thread() is threading.main_thread()
        else {}
    )

    def request_stop(number: int, frame: FrameType | None) -> None:
        stop.set()
        # A second signal means "now": let it interrupt (SIGINT) or end (SIGTERM) the process.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)

    for number in previous:
        signal.signal(number, request_stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
