"""B1b: the public API fed junk in every argument: huge, negative, NaN and infinite numbers,
wrong types, unicode and control characters, naive and edge-of-calendar datetimes.

Each call either succeeds (some junk is valid input) or raises a subclass of
``OrderCancellationError``; never a raw ``TypeError``, ``OverflowError`` or ``ValueError``.
A refused call changes nothing: orders, refund orders, stock, outbox, events, provider calls.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from order_cancellation import LineItem, Money, OrderCancellationError, PaymentRef
from tests.application.harness import mug_and_tee
from tests.backends.verification.test_invalid_commands import World, _open_world

EXAMPLES: Final = 300
Call = Callable[[World, Any], object]

JUNK: Final = st.one_of(
    st.sampled_from(
        [
            2**64,
            -(2**63),
            10**5000,
            -1,
            0,
            True,
            float("nan"),
            float("inf"),
            -0.0,
            Decimal("NaN"),
            Decimal("-Infinity"),
            Decimal("1E+2000000"),
            "9" * 4400,
            "",
            "\x00",
            "é\u202e\U0001f600",
            "  padded  ",
            b"bytes",
            None,
            [],
            {},
            {"MUG": 1},
            object(),
            date.max,
            date.min,
            datetime(2026, 1, 5, 9, 0),  # naive
            datetime.max.replace(tzinfo=timezone(-timedelta(hours=5))),
            datetime.min.replace(tzinfo=timezone(timedelta(hours=5))),
            timedelta(days=-1),
            Money(10**15, "EUR"),
            "Europe/Nowhere",
        ]
    ),
    st.integers(),
    st.floats(),
    st.text(max_size=20),
)


class OneLine(Mapping[Any, Any]):
    """A mapping of one key to one value that takes any key, hashable or not (a dict would
    fail in the test itself before the library sees it)."""

    def __init__(self, key: object, value: object) -> None:
        self._key, self._value = key, value

    def __getitem__(self, key: object) -> object:
        if key is self._key:
            return self._value
        raise KeyError(key)

    def __iter__(self) -> Iterator[Any]:
        yield self._key

    def __len__(self) -> int:
        return 1


CALLS: Final[dict[str, Call]] = {
    "place lines": lambda w, j: w.sales.place_order(j),
    "place line item": lambda w, j: w.sales.place_order([LineItem("MUG", j, Money.of("1", "EUR"))]),
    "place price": lambda w, j: w.sales.place_order([LineItem("MUG", 1, Money.of(j, "EUR"))]),
    "place currency": lambda w, j: w.sales.place_order([LineItem("MUG", 1, Money.of("1", j))]),
    "place payment": lambda w, j: w.sales.place_order(mug_and_tee(), payment=j),
    "place payment ref": lambda w, j: w.sales.place_order(
        mug_and_tee(),
        payment=PaymentRef(provider="card", reference="r", authorization_expires_at=j),
    ),
    "place order id": lambda w, j: w.sales.place_order(mug_and_tee(), order_id=j),
    "place key": lambda w, j: w.sales.place_order(
        mug_and_tee(), order_id="open-1", idempotency_key=j
    ),
    "fulfill id": lambda w, j: w.sales.fulfill(j),
    "fulfill quantities": lambda w, j: w.sales.fulfill(w.open.id, j),
    "fulfill units": lambda w, j: w.sales.fulfill(w.open.id, {"MUG": j}),
    "fulfill line": lambda w, j: w.sales.fulfill(w.open.id, OneLine(j, 1)),
    "fulfill version": lambda w, j: w.sales.fulfill(w.open.id, expected_version=j),
    "cancel status": lambda w, j: w.sales.cancel_order(w.shipped.id, status=j),
    "cancel reason": lambda w, j: w.sales.cancel_order(w.shipped.id, reason=j),
    "cancel code": lambda w, j: w.sales.cancel_order(w.open.id, reason_code=j, status="Nope"),
    "cancel restock": lambda w, j: w.sales.cancel_order(w.shipped.id, restock=j),
    "cancel actor": lambda w, j: w.sales.cancel_order(w.shipped.id, actor=j),
    "cancel version": lambda w, j: w.sales.cancel_order(w.open.id, expected_version=j, status="X"),
    "return quantities": lambda w, j: w.sales.create_return(w.shipped.id, j),
    "return units": lambda w, j: w.sales.create_return(w.shipped.id, {"MUG": j}, reason="\x00"),
    "return restock": lambda w, j: w.sales.create_return(w.open.id, {"MUG": 1}, restock=j),
    "get order": lambda w, j: w.sales.get_order(j),
    "get refund order": lambda w, j: w.sales.get_refund_order(j),
    "refund orders of": lambda w, j: w.sales.refund_orders(order_id=j),
    "refund orders pending": lambda w, j: w.sales.refund_orders(pending=j),
    "manual refund id": lambda w, j: w.sales.mark_manual_refund_done(j),
    "manual refund note": lambda w, j: w.sales.mark_manual_refund_done(w.open.id, note=j),
    "retry effects": lambda w, j: w.sales.retry_effects(j),
    "stock level": lambda w, j: w.sales.stock_level(j),
    "set stock sku": lambda w, j: w.sales.set_stock(j, 1),
    "set stock level": lambda w, j: w.sales.set_stock("MUG", j),
    "define label": lambda w, j: w.sales.define_status_label(j, means=None),  # type: ignore[arg-type]
    "define label meaning": lambda w, j: w.sales.define_status_label("Odd", means=j),
    "report day": lambda w, j: w.sales.report(j),
    "report tz": lambda w, j: w.sales.report(date(2026, 1, 5), tz=j),
    "report start": lambda w, j: w.sales.report(start=j, end=datetime(2026, 1, 6, tzinfo=UTC)),
    "report end": lambda w, j: w.sales.report(start=datetime(2026, 1, 5, tzinfo=UTC), end=j),
}


def _fuzz(backend: str, examples: int) -> None:
    with tempfile.TemporaryDirectory(prefix="b1b-") as name:
        world, publisher = _open_world(backend, Path(name))
        seen = {"before": world.observe(publisher)}

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        @given(call=st.sampled_from(sorted(CALLS)), junk=JUNK)
        def one_call(call: str, junk: Any) -> None:
            try:
                CALLS[call](world, junk)
            except OrderCancellationError:
                assert world.observe(publisher) == seen["before"], call
            else:
                seen["before"] = world.observe(publisher)  # valid after all: a new baseline

        try:
            one_call()
        finally:
            world.sales.close()


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_junk_in_any_argument_is_a_typed_error_that_changes_nothing(backend: str) -> None:
    _fuzz(backend, EXAMPLES)


@pytest.mark.nightly
@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_junk_in_any_argument_is_a_typed_error_at_night(backend: str) -> None:
    _fuzz(backend, 10 * EXAMPLES)
