"""The simulator as an httpx transport: the same state machine, no socket, no waiting.

Lost answers become the exceptions httpx raises for them (timeouts, a peer that closed the
connection), so a client sees the same failures as over the network, only at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from order_cancellation.testing.klarna_simulator.exchange import SimRequest
from order_cancellation.testing.klarna_simulator.faults import Delivery

if TYPE_CHECKING:
    from order_cancellation.testing.klarna_simulator.simulator import KlarnaSimulator


def transport(simulator: KlarnaSimulator) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        exchange = simulator.handle(
            SimRequest(
                method=request.method,
                path=request.url.raw_path.decode("ascii"),
                headers=tuple(request.headers.multi_items()),
                body=request.read(),
                base_url=f"{request.url.scheme}://{request.url.netloc.decode('ascii')}",
            )
        )
        processed = exchange.fault is not None and exchange.fault.processed
        if exchange.delivery is Delivery.HANG:
            error = httpx.ReadTimeout if processed else httpx.ConnectTimeout
            raise error("timed out (simulated)", request=request)
        if exchange.delivery is Delivery.DISCONNECT:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response (simulated).", request=request
            )
        if exchange.delivery is Delivery.TRUNCATE:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body (simulated)",
                request=request,
            )
        response = exchange.response
        assert response is not None
        return httpx.Response(
            response.status, headers=list(response.headers), content=response.body
        )

    return httpx.MockTransport(handle)
