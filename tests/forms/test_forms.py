"""The public JSON forms: every value comes back as it went out, and every document is
described by the schema shipped with the package."""

from __future__ import annotations

import json
import re
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from order_cancellation import Money, Order, RefundOrder, Sales, SalesReport
from order_cancellation.adapters.codec import dumps_event, loads_event
from order_cancellation.adapters.memory.events import RecordingPublisher
from order_cancellation.domain.events import DomainEvent, OrderPlaced
from order_cancellation.domain.pricing import TaxRate
from order_cancellation.domain.values import PaymentRef, TenderKind
from order_cancellation.forms import (
    DOCUMENTS,
    EVENT_TYPES,
    SCHEMA_VERSION,
    InvalidDocument,
    describe,
    from_json,
    schema,
    to_json,
)
from order_cancellation.forms.convert import fields_of, optional_of
from order_cancellation.testing import order_charges as occ
from order_cancellation.testing import strategies as ocst

_EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(document: dict[str, Any], kind: type) -> None:
    jsonschema.Draft202012Validator(
        schema(kind), format_checker=jsonschema.FormatChecker()
    ).validate(json.loads(json.dumps(document)))


def _values(hint: Any) -> st.SearchStrategy[Any]:  # noqa: PLR0911 - one per kind of field
    inner = optional_of(hint)
    if inner is not None:
        return st.none() | _values(inner)
    if typing.get_origin(hint) is tuple:
        return st.lists(_values(typing.get_args(hint)[0]), max_size=3).map(tuple)
    if hint is PaymentRef:
        amounts = st.builds(Money, st.integers(1, 10**9), st.sampled_from(["EUR", "JPY"]))
        return st.builds(
            PaymentRef,
            provider=ocst.identifiers(),
            reference=ocst.identifiers(),
            auto_capture=st.booleans(),
            amount=st.none() | amounts,
            kind=st.sampled_from(list(TenderKind)),
        )
    if hint is Money:
        return st.builds(
            Money, st.integers(-(10**9), 10**9), st.sampled_from(["EUR", "JPY", "KWD"])
        )
    if hint is TaxRate:
        return ocst.tax_rates()
    if hint is datetime:
        # Fixed offsets: Python never calls a time in a zone's DST fold equal to any other.
        zones = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(-timedelta(hours=5))])
        return st.datetimes(
            min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones
        )
    if isinstance(hint, type) and attrs.has(hint):
        return st.builds(hint, **{field.name: _values(field.type) for field in fields_of(hint)})
    if isinstance(hint, type) and issubclass(hint, str) and hint is not str:
        return st.sampled_from(list(typing.cast(Any, hint)))  # a StrEnum
    return {str: ocst.identifiers(), int: st.integers(0, 10**6), bool: st.booleans()}[hint]


def _events() -> st.SearchStrategy[DomainEvent]:
    return st.sampled_from(sorted(EVENT_TYPES.values(), key=lambda kind: kind.__name__)).flatmap(
        _values
    )


def _shop_history(draw: st.DrawFn) -> tuple[Sales, RecordingPublisher]:
    publisher = RecordingPublisher()
    sales = Sales.in_memory(shop="acme", publisher=publisher)
    to_place = draw(occ.real_orders())
    for item in to_place.lines:
        sales.set_stock(item.sku, 10**6)
    first = to_place.place(sales)
    second = to_place.place(sales)
    sales.cancel_order(first.id, status="Canceled", reason=draw(ocst.reasons()))
    sales.fulfill(second.id)
    returned = draw(ocst.return_quantities(sales.get_order(second.id)))
    sales.create_return(second.id, returned, restock=draw(st.booleans()), reason=None)
    return sales, publisher


shop_histories = st.composite(_shop_history)


@_EXAMPLES
@given(shop_histories())
def test_orders_and_refund_orders_come_back_from_their_json_form(
    history: tuple[Sales, RecordingPublisher],
) -> None:
    sales, _ = history
    for order in sales.orders(limit=10):
        assert from_json(Order, json.loads(json.dumps(to_json(order)))) == order
    for refund in sales.refund_orders():
        assert from_json(RefundOrder, json.loads(json.dumps(to_json(refund)))) == refund


