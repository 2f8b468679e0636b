"""R1: readers running beside concurrent writers never see half a command (C6).

Writer threads place and cancel orders (each command writes its outbox messages, and a
cancel its refund order, in the order's own transaction) while two readers loop over the
pending effects and the refund orders. A reader must never see a refund order whose order
is not yet canceled, a cancel's outbox message without its refund order, or something it
has seen vanish again; and when the writers are done every order's records are complete.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from order_cancellation import LineItem, Money, OrderState, PaymentRef, Sales
from order_cancellation.adapters.clock import SystemClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import RecordingPublisher
from order_cancellation.domain.events import OrderCanceled, OrderPlaced
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import Effect
from tests.backends.conftest import BackendFactory
from tests.backends.reliability.support import Report, figure, sales_on

SHOP = "acme"
READERS = 2
STOCK = 5
# What every order leaves in the outbox: its placement published, its cancellation
# restocked, settled and published.
MESSAGES_PER_ORDER = Counter(
    {
        ("OrderPlaced", Effect.PUBLISH): 1,
        ("OrderCanceled", Effect.RESTOCK): 1,
        ("OrderCanceled", Effect.SETTLE_PAYMENT): 1,
        ("OrderCanceled", Effect.PUBLISH): 1,
    }
)


def _order_id(writer: int, n: int) -> str:
    return f"ord-w{writer}-{n:04d}"


def _sku(writer: int, n: int) -> str:
    return f"SKU-w{writer}-{n}"


class _Reader:
    """Loops over what a merchant's screen shows until told to stop, counting torn reads."""

    def __init__(self, sales: Sales, backend: Backend) -> None:
        self._sales = sales
        self._backend = backend
        self.torn: list[str] = []
        self.loops = 0
        self._seen_refunds: set[str] = set()
        self._seen_pending = 0

    def run(self, stop: threading.Event) -> None:
        while True:
            last = stop.is_set()  # one full loop more after the writers are done
            self._through_the_api()
            self._in_one_transaction()
            self.loops += 1
            if last:
                return

    def _through_the_api(self) -> None:
        # Nothing delivers effects during the run, so both only ever grow.
        pending = self._sales.pending_effects()
        refunds = {refund.id for refund in self._sales.refund_orders()}
        if pending < self._seen_pending:
            self.torn.append(f"pending effects went from {self._seen_pending} to {pending}")
        if vanished := self._seen_refunds - refunds:
            self.torn.append(f"refund orders vanished: {sorted(vanished)}")
        self._seen_pending = max(self._seen_pending, pending)

    def _in_one_transaction(self) -> None:
        # Read in the order the writers commit in reverse (outbox, then refund orders, then
        # orders), so that even a statement-level snapshot only ever looks forward in time.
        with self._backend.unit_of_work(SHOP) as uow:
            messages = uow.outbox.pending()
            refunds = {refund.id: refund for refund in uow.refunds.list()}
            for message in messages:
                event = message.event
                if isinstance(event, OrderCanceled) and event.refund_order_id not in refunds:
                    self.torn.append(f"{message.id} came without refund order of {event.order_id}")
            for refund_id in refunds.keys() - self._seen_refunds:
                order = uow.orders.get(refunds[refund_id].order_id)
                if order.state is not OrderState.CANCELED:
                    self.torn.append(f"refund order {refund_id} of a {order.state} order")
        self._seen_refunds |= refunds.keys()


@pytest.mark.parametrize(
    ("writers", "orders_per_writer"),
    [
        pytest.param(4, 25, id="ci"),
        pytest.param(10, 100, id="nightly", marks=pytest.mark.nightly),
    ],
)
def test_c6_readers_beside_concurrent_writers_never_see_a_half_written_command(
    backend_factory: BackendFactory,
    backend_name: str,
    writers: int,
    orders_per_writer: int,
    reliability: Report,
) -> None:
    backend = backend_factory()
    with backend.unit_of_work(SHOP) as uow:
        for writer in range(writers):
            for n in range(orders_per_writer):
                uow.stock.set_level(_sku(writer, n), STOCK)
        uow.commit()
    errors: list[BaseException] = []

    def write(writer: int) -> None:
        # A publisher, so that placing an order writes an outbox row too.
        sales = Sales(
            shop=SHOP,
            backend=backend,
            gateways={},
            default_gateway=ManualPaymentGateway(),
            clock=SystemClock(),
            publisher=RecordingPublisher(),
            effects="deferred",
        )
        try:
            for n in range(orders_per_writer):
                order = sales.place_order(
                    [LineItem(_sku(writer, n), 2, Money.of("10.00", "EUR"))],
                    payment=PaymentRef(provider="card", reference=f"pay-{writer}-{n}"),
                    order_id=_order_id(writer, n),
                )
                sales.cancel_order(order.id, reason="conformance")
        except BaseException as error:
            errors.append(error)

    readers = [_Reader(sales_on(backend, SHOP), backend) for _ in range(READERS)]
    stop = threading.Event()

    def read(reader: _Reader) -> None:
        try:
            reader.run(stop)
        except BaseException as error:
            errors.append(error)

    reading = [threading.Thread(target=read, args=(reader,)) for reader in readers]
    writing = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
    for thread in reading:
        thread.start()
    began = time.perf_counter()
    for thread in writing:
        thread.start()
    for thread in writing:
        thread.join()
    wall = time.perf_counter() - began
    stop.set()
    for thread in reading:
        thread.join()

    order_ids = [_order_id(w, n) for w in range(writers) for n in range(orders_per_writer)]
    with backend.unit_of_work(SHOP) as uow:
        refunds = Counter(refund.order_id for refund in uow.refunds.list())
        messages: dict[str, Counter[tuple[str, str]]] = {}
        for message in uow.outbox.pending():
            assert isinstance(message.event, OrderPlaced | OrderCanceled)
            messages.setdefault(message.event.order_id, Counter())[
                type(message.event).__name__, message.handler
            ] += 1
    incomplete = [
        order_id
        for order_id in order_ids
        if refunds[order_id] != 1 or messages.get(order_id) != MESSAGES_PER_ORDER
    ]
    torn = [problem for reader in readers for problem in reader.torn]
    commands = 2 * len(order_ids)
    figure(
        reliability,
        "C6",
        backend=backend_name,
        writers=writers,
        commands=commands,
        errors=len(errors),
        torn_reads=len(torn),
        commands_per_s=f"{commands / wall:.0f}",
        reader_loops=sum(reader.loops for reader in readers),
    )
    assert errors == []
    assert torn == []
    assert incomplete == []
    assert all(reader.loops > 1 for reader in readers)
