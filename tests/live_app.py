"""graphcat's app served by uvicorn on a free loopback port, in this process (real HTTP).

Shared by the reliability, browser and demo tests so each does not start and stop its own server.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


class ServerThread:
    def __init__(self, app: Any, start_timeout: float = 60.0) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                   lifespan="on", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        started = time.monotonic()
        # `started` is set once the lifespan (migrations, index) finished and the socket listens.
        while not self.server.started:
            assert self.thread.is_alive(), "the server thread died during start-up (see the log above)"
            assert time.monotonic() - started < self.start_timeout, \
                f"the app did not start within {self.start_timeout:.0f}s"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
