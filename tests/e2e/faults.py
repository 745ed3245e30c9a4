"""A small HTTP proxy between kiosk and server that injects the network's failures.

Each request takes the next fault from ``faults`` (default ``pass``):

- ``pass``: forwarded; the server's reply returned.
- ``drop``: forwarded (the server commits), then the connection closes with no reply.
- ``500``, ``503``, ``429``, ``413``, ``401``: answered by the proxy; the server never sees it.
- ``hang``: no reply until after the client's timeout, then the connection closes.
- ``truncated``: forwarded, then half of the reply's body and a closed connection.
- ``malformed``: forwarded (the server commits), then a 200 whose body is not JSON.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FAULTS = ("pass", "drop", "500", "503", "429", "413", "401", "hang", "truncated", "malformed")


class FaultProxy:
    """Attributes:
    url: where the kiosk should send.
    faults: the schedule, consumed one per request.
    seen: how many requests arrived.
    """

    def __init__(self, upstream_port: int, hang_seconds: float = 1.5) -> None:
        self.upstream_port = upstream_port
        self.hang_seconds = hang_seconds
        self.faults: deque[str] = deque()
        self.seen = 0
        self._lock = threading.Lock()
        self._release = threading.Event()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without NODELAY, Nagle's algorithm
                # and delayed ACKs add 40 ms to every request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                self._handle(b"")

            def do_POST(self) -> None:
                self._handle(self.rfile.read(int(self.headers.get("Content-Length", 0))))

            def _handle(self, body: bytes) -> None:
                fault = proxy.next_fault()
                if fault in ("500", "503", "429", "413", "401"):
                    extra = {"503": "1", "429": "2"}
                    self._reply(int(fault), b'{"detail": "injected"}', extra.get(fault))
                    return
                if fault == "hang":
                    proxy._release.wait(proxy.hang_seconds)
                    self._cut()
                    return
                status, headers, content = self._forward(body)
                if fault == "drop":
                    self._cut()
                elif fault == "truncated":
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content[: len(content) // 2])
                    self.wfile.flush()
                    self._cut()
                elif fault == "malformed":
                    self._reply(200, b'{"accepted": ["')
                else:
                    self._reply(status, content, headers.get("Retry-After"))

            def _forward(self, body: bytes) -> tuple[int, dict[str, str], bytes]:
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                upstream.connect()
                upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                upstream.request(self.command, self.path, body=body, headers=headers)
                reply = upstream.getresponse()
                content = reply.read()
                upstream.close()
                return reply.status, dict(reply.getheaders()), content

            def _reply(self, status: int, content: bytes, retry_after: str | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(content)))
                if retry_after:
                    self.send_header("Retry-After", retry_after)
                self.end_headers()
                self.wfile.write(content)

            def _cut(self) -> None:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fault-proxy", daemon=True
        )

    def next_fault(self) -> str:
        with self._lock:
            self.seen += 1
            return self.faults.popleft() if self.faults else "pass"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
