"""The rest of a shop over HTTP: the Returns list (refund orders), manual refunds owed and
done, stock, status labels and the sales report."""

from __future__ import annotations

from datetime import datetime

from starlette.responses import JSONResponse, Response

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.states import OrderState
from order_cancellation.forms import to_json
from order_cancellation.web.api import bodies
from order_cancellation.web.api.http import Call, page_query
from order_cancellation.web.api.operations import (
    AFTER,
    LIMIT,
    Operation,
    path_param,
    query_param,
)

REFUND_ORDER_ID = path_param("refund_order_id", "the refund order's id, within the shop")
SKU = path_param("sku", "the SKU")


def list_refund_orders(call: Call) -> Response:
    pending = call.query("pending")
    if pending not in (None, "true", "false"):
        raise InvalidInput("pending is true or false.")
    page = call.sales.refund_orders(
        order_id=call.query("order_id"),
        pending=None if pending is None else pending == "true",
        limit=page_query(call).get("limit", 50),
        after=call.query("after"),
    )
    return JSONResponse(
        {"items": [to_json(refund) for refund in page], "next_cursor": page.next_cursor}
    )


def get_refund_order(call: Call) -> Response:
    return JSONResponse(to_json(call.sales.get_refund_order(call.path("refund_order_id"))))


def retry_effects(call: Call) -> Response:
    return JSONResponse(to_json(call.sales.retry_effects(call.path("refund_order_id"))))


def manual_refunds_owed(call: Call) -> Response:
    return JSONResponse({"items": [to_json(refund) for refund in call.sales.manual_refunds_owed()]})


def mark_manual_refund_done(call: Call) -> Response:
    body = bodies.only(call.body, "note", "amount")
    amount = body.get("amount")
    refund = call.sales.mark_manual_refund_done(
        call.path("refund_order_id"),
        note=bodies.text(body, "note"),
        amount=None if amount is None else bodies.money(amount, "amount"),
        idempotency_key=call.idempotency_key,
    )
    return JSONResponse(to_json(refund))


def stock_levels(call: Call) -> Response:
    return JSONResponse({"levels": call.sales.stock_levels()})


def stock_level(call: Call) -> Response:
    sku = call.path("sku")
    return JSONResponse({"sku": sku, "quantity": call.sales.stock_level(sku)})


def set_stock(call: Call) -> Response:
    body = bodies.only(call.body, "quantity")
    sku = call.path("sku")
    call.sales.set_stock(sku, bodies.whole(body.get("quantity"), "quantity"))
    return JSONResponse({"sku": sku, "quantity": call.sales.stock_level(sku)})


def labels(call: Call) -> Response:
    return JSONResponse({"labels": dict(call.sales.status_labels())})


def define_label(call: Call) -> Response:
    body = bodies.only(call.body, "label", "means")
    label = bodies.text(body, "label")
    means = bodies.text(body, "means") or "canceled"
    if means not in {state.value for state in OrderState}:
        raise InvalidInput("means is one of open, fulfilled, canceled, returned.")
    call.sales.define_status_label(label or "", means=OrderState(means))
    return JSONResponse({"labels": dict(call.sales.status_labels())}, status_code=201)


def report(call: Call) -> Response:
    day, tz = call.query("day"), call.query("tz") or "UTC"
    start, end = call.query("start"), call.query("end")
    if day is None and (start is None or end is None):
        raise InvalidInput(
            "give the day of the report (?day=2026-11-02) or a period "
            "(?start=2026-11-01T00:00:00Z&end=2026-12-01T00:00:00Z)."
        )
    return JSONResponse(
        to_json(
            call.sales.report(
                day,
                start=None if start is None else _moment(start, "start"),
                end=None if end is None else _moment(end, "end"),
                tz=tz,
            )
        )
    )


