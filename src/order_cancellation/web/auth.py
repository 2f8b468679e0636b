"""Who a request acts for: always one shop, taken from its credential, never from the URL.

- The API takes ``Authorization: Bearer <token>``, a token made with ``token create``.
- The admin signs in with the same kind of token once, then keeps the shop and the token's
  id in a signed session cookie (HttpOnly, SameSite=Lax); the token is checked again on
  every request, so revoking it ends the session. The secret itself never goes into the
  cookie (it is signed, not encrypted).
- A platform that mounts the app behind its own login passes ``shop_from_request``: a
  callable given the request that returns the shop to act for (or None to fall back to the
  token). It is trusted as is; it must only answer for requests its own login let through.

Every admin form carries a CSRF token kept in the session; a POST without it is refused.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from typing import Final

from starlette.requests import Request

from order_cancellation.domain.errors import InvalidInput
from order_cancellation.domain.tokens import parse_token
from order_cancellation.sales import Sales
from order_cancellation.web.api.problems import HttpProblem
from order_cancellation.web.shops import ShopDirectory

ShopHook = Callable[[Request], str | None]
"""The hook of a platform that knows the shop of a request from its own login."""

CSRF_FIELD: Final = "csrf_token"


class Access:
    def __init__(self, shops: ShopDirectory, shop_from_request: ShopHook | None = None) -> None:
        self.shops = shops
        self._hook = shop_from_request

    def _hooked(self, request: Request) -> Sales | None:
        if self._hook is None:
            return None
        shop = self._hook(request)
        return None if shop is None else self.shops.sales(shop)

    def by_token(self, token: str) -> Sales | None:
        """The shop whose live token this is, or None (a made-up, revoked or cut token)."""
        try:
            parts = parse_token(token)
        except InvalidInput:
            return None
        # Checked on a throwaway Sales first, so that made-up shop names leave nothing behind.
        if not self.shops.probe(parts.shop).accepts_api_token(token):
            return None
        return self.shops.sales(parts.shop)

    def api_sales(self, request: Request) -> Sales:
        """The shop an API request acts for, or a 401 problem."""
        hooked = self._hooked(request)
        if hooked is not None:
            return hooked
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        sales = self.by_token(token.strip()) if scheme.lower() == "bearer" else None
        if sales is None:
            raise HttpProblem(
                401,
                "unauthorized",
                "Unauthorized",
                "send 'Authorization: Bearer <token>' with a live token of the shop; "
                "create one with `order-cancellation token create --shop NAME`.",
            )
        return sales

    def admin_sales(self, request: Request) -> Sales | None:
        """The shop the admin session is signed in to, or None (then: the sign-in page)."""
        hooked = self._hooked(request)
        if hooked is not None:
            return hooked
        shop, token_id = request.session.get("shop"), request.session.get("token_id")
        if not isinstance(shop, str) or not isinstance(token_id, str):
            return None
        sales = self.shops.sales(shop)
        if not any(token.id == token_id and token.active for token in sales.api_tokens()):
            request.session.clear()
            return None
        return sales

    @staticmethod
    def sign_in(request: Request, sales: Sales, token: str) -> None:
        request.session.clear()
        request.session["shop"] = sales.shop
        request.session["token_id"] = parse_token(token).token_id
        request.session[CSRF_FIELD] = secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made on first use (the sign-in form needs one too)."""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


def csrf_ok(request: Request, sent: object) -> bool:
    expected = request.session.get(CSRF_FIELD)
    return (
        isinstance(expected, str)
        and isinstance(sent, str)
        and hmac.compare_digest(expected.encode(), sent.encode())
    )
