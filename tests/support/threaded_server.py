"""An ASGI app served by uvicorn on a loopback port in its own thread: the base of every
fake receiver and platform the tests stand up beside the code under test."""

from __future__ import annotations

import threading
import time
from typing import Self

import uvicorn
from starlette.types import ASGIApp

from ensemble_devtools.processes import free_port


class ThreadedServer:
    """Start with `with`; the server is listening when the block is entered."""

    def __init__(self) -> None:
        self.port = free_port()
        self._lock = threading.Lock()

    def _serve(self, app: ASGIApp) -> None:
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                lifespan="off",
                timeout_graceful_shutdown=1,
                timeout_keep_alive=30,  # longer than httpx keeps an idle connection (5 s)
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _closing(self) -> None:
        """Hook: end long-lived responses so the server can stop."""

    def __enter__(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{type(self).__name__} did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._closing()
        self._server.should_exit = True
        self._thread.join(timeout=10)
