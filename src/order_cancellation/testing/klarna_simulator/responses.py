"""Answers the simulator gives: error bodies, injected faults, reads, request checks."""

from __future__ import annotations

import json
import uuid

from order_cancellation.testing.klarna_simulator.exchange import Endpoint, SimResponse
from order_cancellation.testing.klarna_simulator.faults import Fault
from order_cancellation.testing.klarna_simulator.orders import (
    MAX_AMOUNT,
    Movement,
    Refusal,
    SimOrder,
    refund_json,
)


def error_response(status: int, error_code: str, message: str) -> SimResponse:
    return SimResponse.json(
        status,
        {
            "error_code": error_code,
            "error_messages": [message],
            "correlation_id": str(uuid.uuid4()),
        },
    )


def fault_response(fault: Fault, status: int) -> SimResponse:
    if fault.body is not None:
        return SimResponse(status=fault.status or status, body=fault.body)
    code = fault.error_code or "INJECTED_FAULT"
    return error_response(fault.status or status, code, f"Injected fault: {fault.name}")


def apply_fault(fault: Fault, response: SimResponse) -> SimResponse:
    if fault.rewrite is not None:
        data = fault.rewrite(json.loads(response.body or b"null"))
        headers = tuple(h for h in response.headers if h[0].lower() != "content-type")
        return SimResponse.json(response.status, data, headers)
    if fault.status is not None or fault.body is not None:
        return fault_response(fault, response.status)
    return response


def read(order: SimOrder, endpoint: Endpoint, item_id: str | None) -> SimResponse:
    if endpoint is Endpoint.GET_ORDER:
        return SimResponse.json(200, order.to_json())
    if endpoint is Endpoint.LIST_CAPTURES:
        return SimResponse.json(200, [order.capture_json(c) for c in order.captures])
    if endpoint is Endpoint.GET_CAPTURE:
        capture = find(order.captures, item_id, "NO_SUCH_CAPTURE", "Capture")
        return SimResponse.json(200, order.capture_json(capture))
    refund = find(order.refunds, item_id, "NOT_FOUND", "Refund")
    return SimResponse.json(200, refund_json(refund))


def find(items: list[Movement], item_id: str | None, code: str, what: str) -> Movement:
    for item in items:
        if item.id == item_id:
            return item
    raise Refusal(404, code, f"{what} {item_id} cannot be found.")


def money_body(raw: bytes, field: str) -> tuple[int, dict[str, object]]:
    """The amount of a capture or refund request, and its reference, description and lines."""
    try:
        body = json.loads(raw)
    except ValueError:
        raise Refusal(400, "BAD_VALUE", "The request body is not JSON.") from None
    if not isinstance(body, dict):
        raise Refusal(400, "BAD_VALUE", "The request body must be a JSON object.")
    amount = body.get(field)
    if type(amount) is not int or not 0 <= amount <= MAX_AMOUNT:
        raise Refusal(400, "BAD_VALUE", f"{field} must be an integer from 0 to {MAX_AMOUNT}.")
    for text in ("reference", "description"):
        value = body.get(text)
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise Refusal(400, "BAD_VALUE", f"{text} must be text of at most 255 characters.")
    lines = body.get("order_lines")
    if lines is not None:
        if not isinstance(lines, list) or len(lines) > 1000:
            raise Refusal(400, "BAD_VALUE", "order_lines must be a list of at most 1000 lines.")
        check_order_lines(lines, amount)
    return amount, {key: body.get(key) for key in ("reference", "description", "order_lines")}


def check_order_lines(lines: list[object], amount: int) -> None:
    """Klarna's arithmetic on order lines: each ``total_amount`` is ``quantity *
    unit_price - total_discount_amount``, its tax is what ``tax_rate`` gives of a
    tax-inclusive amount (within 1 minor unit), and the lines add up to ``amount``."""
    totals = 0
    for n, line in enumerate(lines):
        if not isinstance(line, dict):
            raise Refusal(400, "BAD_VALUE", f"order_lines[{n}] must be an object.")
        figures = {
            key: line.get(key, 0)
            for key in (
                "quantity",
                "unit_price",
                "total_amount",
                "total_discount_amount",
                "tax_rate",
                "total_tax_amount",
            )
        }
        if any(type(value) is not int for value in figures.values()):
            raise Refusal(400, "BAD_VALUE", f"order_lines[{n}] amounts must be integers.")
        if (
            figures["quantity"] * figures["unit_price"] - figures["total_discount_amount"]
            != (figures["total_amount"])
        ):
            raise Refusal(400, "BAD_VALUE", f"order_lines[{n}].total_amount")
        total, rate = figures["total_amount"], figures["tax_rate"]
        expected = total - total * 10000 / (10000 + rate)
        if abs(figures["total_tax_amount"] - expected) > 1:
            raise Refusal(400, "BAD_VALUE", f"order_lines[{n}].total_tax_amount")
        totals += total
    if lines and totals != amount:
        raise Refusal(400, "BAD_VALUE", "order_lines do not add up to the amount.")
