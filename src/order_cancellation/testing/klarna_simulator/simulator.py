"""A stateful Klarna Order Management simulator, served over loopback HTTP or in process.

Use it as a context manager to serve it on ``127.0.0.1`` (``sim.base_url``), or hand
``sim.in_process_transport()`` to an httpx client for speed; both run the same state
machine. Its clock only moves when a test moves it.
"""

from __future__ import annotations

import base64
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Final, TypeVar

import attrs

from order_cancellation.testing.klarna_simulator.exchange import (
    Endpoint,
    Exchange,
    SimRequest,
    SimResponse,
)
from order_cancellation.testing.klarna_simulator.faults import Fault
from order_cancellation.testing.klarna_simulator.orders import (
    MAX_AMOUNT,
    Operation,
    Refusal,
    SimOrder,
)
from order_cancellation.testing.klarna_simulator.responses import (
    apply_fault,
    error_response,
    fault_response,
    money_body,
    read,
)
from order_cancellation.testing.klarna_simulator.server import SimulatorServer

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

KEY_LIFETIME: Final = timedelta(hours=24)
IN_PROCESS_URL: Final = "http://127.0.0.1"


@attrs.frozen(kw_only=True)
class SimOperation:
    """A change the simulator made (a replayed request is not a second change)."""

    order_id: str
    operation: Operation
    amount: int
    at: datetime
    key: str | None = None
    reference: str | None = None
    via_api: bool = True


@attrs.frozen
class _Injection:
    fault: Fault | None
    endpoint: Endpoint | None
    order_id: str | None

    def matches(self, endpoint: Endpoint | None, order_id: str | None) -> bool:
        return self.endpoint in (None, endpoint) and self.order_id in (None, order_id)