def _moment(text: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise InvalidInput(
            f"{name} is a time with its offset, such as 2026-11-01T00:00:00+02:00, not {text!r}."
        )
    return moment


LABELS = "StatusLabels"
OPERATIONS = (
    Operation(
        method="GET",
        path="/refund-orders",
        operation_id="listRefundOrders",
        summary="The Returns list: a page of refund orders, newest first",
        handler=list_refund_orders,
        response="RefundOrderPage",
        params=(
            query_param("order_id", {"type": "string", "maxLength": 200}, "of this order only"),
            query_param(
                "pending", {"enum": ["true", "false"]}, "only those with an effect still owed"
            ),
            LIMIT,
            AFTER,
        ),
        errors=(422,),
    ),
    Operation(
        method="GET",
        path="/refund-orders/{refund_order_id}",
        operation_id="getRefundOrder",
        summary="One refund order, with its stock and payment effects",
        handler=get_refund_order,
        response="RefundOrder",
        params=(REFUND_ORDER_ID,),
        errors=(404,),
    ),
    Operation(
        method="POST",
        path="/refund-orders/{refund_order_id}/retry",
        operation_id="retryRefundOrderEffects",
        summary="Try a refund order's failed effects again now",
        handler=retry_effects,
        response="RefundOrder",
        params=(REFUND_ORDER_ID,),
        errors=(404, 409, 422),
    ),
    Operation(
        method="GET",
        path="/manual-refunds",
        operation_id="listManualRefundsOwed",
        summary="Refund orders whose money must be paid back by hand",
        handler=manual_refunds_owed,
        response="RefundOrderList",
        errors=(),
    ),
    Operation(
        method="POST",
        path="/manual-refunds/{refund_order_id}/done",
        operation_id="markManualRefundDone",
        summary="Record that a manual refund was paid back (all, or an amount)",
        handler=mark_manual_refund_done,
        response="RefundOrder",
        body=bodies.MANUAL_DONE,
        params=(REFUND_ORDER_ID,),
        errors=(404, 409, 422),
        idempotent_key=True,
    ),
    Operation(
        method="GET",
        path="/stock",
        operation_id="listStock",
        summary="Units on hand per SKU",
        handler=stock_levels,
        response="StockLevels",
        errors=(),
    ),
    Operation(
        method="GET",
        path="/stock/{sku}",
        operation_id="getStock",
        summary="Units on hand of one SKU",
        handler=stock_level,
        response="StockLevel",
        params=(SKU,),
        errors=(422,),
    ),
    Operation(
        method="PUT",
        path="/stock/{sku}",
        operation_id="setStock",
        summary="Set the units on hand of a SKU (the merchant's count)",
        handler=set_stock,
        response="StockLevel",
        body=bodies.STOCK,
        params=(SKU,),
        errors=(422,),
    ),
    Operation(
        method="GET",
        path="/labels",
        operation_id="listStatusLabels",
        summary="The shop's status labels and the state each means",
        handler=labels,
        response=LABELS,
        errors=(),
    ),
    Operation(
        method="POST",
        path="/labels",
        operation_id="defineStatusLabel",
        summary="Define a status label, such as 'Canceled - out of stock'",
        handler=define_label,
        ok=201,
        response=LABELS,
        body=bodies.LABEL,
        errors=(409, 422),
    ),
    Operation(
        method="GET",
        path="/report",
        operation_id="salesReport",
        summary="Gross sales, refunds and net per currency for one day or a period",
        handler=report,
        response="SalesReport",
        params=(
            query_param("day", {"type": "string", "format": "date"}, "the day, such as 2026-11-02"),
            query_param("tz", {"type": "string", "maxLength": 60}, "a zone, default UTC"),
            query_param(
                "start",
                {"type": "string", "format": "date-time", "maxLength": 60},
                "instead of a day: the start of the period, with its offset",
            ),
            query_param(
                "end",
                {"type": "string", "format": "date-time", "maxLength": 60},
                "instead of a day: the end of the period (not included), with its offset",
            ),
        ),
        errors=(422,),
    ),
)
