"""Order endpoints: place, list, read, fulfill, cancel, cancel the unshipped rest, refund
any amount, create a return. Commands take ``Idempotency-Key``; those on an existing order
take ``If-Match`` (the order's ETag, its version)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse, Response

from order_cancellation.forms import to_json
from order_cancellation.web.api import bodies
from order_cancellation.web.api.http import Call, Handler, order_response, page_query
from order_cancellation.web.api.operations import (
    AFTER,
    LIMIT,
    Operation,
    path_param,
    query_param,
)

ORDER_ID = path_param("order_id", "the order's id, within the credential's shop")


def list_orders(call: Call) -> Response:
    page = call.sales.orders(state=call.query("state"), **page_query(call))
    return JSONResponse(
        {"items": [to_json(order) for order in page], "next_cursor": page.next_cursor}
    )


def place_order(call: Call) -> Response:
    body = bodies.only(
        call.body,
        "order_id",
        "lines",
        "payment",
        "payments",
        "shipping",
        "discounts",
        "prices_include_tax",
    )
    include_tax = body.get("prices_include_tax")
    order = call.sales.place_order(
        bodies.line_items(body.get("lines")),
        payment=bodies.payment(body.get("payment")),
        payments=bodies.payments(body.get("payments")),
        shipping=bodies.shipping(body.get("shipping")),
        discounts=bodies.discounts(body.get("discounts")),
        prices_include_tax=None
        if include_tax is None
        else bodies.flag(body, "prices_include_tax", True),
        order_id=bodies.text(body, "order_id"),
        idempotency_key=call.idempotency_key,
    )
    return order_response(order, 201)


def get_order(call: Call) -> Response:
    return order_response(call.sales.get_order(call.path("order_id")))


def fulfill(call: Call) -> Response:
    body = bodies.only(call.body, "quantities")
    order = call.sales.fulfill(
        call.path("order_id"),
        bodies.quantities(body.get("quantities")),
        idempotency_key=call.idempotency_key,
        expected_version=call.expected_version,
    )
    return order_response(order)


def cancel(call: Call) -> Response:
    body = bodies.only(call.body, "status", "reason", "reason_code", "restock")
    refund = call.sales.cancel_order(
        call.path("order_id"),
        status=bodies.text(body, "status") or "Canceled",
        reason=bodies.text(body, "reason"),
        reason_code=bodies.text(body, "reason_code"),
        restock=bodies.flag(body, "restock", True),
        idempotency_key=call.idempotency_key,
        expected_version=call.expected_version,
    )
    return JSONResponse(to_json(refund), status_code=201)


def cancel_unfulfilled(call: Call) -> Response:
    body = bodies.only(call.body, "quantities", "reason", "restock", "refund_shipping")
    refund = call.sales.cancel_unfulfilled(
        call.path("order_id"),
        bodies.quantities(body.get("quantities")),
        reason=bodies.text(body, "reason"),
        restock=bodies.flag(body, "restock", True),
        refund_shipping=bodies.refund_shipping(body.get("refund_shipping")),
        idempotency_key=call.idempotency_key,
        expected_version=call.expected_version,
    )
    return JSONResponse(to_json(refund), status_code=201)


def refund(call: Call) -> Response:
    body = bodies.only(call.body, "amount", "reason", "tender")
    refund_order = call.sales.refund(
        call.path("order_id"),
        bodies.money(body.get("amount"), "amount"),
        reason=bodies.text(body, "reason"),
        tender=bodies.text(body, "tender"),
        idempotency_key=call.idempotency_key,
        expected_version=call.expected_version,
    )
    return JSONResponse(to_json(refund_order), status_code=201)


def create_return(call: Call) -> Response:
    body = bodies.only(call.body, "quantities", "reason", "restock", "refund_shipping", "fees")
    quantities = bodies.quantities(body.get("quantities"))
    refund_order = call.sales.create_return(
        call.path("order_id"),
        quantities if quantities is not None else {},
        restock=bodies.flag(body, "restock", True),
        reason=bodies.text(body, "reason"),
        refund_shipping=bodies.refund_shipping(body.get("refund_shipping")),
        fees=bodies.fees(body.get("fees")),
        idempotency_key=call.idempotency_key,
        expected_version=call.expected_version,
    )
    return JSONResponse(to_json(refund_order), status_code=201)


def _command(
    path: str, operation_id: str, summary: str, handler: Handler, body: dict[str, Any]
) -> Operation:
    return Operation(
        method="POST",
        path=f"/orders/{{order_id}}/{path}",
        operation_id=operation_id,
        summary=summary,
        handler=handler,
        ok=201,
        response="RefundOrder",
        body=body,
        params=(ORDER_ID,),
        errors=(404, 409, 412, 422),
        idempotent_key=True,
        conditional=True,
    )


OPERATIONS = (
    Operation(
        method="GET",
        path="/orders",
        operation_id="listOrders",
        summary="A page of the shop's orders, newest placed first",
        handler=list_orders,
        response="OrderPage",
        params=(
            query_param(
                "state",
                {"enum": ["open", "fulfilled", "canceled", "returned"]},
                "only orders in this state",
            ),
            LIMIT,
            AFTER,
        ),
        errors=(422,),
    ),
    Operation(
        method="POST",
        path="/orders",
        operation_id="placeOrder",
        summary="Place an order (takes its units from stock)",
        handler=place_order,
        ok=201,
        response="Order",
        body=bodies.PLACE,
        errors=(409, 422),
        idempotent_key=True,
    ),
    Operation(
        method="GET",
        path="/orders/{order_id}",
        operation_id="getOrder",
        summary="One order, with its ETag (the version to send as If-Match)",
        handler=get_order,
        response="Order",
        params=(ORDER_ID,),
        errors=(404,),
        conditional=True,
    ),
    Operation(
        method="POST",
        path="/orders/{order_id}/fulfill",
        operation_id="fulfillOrder",
        summary="Ship units (all that are left when no quantities are given)",
        handler=fulfill,
        response="Order",
        body=bodies.FULFILL,
        params=(ORDER_ID,),
        errors=(404, 409, 412, 422),
        idempotent_key=True,
        conditional=True,
    ),
    _command(
        "cancel",
        "cancelOrder",
        "Cancel an order nothing of which is fulfilled (the admin's Cancel Order)",
        cancel,
        bodies.CANCEL,
    ),
    _command(
        "cancel-unfulfilled",
        "cancelUnfulfilled",
        "Cancel the units not shipped yet of a partly fulfilled order",
        cancel_unfulfilled,
        bodies.CANCEL_UNFULFILLED,
    ),
    _command("refunds", "refundOrder", "Refund any amount (goodwill)", refund, bodies.REFUND),
    _command(
        "returns",
        "createReturn",
        "Create a return of fulfilled units",
        create_return,
        bodies.RETURN,
    ),
)