@_EXAMPLES
@given(shop_histories())
def test_the_forms_of_a_shops_records_validate_against_the_shipped_schemas(
    history: tuple[Sales, RecordingPublisher],
) -> None:
    sales, publisher = history
    for order in sales.orders(limit=10):
        _valid(to_json(order), Order)
    for refund in sales.refund_orders():
        _valid(to_json(refund), RefundOrder)
    for event in publisher.events:
        _valid(to_json(event), DomainEvent)
    report = sales.report(
        start=datetime(2000, 1, 1, tzinfo=UTC), end=datetime(2999, 1, 1, tzinfo=UTC)
    )
    _valid(to_json(report), SalesReport)
    assert from_json(SalesReport, to_json(report)) == report


@settings(max_examples=300, deadline=None)
@given(_events())
def test_every_event_comes_back_from_its_json_form_with_its_id(event: DomainEvent) -> None:
    document = json.loads(json.dumps(to_json(event)))

    back = from_json(DomainEvent, document)

    assert back == event
    assert back.event_id == event.event_id
    assert type(back) is type(event)


@settings(max_examples=300, deadline=None)
@given(_events())
def test_every_event_form_validates_against_the_event_schema(event: DomainEvent) -> None:
    _valid(to_json(event), DomainEvent)


def test_an_event_names_its_type_id_and_schema_version() -> None:
    event = OrderPlaced(
        shop="acme",
        order_id="o-1",
        occurred_at=datetime(2026, 11, 2, 11, 30, tzinfo=ZoneInfo("Europe/Helsinki")),
        lines=(),
        total=Money.of("12.50", "EUR"),
        payment=None,
    )

    document = to_json(event)

    assert document["type"] == "order.placed"
    assert document["schema_version"] == SCHEMA_VERSION
    assert document["event_id"] == event.event_id
    assert document["occurred_at"] == "2026-11-02T09:30:00Z"
    assert document["total"] == {"minor": 1250, "currency": "EUR", "display": "12.50 EUR"}


def test_every_event_gets_its_own_id() -> None:
    ids = {
        OrderPlaced(
            shop="acme", order_id="o-1", occurred_at=datetime.now(UTC), lines=(),
            total=Money.zero("EUR"), payment=None,
        ).event_id
        for _ in range(100)
    }  # fmt: skip

    assert len(ids) == 100
    assert all(event_id.startswith("evt_") and "." not in event_id for event_id in ids)


def test_a_stored_event_keeps_its_id_however_often_it_is_read() -> None:
    event = OrderPlaced(
        shop="acme", order_id="o-1", occurred_at=datetime.now(UTC), lines=(),
        total=Money.zero("EUR"), payment=None,
    )  # fmt: skip
    stored = dumps_event(event)

    assert loads_event(stored).event_id == loads_event(stored).event_id == event.event_id


def test_an_event_stored_before_events_had_ids_reads_with_the_same_id_every_time() -> None:
    payload = json.loads(dumps_event(
        OrderPlaced(
            shop="acme", order_id="o-1", occurred_at=datetime.now(UTC), lines=(),
            total=Money.zero("EUR"), payment=None,
        )
    ))  # fmt: skip
    del payload["data"]["event_id"]
    stored = json.dumps(payload)

    first, again = loads_event(stored), loads_event(stored)

    assert first.event_id == again.event_id
    assert first.event_id.startswith("evt_")


@pytest.mark.parametrize("kind", list(DOCUMENTS), ids=list(DOCUMENTS.values()))
def test_the_shipped_schema_files_are_the_ones_the_forms_describe(kind: type) -> None:
    assert schema(kind) == json.loads(describe.text(kind))


