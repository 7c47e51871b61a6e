"""A real HTTP receiver for outgoing webhooks, served by uvicorn in its own thread."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from support.threaded_server import ThreadedServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int


class Receiver(ThreadedServer):
    """Records every request; answers from a script of statuses, then 204. Notify's address
    verification messages (`x-ensemble-purpose: address-verification`) are filed apart, in
    `verifications` (answered 204): `received` holds every other request."""

    def __init__(
        self, script: Iterable[int] = (), *, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__()
        self.received: list[Received] = []
        self.verifications: list[Received] = []
        self._script = list(script)
        self._headers = headers or {}
        self._serve(Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST"])]))

    @property
    def url(self) -> str:
        return f"{self.base_url}/hook"

    async def _handle(self, request: Request) -> Response:
        body = await request.body()
        if request.headers.get("x-ensemble-purpose") == "address-verification":
            with self._lock:
                self.verifications.append(
                    Received(request.url.path, dict(request.headers), body, 204)
                )
            return Response(status_code=204)
        with self._lock:
            status = self._script.pop(0) if self._script else 204
            self.received.append(Received(request.url.path, dict(request.headers), body, status))
        return Response(status_code=status, headers=self._headers if status >= 300 else None)

    def delivered(self) -> list[Received]:
        with self._lock:
            return [r for r in self.received if 200 <= r.status < 300]
