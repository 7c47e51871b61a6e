"""A real HTTP receiver for outgoing webhooks, served by uvicorn in its own thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ensemble_devtools.processes import free_port


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class Receiver:
    """Records every request; answers from a script of statuses, then 204."""

    def __init__(
        self, script: Iterable[int] = (), *, headers: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.received: list[Received] = []
        self._script = list(script)
        self._headers = headers or {}
        self._lock = threading.Lock()
        app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])])
        self._server = uvicorn.Server(
            uvicorn.Config(
                app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
            )
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            status = self._script.pop(0) if self._script else 204
            self.received.append(Received(request.url.path, dict(request.headers), body, status))
        return Response(status_code=status, headers=self._headers if status >= 300 else None)

    def delivered(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]

    def __enter__(self) -> Receiver:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("receiver did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
