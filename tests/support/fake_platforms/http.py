"""The part every HTTP fake shares: uvicorn in a thread, a request log, and scripted 429s."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from support.threaded_server import ThreadedServer

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True)
class Recorded:
    """One request as the fake received it, and the status it answered."""

    path: str
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str]  # lower-case names
    status: int

    def param(self, name: str) -> str | None:
        return next((v for k, v in self.query if k == name), None)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


class FakeHttpPlatform(ThreadedServer):
    """Serves `routes` from a thread; subclasses say what a refusal for rate looks like."""

    def __init__(self, routes: list[tuple[str, Handler]]) -> None:
        super().__init__()
        self._requests: list[Recorded] = []
        self._throttled: list[float] = []  # Retry-After of the next refused calls
        self._serve(
            Starlette(routes=[Route(path, self._wrap(h), methods=["GET"]) for path, h in routes])
        )

    def throttle(self, times: int = 1, retry_after: float = 1) -> None:
        """The next `times` requests are refused with 429, saying to come back in `retry_after`."""
        with self._lock:
            self._throttled.extend([retry_after] * times)

    def requests(self, path: str | None = None) -> list[Recorded]:
        with self._lock:
            return [r for r in self._requests if path is None or r.path == path]

    def refuse(self, retry_after: float) -> Response:
        """A generic 429; platforms override it with their own headers and body."""
        return Response(
            '{"error": "Too many requests"}',
            status_code=429,
            media_type="application/json",
            headers={"Retry-After": str(int(retry_after))},
        )

    def _wrap(self, handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            with self._lock:
                refused = self._throttled.pop(0) if self._throttled else None
            response = self.refuse(refused) if refused is not None else await handler(request)
            recorded = Recorded(
                path=request.url.path,
                query=tuple(request.query_params.multi_items()),
                headers={k.lower(): v for k, v in request.headers.items()},
                status=response.status_code,
            )
            with self._lock:
                self._requests.append(recorded)
            return response

        return endpoint
