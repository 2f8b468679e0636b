"""Which payment gateway settles which provider's payments in a CLI process.

The library settles a provider without a gateway by hand (a manual refund owed). That is
right for PayPal and the like, but wrong for Klarna when the CLI is merely not connected to
it while the merchant's application is: so without ``--klarna`` a Klarna payment is routed
to a gateway that refuses for now, and the effect stays pending (retried, visible with
``refunds list --pending``) instead of being recorded as a manual refund.
"""

from __future__ import annotations

from contextlib import ExitStack

from order_cancellation.domain.errors import ConfigurationError, PaymentTemporarilyUnavailable
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.refunds import SettlementResult
from order_cancellation.domain.values import KLARNA
from order_cancellation.ports.payments import CaptureRequest, PaymentGateway, SettlementRequest


class KlarnaNotConnected:
    """Stands in for Klarna in a process started without ``--klarna``."""

    MESSAGE = "Klarna is not connected in this process; run the command or worker with --klarna"

    def settle(self, request: SettlementRequest) -> SettlementResult:
        raise PaymentTemporarilyUnavailable(self.MESSAGE)

    def capture(self, request: CaptureRequest) -> Money:
        raise PaymentTemporarilyUnavailable(self.MESSAGE)


def gateways(*, connect_klarna: bool, resources: ExitStack) -> dict[str, PaymentGateway]:
    if not connect_klarna:
        return {KLARNA: KlarnaNotConnected()}
    try:
        from order_cancellation.adapters.klarna import KlarnaGateway  # noqa: PLC0415
    except ImportError as error:
        raise ConfigurationError(
            "--klarna needs the klarna extra: pip install 'order-cancellation[klarna]'"
        ) from error
    return {KLARNA: resources.enter_context(KlarnaGateway.from_env())}


def require_route(order: Order, *, klarna: bool, deferred: bool) -> None:
    """Refuse, before anything is written, a command whose payment effect cannot run here."""
    if order.payment is None or order.payment.provider != KLARNA or klarna or deferred:
        return
    raise ConfigurationError(
        f"order {order.id!r} was paid with Klarna and this command is not connected to it; "
        "pass --klarna (credentials from KLARNA_USERNAME and KLARNA_PASSWORD) or "
        "--defer-effects to leave the payment to a worker that is. Nothing was changed."
    )
