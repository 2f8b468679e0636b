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
    if lines is not None and (not isinstance(lines, list) or len(lines) > 1000):
        raise Refusal(400, "BAD_VALUE", "order_lines must be a list of at most 1000 lines.")
    return amount, {key: body.get(key) for key in ("reference", "description", "order_lines")}
