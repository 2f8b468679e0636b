"""examples/web_request_handler.py: typed errors become HTTP statuses; no network needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from examples.web_request_handler import call, make_app, sample_shop

from order_cancellation import OrderState, Sales

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "web_request_handler.py"


@pytest.fixture
def shop() -> tuple[Sales, str, str]:
    return sample_shop()


def test_canceling_an_open_order_answers_200_with_its_refund_order(
    shop: tuple[Sales, str, str],
) -> None:
    sales, open_order, _ = shop
    app = make_app(sales)

    status, body = call(
        app,
        "POST",
        f"/orders/{open_order}/cancel",
        b'{"status": "Canceled - out of stock", "reason": "Supplier cannot deliver"}',
    )

    assert status == 200
    assert body["status"] == "Canceled - out of stock"
    assert sales.get_order(open_order).state is OrderState.CANCELED
    assert sales.stock_level("MUG") == 8  # the fulfilled order's 2 mugs stay sold


def test_an_empty_body_cancels_with_the_default_status(shop: tuple[Sales, str, str]) -> None:
    sales, open_order, _ = shop

    status, body = call(make_app(sales), "POST", f"/orders/{open_order}/cancel")

    assert (status, body["status"]) == (200, "Canceled")


def test_an_unknown_order_is_404(shop: tuple[Sales, str, str]) -> None:
    status, body = call(make_app(shop[0]), "POST", "/orders/nope/cancel", b"{}")

    assert status == 404
    assert body == {"error": {"type": "OrderNotFound", "message": _message(body)}}


def test_a_fulfilled_order_is_409_and_the_message_points_to_a_return(
    shop: tuple[Sales, str, str],
) -> None:
    sales, _, shipped = shop

    status, body = call(make_app(sales), "POST", f"/orders/{shipped}/cancel", b"{}")

    assert status == 409
    assert "create a return" in _message(body)
    assert sales.get_order(shipped).state is OrderState.FULFILLED


def test_canceling_twice_is_409(shop: tuple[Sales, str, str]) -> None:
    sales, open_order, _ = shop
    app = make_app(sales)
    call(app, "POST", f"/orders/{open_order}/cancel", b"{}")

    status, body = call(app, "POST", f"/orders/{open_order}/cancel", b"{}")

    assert status == 409
    assert _type(body) == "OrderAlreadyCanceled"


def test_an_unknown_status_label_is_422_and_changes_nothing(
    shop: tuple[Sales, str, str],
) -> None:
    sales, open_order, _ = shop

    status, body = call(
        make_app(sales), "POST", f"/orders/{open_order}/cancel", b'{"status": "Cancelled"}'
    )

    assert status == 422
    assert _type(body) == "UnknownStatusLabel"
    assert sales.get_order(open_order).state is OrderState.OPEN
    assert sales.refund_orders() == []


def test_a_reason_that_is_not_text_is_422(shop: tuple[Sales, str, str]) -> None:
    sales, open_order, _ = shop

    status, _ = call(make_app(sales), "POST", f"/orders/{open_order}/cancel", b'{"reason": 7}')

    assert status == 422
    assert sales.get_order(open_order).state is OrderState.OPEN


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(shop: tuple[Sales, str, str], body: bytes) -> None:
    sales, open_order, _ = shop

    status, reply = call(make_app(sales), "POST", f"/orders/{open_order}/cancel", body)

    assert status == 400
    assert _type(reply) == "BadRequest"
    assert sales.get_order(open_order).state is OrderState.OPEN


def test_a_retried_request_with_the_same_idempotency_key_cancels_once(
    shop: tuple[Sales, str, str],
) -> None:
    sales, open_order, _ = shop
    app = make_app(sales)
    path = f"/orders/{open_order}/cancel"

    first = call(app, "POST", path, b"{}", idempotency_key="req-7")
    again = call(app, "POST", path, b"{}", idempotency_key="req-7")

    assert first == again
    assert first[0] == 200
    assert len(sales.refund_orders()) == 1


def test_other_methods_and_paths_are_refused(shop: tuple[Sales, str, str]) -> None:
    app = make_app(shop[0])

    assert call(app, "GET", f"/orders/{shop[1]}/cancel")[0] == 405
    assert call(app, "POST", "/orders")[0] == 404


def test_the_example_runs_as_a_script() -> None:
    completed = subprocess.run(
        [sys.executable, str(EXAMPLE)], capture_output=True, text=True, timeout=60, check=False
    )

    assert completed.returncode == 0, completed.stderr
    assert "-> 200" in completed.stdout
    assert "-> 404" in completed.stdout


def _message(body: dict[str, object]) -> str:
    error = body["error"]
    assert isinstance(error, dict)
    return str(error["message"])


def _type(body: dict[str, object]) -> str:
    error = body["error"]
    assert isinstance(error, dict)
    return str(error["type"])
