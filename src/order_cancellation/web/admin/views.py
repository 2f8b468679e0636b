"""Rendering helpers of the admin: templates, money as the merchant reads it, and errors in
the merchant's words."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.templating import Jinja2Templates

from order_cancellation.domain.errors import (
    ConcurrencyConflict,
    NotFound,
    NothingToReturn,
    OrderAlreadyCanceled,
    OrderCancellationError,
    OrderFulfilledError,
    UnknownStatusLabel,
)
from order_cancellation.domain.money import Money
from order_cancellation.domain.refunds import PaymentStatus, RefundOrder, StockStatus
from order_cancellation.web.auth import CSRF_FIELD, csrf_token

templates = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))
templates.env.filters["money"] = lambda value: str(value) if isinstance(value, Money) else ""
templates.env.filters["moment"] = lambda value: value.strftime("%Y-%m-%d %H:%M UTC")
# Status values as a merchant reads them: manual_refund_required -> Manual refund required.
templates.env.filters["words"] = lambda value: str(value).replace("_", " ").capitalize()

ATTENTION: Final = {
    StockStatus.FAILED_RETRYING,
    StockStatus.DEAD_LETTERED,
    PaymentStatus.FAILED_RETRYING,
    PaymentStatus.DEAD_LETTERED,
}

_SAID: Final[tuple[tuple[type[Exception], str], ...]] = (
    (
        OrderFulfilledError,
        "This order has been fulfilled, so it can no longer be canceled. "
        "Create a return for the fulfilled items instead.",
    ),
    (OrderAlreadyCanceled, "This order has already been canceled."),
    (UnknownStatusLabel, "Choose one of the shop's statuses for canceled orders."),
    (NothingToReturn, "Choose at least one item to return."),
    (
        ConcurrencyConflict,
        "Someone else changed this order meanwhile. Reload the page and try again.",
    ),
)


def merchant_words(error: OrderCancellationError) -> str:
    """What to show a merchant: a plain sentence for the refusals the admin expects, else
    the library's own message (each says what to do)."""
    for kind, said in _SAID:
        if isinstance(error, kind):
            return said
    if isinstance(error, NotFound):
        return "There is no such record in this shop."
    return str(error)


def needs_attention(refund: RefundOrder) -> bool:
    return (
        refund.stock_status in ATTENTION
        or refund.payment_status in ATTENTION
        or bool(refund.stock_error or refund.payment_error)
    )


def page(
    request: Request, template: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    flash = request.session.pop("flash", None)
    return templates.TemplateResponse(
        request,
        template,
        {
            "csrf_field": CSRF_FIELD,
            "csrf": csrf_token(request),
            "flash": flash,
            "shop": request.session.get("shop"),
            "needs_attention": needs_attention,
            **context,
        },
        status_code=status,
    )


def done(request: Request, url: str, message: str) -> RedirectResponse:
    """After a change: say what happened on the next page (Post/Redirect/Get)."""
    request.session["flash"] = message
    return RedirectResponse(url, status_code=303)
