"""The admin's changes: Cancel Order, Create return, retry a refund order's effects, Mark
as refunded. Each reads its form, calls ``Sales``, and redirects to what changed; a refusal
shows the page again with the reason."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from order_cancellation.domain.errors import OrderCancellationError
from order_cancellation.domain.money import Money
from order_cancellation.sales import Sales
from order_cancellation.web.admin.views import done, merchant_words, page

Form = Mapping[str, str]
OrderPage = Callable[..., Response]


def _order_url(order_id: str) -> str:
    return f"/orders/{quote(order_id, safe='')}"


def _optional(form: Form, name: str) -> str | None:
    value = form.get(name, "").strip()
    return value or None


def cancel(order_page: OrderPage) -> Callable[[Request, Sales, Form], Response]:
    """Cancel Order's Confirm: the status after cancellation and an optional reason."""

    def confirm(request: Request, sales: Sales, form: Form) -> Response:
        order_id = request.path_params["order_id"]
        try:
            refund = sales.cancel_order(
                order_id,
                status=form.get("status") or "Canceled",
                reason=_optional(form, "reason"),
                expected_version=int(form["version"]) if form.get("version") else None,
            )
        except OrderCancellationError as error:
            return order_page(request, sales, form, error=merchant_words(error), status=409)
        return done(
            request,
            _order_url(order_id),
            f"Order canceled. Refund order {refund.id} is listed under Returns.",
        )

    return confirm


def return_form(
    request: Request, sales: Sales, form: Form, *, error: str | None = None, status: int = 200
) -> Response:
    try:
        order = sales.get_order(request.path_params["order_id"])
    except OrderCancellationError as missing:
        return page(
            request,
            "message.html",
            {"title": "Order not found", "message": merchant_words(missing)},
            status=404,
        )
    return page(request, "return.html", {"order": order, "error": error}, status=status)


def create_return(request: Request, sales: Sales, form: Form) -> Response:
    order_id = request.path_params["order_id"]
    quantities: dict[str, int] = {}
    for key, value in form.items():
        if key.startswith("units-") and value.strip() not in ("", "0"):
            if not value.strip().isdigit():
                return return_form(
                    request, sales, form, error="Units are whole numbers.", status=422
                )
            quantities[key.removeprefix("units-")] = int(value)
    try:
        refund = sales.create_return(
            order_id,
            quantities,
            restock=form.get("restock") == "on",
            reason=_optional(form, "reason"),
        )
    except OrderCancellationError as error:
        return return_form(request, sales, form, error=merchant_words(error), status=409)
    return done(
        request,
        _order_url(order_id),
        f"Return created: refund order {refund.id} for {refund.amount}.",
    )


def retry(request: Request, sales: Sales, form: Form) -> Response:
    refund_id = request.path_params["refund_order_id"]
    try:
        refund = sales.retry_effects(refund_id)
    except OrderCancellationError as error:
        return done(request, "/returns", f"Could not retry {refund_id}: {merchant_words(error)}")
    return done(
        request,
        "/returns",
        f"Tried {refund.id} again: stock {refund.stock_status}, payment {refund.payment_status}.",
    )


def mark_refunded(request: Request, sales: Sales, form: Form) -> Response:
    refund_id = request.path_params["refund_order_id"]
    try:
        refund = sales.mark_manual_refund_done(refund_id, note=_optional(form, "note"))
    except OrderCancellationError as error:
        return done(request, "/manual-refunds", merchant_words(error))
    paid: Money = refund.refunded
    return done(request, "/manual-refunds", f"{refund.id} marked as refunded ({paid}).")
