"""Contract tests for what real orders add to stored records: tax rates, shipping fees,
discounts, the price mode, and refund orders and events priced from them.

:class:`~order_cancellation.testing.contracts.BackendContract` includes these; they live
here so that each module stays readable in one sitting.
"""

from __future__ import annotations

from datetime import UTC, datetime

from order_cancellation.domain.charges import Discount, ShippingFee
from order_cancellation.domain.events import OrderCanceled
from order_cancellation.domain.money import Money
from order_cancellation.domain.order import Order
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.values import LineItem, PaymentRef
from order_cancellation.ports.backend import Backend
from order_cancellation.ports.persistence import Effect, OutboxMessage

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
SHOP = "shop-a"


def real_order(order_id: str = "o-real", *, prices_include_tax: bool = True) -> Order:
    """Two lines at different VAT rates, two shipping fees, a percentage discount on one
    line and a fixed one on the whole order."""
    return Order.place(
        order_id=order_id,
        shop=SHOP,
        items=[
            LineItem("TSHIRT", 3, Money.of("24.90", "EUR"), tax_rate="25.5"),
            LineItem("BOOK", 1, Money.of("12.00", "EUR"), tax_rate="10"),
        ],
        payment=PaymentRef(provider="klarna", reference=f"k-{order_id}"),
        at=T0,
        shipping=[
            ShippingFee("Standard", Money.of("5.90", "EUR"), tax_rate="25.5"),
            ShippingFee("Gift wrap", Money.of("2.00", "EUR"), tax_rate=TaxRate(2550)),
        ],
        discounts=[
            Discount.percentage("WINTER10", "10", lines=["TSHIRT"]),
            Discount.fixed("SORRY", Money.of("1.00", "EUR")),
        ],
        prices_include_tax=prices_include_tax,
    ).order


class RealOrderRecordsContract:
    """Records of real orders are stored and read back whole, on every backend."""

    def test_a_real_order_is_read_back_equal_in_both_price_modes(self, backend: Backend) -> None:
        orders = [real_order("o-gross"), real_order("o-net", prices_include_tax=False)]
        with backend.unit_of_work(SHOP) as uow:
            for order in orders:
                uow.orders.add(order)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert [uow.orders.get(order.id) for order in orders] == orders

    def test_a_partly_returned_order_keeps_its_refunded_shipping(self, backend: Backend) -> None:
        order = real_order()
        shipped = order.fulfill(None, at=T0).order
        decision = shipped.create_return(
            {"TSHIRT": 1},
            refund_order_id="r-1",
            restock=True,
            reason=None,
            at=T0,
            refund_shipping=Money.of("6.00", "EUR"),
        )
        assert decision.refund_order is not None
        with backend.unit_of_work(SHOP) as uow:
            uow.orders.add(order)
            uow.orders.update(shipped)
            uow.orders.update(decision.order)
            uow.refunds.add(decision.refund_order)
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.orders.get(order.id) == decision.order
            assert uow.refunds.get("r-1") == decision.refund_order
        assert [fee.refunded for fee in decision.order.shipping] == [
            Money.of("5.90", "EUR"),
            Money.of("0.10", "EUR"),
        ]

    def test_an_event_keeps_its_priced_lines_and_shipping(self, backend: Backend) -> None:
        decision = real_order().cancel(
            refund_order_id="r-1",
            status="Canceled",
            reason=None,
            reason_code=None,
            actor=None,
            restock=True,
            at=T0,
        )
        (event,) = decision.events
        assert isinstance(event, OrderCanceled)
        message = OutboxMessage(
            id="m-real",
            handler=Effect.PUBLISH,
            event=event,
            created_at=T0,
            available_at=T0,
            refund_order_id="r-1",
        )
        with backend.unit_of_work(SHOP) as uow:
            uow.outbox.add([message])
            uow.commit()
        with backend.unit_of_work(SHOP) as uow:
            assert uow.outbox.get("m-real").event == event
