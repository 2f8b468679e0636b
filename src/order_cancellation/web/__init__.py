"""The optional web layer (``pip install 'order-cancellation[web]'``): a JSON HTTP API under
``/api`` and the merchant's admin pages at ``/``, a driving adapter that calls
:class:`~order_cancellation.Sales` like any other user. ``order-cancellation serve`` runs it.
"""

from __future__ import annotations

try:
    import jinja2  # noqa: F401
    import starlette  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on what is installed
    from order_cancellation.domain.errors import MissingDependency

    raise MissingDependency(
        "the web layer needs the web extra: pip install 'order-cancellation[web]'"
    ) from error

from order_cancellation.web.app import create_app
from order_cancellation.web.auth import ShopHook
from order_cancellation.web.shops import ShopDirectory

__all__ = ["ShopDirectory", "ShopHook", "create_app"]
