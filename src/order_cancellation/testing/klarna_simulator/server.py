"""The simulator on a loopback socket: a real HTTP/1.1 server in a background thread.

Lost answers are real here: a "timeout" fault keeps the connection silent until the
client gives up, a "disconnect" closes it, a "truncate" sends a body shorter than its
``Content-Length``.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING

from order_cancellation.testing.klarna_simulator.exchange import SimRequest
from order_cancellation.testing.klarna_simulator.faults import Delivery

if TYPE_CHECKING:
    from order_cancellation.testing.klarna_simulator.simulator import KlarnaSimulator


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: KlarnaSimulator
    stopping: threading.Event

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that timed out and hung up is part of the game, not an error to print.
        pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this each answer waits ~40 ms.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host, port = self.server.server_address[:2]
        request = SimRequest(
            method=self.command,
            path=self.path,
            headers=tuple(self.headers.items()),
            body=body,
            base_url=f"http://{host!s}:{port}",
        )
        simulator = self.server.simulator
        exchange = simulator.handle(request)
        if exchange.delivery is Delivery.HANG:
            self.server.stopping.wait(simulator.hang_seconds)
        response = exchange.response
        if response is None:
            self.close_connection = True
            return
        payload = response.body
        if exchange.delivery is Delivery.TRUNCATE:
            declared = len(payload) or 16
            payload = payload[: len(payload) // 2]
            self.close_connection = True
        else:
            declared = len(payload)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(payload)


class SimulatorServer:
    """Serves one simulator on ``127.0.0.1`` at a free port."""

    def __init__(self, simulator: KlarnaSimulator) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.simulator = simulator
        self._httpd.stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="klarna-simulator",
            daemon=True,
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
