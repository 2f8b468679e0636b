"""Placing an order: its lines, charges and payments recorded, its units taken from stock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from order_cancellation.application.core import (
    ServiceCore,
    command_fingerprint,
    new_command_id,
    refuse_existing,
)
from order_cancellation.application.fingerprints import given, line_text, payment_text
from order_cancellation.domain.charges import Discount, ShippingFee
from order_cancellation.domain.errors import ConcurrencyConflict, InvalidInput
from order_cancellation.domain.order import Order
from order_cancellation.domain.stock import MovementKey, MovementKind, StockMovement
from order_cancellation.domain.values import (
    LineItem,
    PaymentRef,
    check_identifier,
    check_placed_at,
)
from order_cancellation.ports.persistence import UnitOfWork


class OrderPlacing(ServiceCore):
    """Placing an order (with an external stock ledger, taking its units there first)."""

    def place_order(
        self,
        lines: Sequence[LineItem],
        *,
        payment: PaymentRef | None = None,
        order_id: str | None = None,
        idempotency_key: str | None = None,
        shipping: Sequence[ShippingFee] = (),
        discounts: Sequence[Discount] = (),
        prices_include_tax: bool | None = None,
        placed_at: datetime | None = None,
        payments: Sequence[PaymentRef] = (),
    ) -> Order:
        """Record a new order and take its units from stock.

        ``shipping`` fees and ``discounts`` (on the goods) count in the order's total;
        ``prices_include_tax`` says how the prices were entered (the shop's setting unless
        given: see :class:`Sales`). ``placed_at`` (timezone-aware, not in the future) is
        when an imported order was really placed, so it counts on that day's report.
        ``payments`` replaces ``payment`` for an order paid with several payments (a gift
        card and a card): each with its ``amount``, adding up to the order's total.
        Refunds spread over them by the shop's ``tender_policy`` (see :class:`Sales`).
        """
        if not isinstance(lines, Sequence):
            raise InvalidInput("an order's lines are a list of LineItem values.")
        include_tax = self.prices_include_tax if prices_include_tax is None else prices_include_tax
        # Only a command with a key is ever compared with an earlier one.
        fingerprint = (
            command_fingerprint(
                "place_order",
                [line_text(line) for line in lines],
                payment_text(payment),
                order_id,
                *given(
                    shipping=shipping,
                    discounts=discounts,
                    prices_include_tax=include_tax,
                    payments=list(payments) if isinstance(payments, Sequence) else payments,
                ),
                *([] if placed_at is None else [placed_at.isoformat()]),
            )
            if idempotency_key is not None
            else ""
        )
        given_id = order_id is not None
        if given_id:
            check_identifier(order_id, "the order id")
        decision = Order.place(
            order_id=order_id or new_command_id("ord"),
            shop=self.shop,
            items=lines,
            payment=payment,
            at=self._now() if placed_at is None else check_placed_at(placed_at, self._now()),
            shipping=shipping,
            discounts=discounts,
            prices_include_tax=include_tax,
            payments=payments,
            tender_policy=self.tender_policy,
        )
        order_id = decision.order.id
        sale = [
            StockMovement(
                key=MovementKey(
                    order_id=order_id,
                    line_id=line.id,
                    kind=MovementKind.SALE,
                    reference=self._sale_reference(),
                ),
                sku=line.sku,
                delta=-line.quantity,
            )
            for line in decision.order.lines
        ]

        def command(uow: UnitOfWork) -> str:
            if given_id:
                refuse_existing(uow, order_id)
            if self._external_stock is None:
                uow.stock.apply(sale)
            self._store(uow, decision, idempotency_key, fingerprint, decision.order.id)
            return decision.order.id

        try:
            if self._external_stock is not None:
                placed = self._place_with_external_stock(
                    command, sale, idempotency_key, fingerprint
                )
            else:
                placed = self._command(command, idempotency_key, fingerprint)
        except ConcurrencyConflict:
            # A placement conflicts when another one took the id first: say so.
            with self._uow() as uow:
                refuse_existing(uow, order_id)
            raise
        self._after_command(order_id=placed)
        return self.get_order(placed)

    def _sale_reference(self) -> str:
        # An external ledger is outside our transaction: a failed placement is compensated
        # under a reference of its own, so a retry with the same order id takes stock anew.
        return new_command_id("sale") if self._external_stock is not None else ""

    def _place_with_external_stock(
        self,
        command: Callable[[UnitOfWork], str],
        sale: list[StockMovement],
        key: str | None,
        fingerprint: str,
    ) -> str:
        assert self._external_stock is not None
        with self._uow() as uow:
            replay = self._replayed(uow, key, fingerprint)
        if replay is not None:
            return replay
        self._external_stock.apply(sale)
        try:
            placed, replayed = self._command_or_replay(command, key, fingerprint)
        except BaseException:
            self._reverse_sale(sale)
            raise
        if replayed:
            # Another request with the same key placed the order after our check: the units
            # this request took belong to no order.
            self._reverse_sale(sale)
        return placed

    def _reverse_sale(self, sale: list[StockMovement]) -> None:
        assert self._external_stock is not None
        self._external_stock.apply(
            [
                StockMovement(
                    key=MovementKey(
                        order_id=movement.key.order_id,
                        line_id=movement.key.line_id,
                        kind=MovementKind.SALE_REVERSED,
                        reference=movement.key.reference,
                    ),
                    sku=movement.sku,
                    delta=-movement.delta,
                )
                for movement in sale
            ]
        )
