"""The merchant's admin: sign in, Sales (the orders), the order page with Cancel Order and
Create return, Returns, manual refunds owed, and the sales report.

Every page runs the library in the thread pool. A change is a POST carrying the session's
CSRF token; on success it redirects (303) to a page that says what was done, on refusal
it shows the same page again with the reason in the merchant's words.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from urllib.parse import quote, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from order_cancellation.domain.errors import InvalidInput, OrderCancellationError
from order_cancellation.domain.states import OrderState
from order_cancellation.sales import Sales
from order_cancellation.web.admin import actions
from order_cancellation.web.admin.chart import Day, bar_chart
from order_cancellation.web.admin.views import merchant_words, page
from order_cancellation.web.auth import CSRF_FIELD, Access, csrf_ok

PAGE_SIZE: Final = 25
MAX_REPORT_DAYS: Final = 62
Form = Mapping[str, str]
Page = Callable[[Request, Sales, Form], Response]


def guarded(access: Access, view: Page) -> Callable[[Request], Awaitable[Response]]:
    """The view for a signed-in shop; a POST must carry the session's CSRF token."""

    async def run(request: Request) -> Response:
        form: dict[str, str] = {}
        if request.method == "POST":
            form = {key: str(value) for key, value in (await request.form()).items()}
            if not csrf_ok(request, form.get(CSRF_FIELD)):
                return page(
                    request,
                    "message.html",
                    {
                        "title": "Form refused",
                        "message": "This form was not sent from a page of this admin, or it "
                        "has expired. Go back, reload the page and try again.",
                    },
                    status=403,
                )
        return await run_in_threadpool(_view, access, view, request, form)

    return run


def _view(access: Access, view: Page, request: Request, form: Form) -> Response:
    sales = access.admin_sales(request)
    if sales is None:
        return RedirectResponse("/sign-in?" + urlencode({"next": request.url.path}), 303)
    return view(request, sales, form)


def orders_list(request: Request, sales: Sales, form: Form) -> Response:
    query = request.query_params
    search = (query.get("q") or "").strip()
    state = query.get("state") or None
    error = None
    if search:
        try:
            return RedirectResponse(f"/orders/{quote(sales.get_order(search).id, safe='')}", 303)
        except OrderCancellationError:
            error = f"No order {search!r} in this shop."
    try:
        listing = sales.orders(state=state, limit=PAGE_SIZE, after=query.get("after") or None)
    except InvalidInput as refused:
        return page(request, "orders.html", {"orders": [], "error": merchant_words(refused)})
    return page(
        request,
        "orders.html",
        {
            "orders": list(listing),
            "next_cursor": listing.next_cursor,
            "state": state,
            "states": [state.value for state in OrderState],
            "search": search,
            "error": error,
        },
    )


def order_page(
    request: Request, sales: Sales, form: Form, *, error: str | None = None, status: int = 200
) -> Response:
    order_id = request.path_params["order_id"]
    try:
        order = sales.get_order(order_id)
    except OrderCancellationError as missing:
        return page(
            request,
            "message.html",
            {"title": "Order not found", "message": merchant_words(missing)},
            status=404,
        )
    refunds = sales.refund_orders(order_id=order.id)
    cancel_labels = [
        label for label, means in sales.status_labels().items() if means is OrderState.CANCELED
    ]
    return page(
        request,
        "order.html",
        {
            "order": order,
            "refunds": refunds,
            "cancel_labels": cancel_labels,
            "can_cancel": order.state is OrderState.OPEN
            and not any(line.fulfilled for line in order.lines),
            "can_return": any(line.fulfilled > line.returned for line in order.lines),
            "error": error,
        },
        status=status,
    )


def returns_list(request: Request, sales: Sales, form: Form) -> Response:
    after = request.query_params.get("after") or None
    pending = request.query_params.get("pending") == "true"
    listing = sales.refund_orders(pending=True if pending else None, limit=PAGE_SIZE, after=after)
    return page(
        request,
        "returns.html",
        {"refunds": list(listing), "next_cursor": listing.next_cursor, "pending": pending},
    )


def manual_refunds(request: Request, sales: Sales, form: Form) -> Response:
    return page(request, "manual_refunds.html", {"refunds": sales.manual_refunds_owed()})


def _day(text: str | None, default: date) -> date:
    try:
        return default if not text else date.fromisoformat(text)
    except ValueError:
        return default


def report(request: Request, sales: Sales, form: Form) -> Response:
    today = datetime.now(UTC).date()  # the report's days are UTC days
    last = _day(request.query_params.get("to"), today)
    first = _day(request.query_params.get("from"), last - timedelta(days=13))
    error = None
    if first > last or (last - first).days >= MAX_REPORT_DAYS:
        error = f"Choose a period of 1 to {MAX_REPORT_DAYS} days, the first day before the last."
        first = last - timedelta(days=13)
    reports = [
        (first + timedelta(days=offset), sales.report(first + timedelta(days=offset)))
        for offset in range((last - first).days + 1)
    ]
    currencies = sorted({row.currency for _, daily in reports for row in daily.totals})
    totals: dict[str, Any] = {}
    charts = {}
    for currency in currencies:
        rows = [(day, daily.currency(currency)) for day, daily in reports]
        charts[currency] = bar_chart(
            [Day(day, row.gross.minor, row.refunds.minor) for day, row in rows], currency
        )
        totals[currency] = rows
    return page(
        request,
        "report.html",
        {"first": first, "last": last, "charts": charts, "totals": totals, "error": error},
    )


def sign_in_routes(access: Access) -> list[BaseRoute]:
    async def sign_in(request: Request) -> Response:
        next_url = request.query_params.get("next") or "/orders"
        if not next_url.startswith("/") or next_url.startswith("//"):
            next_url = "/orders"
        if request.method == "GET":
            return page(request, "sign_in.html", {"next": next_url})
        form = await request.form()
        if not csrf_ok(request, form.get(CSRF_FIELD)):
            return page(
                request,
                "sign_in.html",
                {"next": next_url, "error": "The form expired. Please try again."},
                status=403,
            )
        token = str(form.get("token") or "").strip()
        sales = await run_in_threadpool(access.by_token, token)
        if sales is None:
            return page(
                request,
                "sign_in.html",
                {"next": next_url, "error": "That token is not a live token of any shop."},
                status=401,
            )
        access.sign_in(request, sales, token)
        return RedirectResponse(next_url, status_code=303)

    async def sign_out(request: Request) -> Response:
        form = await request.form()
        if csrf_ok(request, form.get(CSRF_FIELD)):
            request.session.clear()
        return RedirectResponse("/sign-in", status_code=303)

    return [
        Route("/sign-in", sign_in, methods=["GET", "POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
    ]


def admin_routes(access: Access) -> list[BaseRoute]:
    def at(path: str, view: Page, method: str = "GET") -> Route:
        return Route(path, guarded(access, view), methods=[method])

    async def home(request: Request) -> Response:
        return RedirectResponse("/orders", status_code=303)

    return [
        Route("/", home),
        *sign_in_routes(access),
        at("/orders", orders_list),
        at("/orders/{order_id}", order_page),
        at("/orders/{order_id}/cancel", actions.cancel(order_page), "POST"),
        at("/orders/{order_id}/return", actions.return_form),
        at("/orders/{order_id}/return", actions.create_return, "POST"),
        at("/returns", returns_list),
        at("/returns/{refund_order_id}/retry", actions.retry, "POST"),
        at("/manual-refunds", manual_refunds),
        at("/manual-refunds/{refund_order_id}/done", actions.mark_refunded, "POST"),
        at("/report", report),
    ]
