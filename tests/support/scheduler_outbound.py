"""What the publishing fakes (Bluesky, GitHub, Slack) share: a request log, and scripted
answers for the next writes — a rate-limit refusal, a 5xx that takes nothing, or a hang after
the write was taken (the client times out although the post exists)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from support.threaded_server import ThreadedServer


@dataclass(frozen=True)
class Scripted:
    """The answer to one coming write: `status` and `body` instead of taking it, or (with
    `hang`) take it, then wait `hang` seconds before answering."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    hang: float | None = None

    def response(self) -> Response:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


class FakeOutbound(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []  # every request: method, path, headers, body
        self._script: list[Scripted] = []

    def script(self, *answers: Scripted) -> None:
        """The next writes get these answers, in order."""
        with self._lock:
            self._script.extend(answers)

    def writes(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["method"] == "POST" and r["path"] == path]

    async def _log(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        body: Any = None
        if raw and request.headers.get("content-type", "").startswith("application/json"):
            body = await request.json()
        entry = {
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.query_params),
            "headers": dict(request.headers),
            "body": body,
            "raw": raw,
        }
        with self._lock:
            self.requests.append(entry)
        return entry

    def _next(self) -> Scripted | None:
        """The scripted answer of this write, if any."""
        with self._lock:
            return self._script.pop(0) if self._script else None

    @staticmethod
    async def hang(scripted: Scripted | None) -> None:
        if scripted is not None and scripted.hang is not None:
            await asyncio.sleep(scripted.hang)
