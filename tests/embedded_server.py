"""The server in a background thread on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from sqlalchemy.engine import Engine

from sync.server.app import create_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmbeddedServer:
    """``with EmbeddedServer(engine) as server: requests.get(server.url + ...)``.

    Attributes:
        url: ``http://127.0.0.1:<port>``.
    """

    def __init__(self, engine: Engine, admin_token: str | None = None, port: int = 0) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            create_app(engine, admin_token),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, name="embedded-server", daemon=True
        )

    def __enter__(self) -> EmbeddedServer:
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the embedded server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