def test_schemas_are_valid_json_schema_documents() -> None:
    for kind in DOCUMENTS:
        jsonschema.Draft202012Validator.check_schema(schema(kind))


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (lambda d: d.pop("currency"), "currency is missing"),
        (lambda d: d.update(state="lost"), "state must be one of"),
        (lambda d: d.update(placed_at="yesterday"), "placed_at must be an RFC 3339 time"),
        (lambda d: d.update(placed_at="2026-11-02T09:30:00"), "placed_at must be an RFC 3339"),
        (lambda d: d["lines"][0].update(quantity="2"), "lines[0].quantity must be a whole"),
        (lambda d: d["lines"][0].update(unit_price=5), "lines[0].unit_price must be an amount"),
        (
            lambda d: d["lines"][0].update(unit_price={"minor": 1, "currency": "XXY"}),
            "lines[0].unit_price: ",
        ),
        (lambda d: d["lines"][0].update(tax_rate={}), "lines[0].tax_rate must be a tax rate"),
        (lambda d: d.update(lines={}), "lines must be a list"),
        (lambda d: d.update(payment=[]), "payment must be an object (PaymentRef)"),
        (lambda d: d.update(schema_version=SCHEMA_VERSION + 1), "upgrade the library"),
        (lambda d: d.update(payment={"provider": " x", "reference": "r"}), "payment: "),
    ],
)
def test_a_document_that_does_not_describe_an_order_is_refused_saying_what_is_wrong(
    change: Any, complaint: str
) -> None:
    sales = Sales.in_memory()
    sales.set_stock("MUG", 5)
    document = to_json(sales.place_order([ocst_line()]))
    change(document)

    with pytest.raises(InvalidDocument, match=re.escape(complaint)):
        from_json(Order, document)


def ocst_line() -> Any:
    from order_cancellation import LineItem

    return LineItem("MUG", 2, Money.of("9.50", "EUR"), tax_rate="25.5")


def test_an_event_of_an_unknown_type_is_refused_naming_the_types() -> None:
    with pytest.raises(InvalidDocument, match=r"type must be one of .*order\.placed"):
        from_json(DomainEvent, {"type": "order.exploded", "schema_version": 1})


def test_an_event_document_of_another_type_than_asked_is_refused() -> None:
    event = OrderPlaced(
        shop="acme", order_id="o-1", occurred_at=datetime.now(UTC), lines=(),
        total=Money.zero("EUR"), payment=None,
    )  # fmt: skip
    from order_cancellation.domain.events import OrderCanceled

    with pytest.raises(InvalidDocument, match=r"order\.canceled"):
        from_json(OrderCanceled, to_json(event))


def test_a_document_must_be_an_object() -> None:
    with pytest.raises(InvalidDocument, match="a document is a JSON object, not list"):
        from_json(Order, [])


def test_values_without_a_form_are_refused() -> None:
    with pytest.raises(TypeError, match="has no JSON form"):
        to_json(Money.zero("EUR"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="has no JSON form"):
        from_json(Money, {})
    with pytest.raises(TypeError, match="has no JSON form"):
        schema(Money)


def test_the_cli_and_the_forms_agree(tmp_path: Any) -> None:
    from order_cancellation.cli import main

    database = tmp_path / "shop.db"
    with Sales.sqlite(database) as sales:
        sales.set_stock("MUG", 5)
        order = sales.place_order([ocst_line()])

    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--db", str(database), "--json", "order", "show", order.id]) == 0

    shown = json.loads(out.getvalue())["order"]
    assert shown == to_json(order)
    assert from_json(Order, shown) == order


def test_times_are_written_in_utc() -> None:
    sales = Sales.in_memory()
    sales.set_stock("MUG", 5)
    order = sales.place_order([ocst_line()])

    assert to_json(order)["placed_at"].endswith("Z")
    assert datetime.fromisoformat(to_json(order)["placed_at"]).utcoffset() == timedelta(0)


@pytest.mark.parametrize("name", list(DOCUMENTS.values()))
def test_the_docs_publish_the_shipped_schemas(name: str) -> None:
    from pathlib import Path

    published = Path(__file__).resolve().parents[2] / "docs" / "schemas" / f"{name}.schema.json"

    assert json.loads(published.read_text(encoding="utf-8")) == schema(
        next(kind for kind, each in DOCUMENTS.items() if each == name)
    )