class KlarnaSimulator:
    """Klarna Order Management v1 for tests: orders, captures, refunds, faults, a clock."""

    def __init__(
        self,
        *,
        username: str = "sim-merchant",
        password: str = "sim-secret",  # noqa: S107 - a test double's well-known secret
        start: datetime | None = None,
        authorization_days: int = 28,
        hang_seconds: float = 2.0,
    ) -> None:
        self.username = username
        self.password = password
        self.authorization_days = authorization_days
        self.hang_seconds = hang_seconds
        self._expected_auth = (
            "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        )
        self._lock = threading.RLock()
        self._server: SimulatorServer | None = None
        self.reset(start=start)

    def reset(self, *, start: datetime | None = None) -> None:
        """Forget every order, key, fault and log entry; keep serving where it serves."""
        with self._lock:
            self._clock = start or datetime.now(UTC).replace(microsecond=0)
            self._orders: dict[str, SimOrder] = {}
            self._replays: dict[str, tuple[datetime, SimResponse]] = {}
            self._injections: list[_Injection] = []
            self.operations: list[SimOperation] = []
            self.exchanges: list[Exchange] = []

    # -- serving --------------------------------------------------------------------------------

    def start(self) -> KlarnaSimulator:
        if self._server is None:
            self._server = SimulatorServer(self)
            self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> KlarnaSimulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the simulator is not serving; use it as a context manager.")
        return self._server.base_url

    def in_process_transport(self) -> httpx.MockTransport:
        """An httpx transport that calls the simulator directly, without a socket."""
        # httpx is only needed for this, so serving over a socket works without it.
        from order_cancellation.testing.klarna_simulator.inprocess import transport  # noqa: PLC0415

        return transport(self)

    # -- the clock ------------------------------------------------------------------------------

    @property
    def clock(self) -> datetime:
        return self._clock

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._clock += delta
            return self._clock

    # -- what a test sets up and looks at -------------------------------------------------------

    def create_order(
        self,
        order_id: str,
        amount: int,
        currency: str = "EUR",
        *,
        lines: Sequence[dict[str, object]] | None = None,
        auto_capture: bool = False,
        expires_in: timedelta = timedelta(days=28),
    ) -> dict[str, object]:
        """Place an authorized order of ``amount`` minor units; returns Klarna's JSON of it."""
        if not amount > 0:
            raise ValueError(f"an order is for an amount above zero, not {amount}")
        default_line = {
            "name": "Order",
            "quantity": 1,
            "unit_price": amount,
            "total_amount": amount,
        }
        order_lines: list[object] = list(lines or [default_line])
        if any(_line_total(line) > MAX_AMOUNT for line in order_lines):
            raise ValueError(
                f"Klarna takes at most {MAX_AMOUNT} minor units per order line; pass lines= "
                "that split the amount."
            )
        with self._lock:
            if order_id in self._orders:
                raise ValueError(f"order {order_id!r} exists already")
            order = SimOrder(
                order_id=order_id,
                klarna_reference=uuid.uuid5(uuid.NAMESPACE_OID, order_id).hex[:7].upper(),
                currency=currency,
                order_amount=amount,
                original_order_amount=amount,
                created_at=self._clock,
                expires_at=self._clock + expires_in,
                order_lines=order_lines,
                remaining=amount,
            )
            self._orders[order_id] = order
            if auto_capture:
                self.capture(order_id, amount)
            return order.to_json()

    def order(self, order_id: str) -> dict[str, object]:
        """Klarna's JSON of the order, as GET order would show it now."""
        with self._lock:
            order = self._orders[order_id]
            order.refresh(self._clock)
            return order.to_json()

    def capture(
        self, order_id: str, amount: int | None = None, *, reference: str | None = None
    ) -> str:
        """Capture as the Merchant Portal would (``amount`` defaults to all that is left)."""
        with self._lock:
            order = self._live(order_id)
            value = order.remaining if amount is None else amount
            capture = _as_helper(lambda: order.capture(value, self._clock, reference=reference))
            self._log(order_id, Operation.CAPTURE, capture.amount, None, reference, via_api=False)
            return capture.id

    def refund(self, order_id: str, amount: int, *, reference: str | None = None) -> str:
        """Refund as the Merchant Portal would; returns the refund id."""
        with self._lock:
            order = self._live(order_id)
            refund = _as_helper(lambda: order.refund(amount, self._clock, reference=reference))
            self._log(order_id, Operation.REFUND, amount, None, reference, via_api=False)
            return refund.id

    def cancel(self, order_id: str) -> None:
        with self._lock:
            order = self._live(order_id)
            released = _as_helper(order.cancel)
            self._log(order_id, Operation.CANCEL, released, None, None, via_api=False)

    def release(self, order_id: str) -> None:
        with self._lock:
            order = self._live(order_id)
            released = _as_helper(order.release)
            self._log(order_id, Operation.RELEASE, released, None, None, via_api=False)

    def count(
        self, operation: Operation, order_id: str | None = None, *, via_api: bool | None = True
    ) -> int:
        """How many times Klarna did ``operation`` (through the API by default)."""
        with self._lock:
            return sum(
                1
                for op in self.operations
                if op.operation is operation
                and order_id in (None, op.order_id)
                and via_api in (None, op.via_api)
            )

    def inject(
        self, *faults: Fault | None, endpoint: Endpoint | None = None, order_id: str | None = None
    ) -> None:
        """Queue faults for the next matching requests, one each; ``None`` lets one through."""
        with self._lock:
            self._injections.extend(_Injection(f, endpoint, order_id) for f in faults)

    def pending_faults(self) -> int:
        with self._lock:
            return sum(1 for i in self._injections if i.fault is not None)

    def requests(self, endpoint: Endpoint | None = None) -> list[Exchange]:
        """The exchanges so far, oldest first, for one endpoint or all."""
        with self._lock:
            return [e for e in self.exchanges if endpoint in (None, e.endpoint)]

    # -- HTTP -----------------------------------------------------------------------------------

    def handle(self, request: SimRequest) -> Exchange:
        """Answer one request; the exchange says how the answer reaches the client."""
        endpoint, params = request.route()
        order_id = params.get("order_id")
        with self._lock:
            fault = self._take_fault(endpoint, order_id)
            replayed = False
            if fault is not None and not fault.processed:
                response = fault_response(fault, fault.status) if fault.status else None
            else:
                response, replayed = self._process(request, endpoint, params)
                if fault is not None:
                    response = apply_fault(fault, response)
            exchange = Exchange(
                request=request,
                endpoint=endpoint,
                order_id=order_id,
                response=response if fault is None or fault.answers else None,
                fault=fault,
                replayed=replayed,
            )
            self.exchanges.append(exchange)
            return exchange

    def _take_fault(self, endpoint: Endpoint | None, order_id: str | None) -> Fault | None:
        for index, injection in enumerate(self._injections):
            if injection.matches(endpoint, order_id):
                del self._injections[index]
                return injection.fault
        return None

    def _process(
        self, request: SimRequest, endpoint: Endpoint | None, params: dict[str, str]
    ) -> tuple[SimResponse, bool]:
        if request.header("Authorization") != self._expected_auth:
            return error_response(401, "UNAUTHORIZED", "Missing or incorrect credentials."), False
        if endpoint is None:
            return error_response(
                404, "NOT_FOUND", f"No such resource: {request.method} {request.path}"
            ), False
        key = request.idempotency_key if request.method in ("POST", "PATCH") else None
        if key is not None:
            stored = self._replays.get(key)
            if stored is not None and self._clock - stored[0] < KEY_LIFETIME:
                return stored[1], True
        order = self._orders.get(params["order_id"])
        if order is None:
            return error_response(
                404, "NO_SUCH_ORDER", f"Order {params['order_id']} cannot be found."
            ), False
        order.refresh(self._clock)
        try:
            response = self._serve(order, endpoint, request, params.get("item_id"), key)
        except Refusal as refusal:
            response = error_response(refusal.status, refusal.error_code, refusal.message)
        if key is not None and response.ok:
            self._replays[key] = (self._clock, response)
        return response, False

    def _serve(
        self,
        order: SimOrder,
        endpoint: Endpoint,
        request: SimRequest,
        item_id: str | None,
        key: str | None,
    ) -> SimResponse:
        if request.method == "GET":
            return read(order, endpoint, item_id)
        oid = order.order_id
        if endpoint is Endpoint.CANCEL:
            self._log(oid, Operation.CANCEL, order.cancel(), key, None)
            return SimResponse(status=204)
        if endpoint is Endpoint.RELEASE:
            self._log(oid, Operation.RELEASE, order.release(), key, None)
            return SimResponse(status=204)
        if endpoint is Endpoint.UPDATE_AUTHORIZATION:
            amount, _ = money_body(request.body, "order_amount")
            given_up = order.update_authorization(amount)
            self._log(oid, Operation.UPDATE_AUTHORIZATION, given_up, key, None)
            return SimResponse(status=204)
        if endpoint is Endpoint.EXTEND:
            order.extend(self._clock, self.authorization_days)
            self._log(oid, Operation.EXTEND, 0, key, None)
            return SimResponse(status=204)
        capturing = endpoint is Endpoint.CAPTURE
        field = "captured_amount" if capturing else "refunded_amount"
        amount, details = money_body(request.body, field)
        change = order.capture if capturing else order.refund
        movement = change(amount, self._clock, **details)
        operation = Operation.CAPTURE if capturing else Operation.REFUND
        self._log(oid, operation, amount, key, movement.reference)
        location = f"{request.base_url}{request.path.split('?', 1)[0]}/{movement.id}"
        id_header = "Capture-Id" if capturing else "Refund-Id"
        return SimResponse(status=201, headers=((id_header, movement.id), ("Location", location)))

    # -- helpers --------------------------------------------------------------------------------

    def _live(self, order_id: str) -> SimOrder:
        order = self._orders[order_id]
        order.refresh(self._clock)
        return order

    def _log(
        self,
        order_id: str,
        operation: Operation,
        amount: int,
        key: str | None,
        reference: str | None,
        *,
        via_api: bool = True,
    ) -> None:
        self.operations.append(
            SimOperation(
                order_id=order_id,
                operation=operation,
                amount=amount,
                at=self._clock,
                key=key,
                reference=reference,
                via_api=via_api,
            )
        )


def _line_total(line: object) -> int:
    total = line.get("total_amount") if isinstance(line, dict) else None
    return total if isinstance(total, int) else 0


def _as_helper(change: Callable[[], T]) -> T:
    try:
        return change()
    except Refusal as refusal:
        raise ValueError(f"Klarna would refuse this: {refusal.message}") from None
