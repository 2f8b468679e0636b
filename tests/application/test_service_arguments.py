"""Refused arguments: the typed error names the argument a caller got wrong and says what to
pass instead, and the shop is left as it was.

One table, one rule: for each command and each of its arguments, a malformed value raises
:class:`InvalidInput` whose message starts with the argument's name as the caller knows it
(or, where the argument is a shape, with the shape it must have).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import pytest

from order_cancellation import InvalidInput
from order_cancellation.adapters.clock import ManualClock
from order_cancellation.adapters.manual import ManualPaymentGateway
from order_cancellation.adapters.memory import MemoryBackend
from order_cancellation.application.service import SalesService
from tests.application.harness import Shop


def loose(value: object) -> Any:
    """Pass a value of the wrong type, as an untyped caller could."""
    return value


@attrs.frozen
class Ready:
    """A shop with an open order, a shipped order and a manual refund owed."""

    shop: Shop
    open: str
    shipped: str
    owed: str

    @classmethod
    def build(cls, shop: Shop) -> Ready:
        return cls(
            shop=shop,
            open=shop.place().id,
            shipped=shop.sales.fulfill(shop.place(auto_capture=True).id).id,
            owed=shop.sales.cancel_order(shop.place(paid_by="invoice").id).id,
        )


Command = Callable[[Ready], object]

NOT_A_MAPPING: Final = r"^quantities are a mapping of line id \(or SKU\) to a whole number\."
NOT_BOTH: Final = r"^give either a day, or start and end, not both\."
NOT_A_DAY: Final = (
    r"^day is a date such as date\(2026, 11, 2\) or ISO text such as '2026-11-02', not "
)
NO_PERIOD: Final = r"^a report needs a day, or both start and end\."

# Each case: the command, and the words its error must start with (a regular expression).
REFUSALS: Final[dict[str, tuple[Command, str]]] = {
    "cancel an empty order id": (
        lambda r: r.shop.sales.cancel_order(""),
        r"^the order id must be non-empty text",
    ),
    "cancel with restock that is not a flag": (
        lambda r: r.shop.sales.cancel_order(r.open, restock=loose("yes")),
        r"^restock is True or False, not 'yes'\.",
    ),
    "cancel with an unknown reason code": (
        lambda r: r.shop.sales.cancel_order(r.open, reason_code="BORED"),
        r"^'BORED' is not a reason code; use one of "
        r"CUSTOMER, DECLINED, FRAUD, INVENTORY, STAFF, OTHER\.$",
    ),
    "cancel with a reason code that is not text": (
        lambda r: r.shop.sales.cancel_order(r.open, reason_code=loose(3)),
        r"^3 is not a reason code; use one of CUSTOMER, ",
    ),
    "cancel an unknown order for a reason of 10 KB": (
        lambda r: r.shop.sales.cancel_order("no-such-order", reason="r" * 10_240),
        r"^a reason is printable text of at most",
    ),
    "look up an empty order id": (
        lambda r: r.shop.sales.get_order(""),
        r"^the order id must be non-empty text",
    ),
    "look up an empty refund order id": (
        lambda r: r.shop.sales.get_refund_order(""),
        r"^the refund order id must be non-empty text",
    ),
    "set the stock of an empty SKU": (
        lambda r: r.shop.sales.set_stock("", 1),
        r"^the SKU must be non-empty text",
    ),
    "fulfill an order id with a trailing blank": (
        lambda r: r.shop.sales.fulfill(r.open + " "),
        r"^the order id must be non-empty text",
    ),
    "fulfill quantities that are not a mapping": (
        lambda r: r.shop.sales.fulfill(r.open, loose([("MUG", 1)])),
        NOT_A_MAPPING,
    ),
    "return from an empty order id": (
        lambda r: r.shop.sales.create_return("", {"MUG": 1}),
        r"^the order id must be non-empty text",
    ),
    "return quantities that are not a mapping": (
        lambda r: r.shop.sales.create_return(r.shipped, loose([("MUG", 1)])),
        NOT_A_MAPPING,
    ),
    "return with restock that is not a flag": (
        lambda r: r.shop.sales.create_return(r.shipped, {"MUG": 1}, restock=loose("no")),
        r"^restock is True or False, not 'no'\.",
    ),
    "list the refund orders of an order id holding a NUL": (
        lambda r: r.shop.sales.refund_orders(order_id="ord\x00"),
        r"^the order id must be printable text",
    ),
    "list refund orders with pending that is not a flag": (
        lambda r: r.shop.sales.refund_orders(pending=loose(1)),
        r"^pending is True or False, not 1\.",
    ),
    "mark done an empty refund order id": (
        lambda r: r.shop.sales.mark_manual_refund_done(""),
        r"^the refund order id must be non-empty text",
    ),
    "retry the effects of an empty refund order id": (
        lambda r: r.shop.sales.retry_effects(""),
        r"^the refund order id must be non-empty text",
    ),
    "look up the stock of an empty SKU": (
        lambda r: r.shop.sales.stock_level(""),
        r"^the SKU must be non-empty text",
    ),
    "define a label whose meaning is not an OrderState": (
        lambda r: r.shop.sales.define_status_label("Canceled - fraud", means=loose("canceled")),
        r"^means is an OrderState, for example OrderState\.CANCELED\.",
    ),
    "a report for a day and a start": (
        lambda r: r.shop.sales.report(r.shop.clock.now().date(), start=r.shop.clock.now()),
        NOT_BOTH,
    ),
    "a report for a day and an end": (
        lambda r: r.shop.sales.report(r.shop.clock.now().date(), end=r.shop.clock.now()),
        NOT_BOTH,
    ),
    "a report for a day given as a datetime": (
        lambda r: r.shop.sales.report(r.shop.clock.now()),
        NOT_A_DAY,
    ),
    "a report for a day given as text that is not an ISO date": (
        lambda r: r.shop.sales.report(loose("05.01.2026")),
        NOT_A_DAY,
    ),
    "a report with a start and no end": (
        lambda r: r.shop.sales.report(start=r.shop.clock.now()),
        NO_PERIOD,
    ),
    "a report with an end and no start": (
        lambda r: r.shop.sales.report(end=r.shop.clock.now()),
        NO_PERIOD,
    ),
    "a report with no day and no period": (
        lambda r: r.shop.sales.report(),
        NO_PERIOD,
    ),
    "an actor that is a number of 5,000 digits": (
        # Without an idempotency key no fingerprint is made: the actor's own check names it.
        lambda r: r.shop.sales.cancel_order(r.open, actor=loose(10**5000)),
        r"^the actor must be non-empty text .* got a number far too large",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_refused_argument_is_named_in_the_error_and_changes_nothing(
    shop: Shop, name: str
) -> None:
    command, words = REFUSALS[name]
    ready = Ready.build(shop)
    before = shop.observe()

    with pytest.raises(InvalidInput, match=words):
        command(ready)

    assert shop.observe() == before


def test_effects_are_run_inline_or_deferred_and_nothing_else() -> None:
    with pytest.raises(InvalidInput, match=r"^effects is 'inline' or 'deferred'\."):
        SalesService(
            shop="acme",
            backend=MemoryBackend(),
            gateways={},
            default_gateway=ManualPaymentGateway(),
            clock=ManualClock(),
            effects=loose("eager"),
        )
