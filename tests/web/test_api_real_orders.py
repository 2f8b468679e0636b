"""Real orders over HTTP: VAT, shipping, discounts, several payments, fees and goodwill."""

from __future__ import annotations

from order_cancellation import Money, Sales, TaxRate
from tests.web.conftest import Client, order_body, price

GIFT_AND_CARD = {
    "payments": [
        {"provider": "giftcard", "reference": "GC-1", "amount": price(1000), "kind": "gift_card"},
        {"provider": "card", "reference": "C-1", "amount": price(1840)},
    ]
}


def _real_order(api: Client, **extra: object) -> dict[str, object]:
    body = {
        "lines": [
            {"sku": "MUG", "quantity": 2, "unit_price": price(1250), "tax_rate_basis_points": 2550}
        ],
        "shipping": [{"name": "Posti", "amount": price(590), "tax_rate_basis_points": 2550}],
        "discounts": [{"code": "WELCOME10", "percent_basis_points": 1000}],
        **extra,
    }
    reply = api.post("/api/orders", body)
    assert reply.status_code == 201, reply.json()
    document = reply.json()
    assert isinstance(document, dict)
    return document


def test_an_order_carries_its_vat_shipping_and_discount(api: Client, acme: Sales) -> None:
    placed = _real_order(api)

    order = acme.get_order(str(placed["id"]))
    assert order.total == Money.of("28.40", "EUR")  # 25.00 - 2.50 + 5.90
    assert set(order.tax_by_rate) == {TaxRate.percent("25.5")}
    assert [fee.name for fee in order.shipping] == ["Posti"]


def test_an_order_may_be_paid_with_several_payments(api: Client, acme: Sales) -> None:
    placed = _real_order(api, **GIFT_AND_CARD)

    tenders = acme.get_order(str(placed["id"])).tenders
    assert [(t.payment.reference, t.authorized.minor) for t in tenders] == [
        ("GC-1", 1000),
        ("C-1", 1840),
    ]


def test_payments_that_do_not_add_up_are_422(api: Client, acme: Sales) -> None:
    reply = api.post("/api/orders", {**order_body(), **GIFT_AND_CARD})  # 25.00, not 28.40

    assert reply.status_code == 422
    assert "add up to" in reply.json()["detail"]
    assert acme.stock_level("MUG") == 10


def test_a_return_keeps_a_restocking_fee_and_refunds_shipping(api: Client, acme: Sales) -> None:
    order_id = _real_order(api)["id"]
    api.post(f"/api/orders/{order_id}/fulfill", {})

    reply = api.post(
        f"/api/orders/{order_id}/returns",
        {
            "quantities": {"MUG": 2},
            "refund_shipping": True,
            "fees": [{"name": "Restocking fee", "amount": price(200)}],
        },
    )

    assert reply.status_code == 201
    assert reply.json()["amount"]["minor"] == 2840 - 200


def test_goodwill_goes_to_the_payment_named(api: Client, acme: Sales) -> None:
    payments = {
        "payments": [
            {
                "provider": "giftcard",
                "reference": "GC-1",
                "amount": price(1000),
                "kind": "gift_card",
            },
            {"provider": "card", "reference": "C-1", "amount": price(1840)},
        ]
    }
    order_id = _real_order(api, **payments)["id"]

    reply = api.post(f"/api/orders/{order_id}/refunds", {"amount": price(300), "tender": "GC-1"})

    assert reply.status_code == 201
    (part,) = reply.json()["tenders"]
    assert (part["payment"]["reference"], part["amount"]["minor"]) == ("GC-1", 300)


def test_canceling_the_unshipped_rest_can_refund_the_shipping(api: Client, acme: Sales) -> None:
    order_id = _real_order(api)["id"]
    api.post(f"/api/orders/{order_id}/fulfill", {"quantities": {"MUG": 1}})

    reply = api.post(f"/api/orders/{order_id}/cancel-unfulfilled", {"refund_shipping": price(590)})

    assert reply.status_code == 201
    assert reply.json()["amount"]["minor"] == 1125 + 590
