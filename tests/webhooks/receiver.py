"""A webhook receiver on 127.0.0.1, in a thread: it records every request and answers as
told (``"ok"``, an HTTP status such as ``500``, or ``"hang"``: say nothing for a while)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import attrs


@attrs.frozen
class Request:
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.requests: list[Request] = []
        self.answers: list[Any] = []  # taken one per request; "ok" once they run out
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests.append(
                    Request({key.lower(): value for key, value in self.headers.items()}, body)
                )
                answer = receiver.answers.pop(0) if receiver.answers else "ok"
                if answer == "hang":
                    time.sleep(1.5)
                    answer = "ok"
                self.send_response(204 if answer == "ok" else int(answer))
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@contextmanager
def receiving(port: int = 0) -> Iterator[Receiver]:
    receiver = Receiver(port)
    try:
        yield receiver
    finally:
        receiver.stop()
