"""A brand's own web site, for the embed stories: static HTML pages served by uvicorn in its
own thread, on another origin and another site than the console (`localhost`, where the
console is `127.0.0.1`), so its iframes are third-party frames, as on a real brand's site."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from support.threaded_server import ThreadedServer


def page(title: str, body: str) -> str:
    """A small accessible HTML document around `body`."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )


class HostSite(ThreadedServer):
    """Serves `pages` (path → HTML); any other path is a 404."""

    def __init__(self, pages: dict[str, str]) -> None:
        super().__init__()
        self.pages = pages
        self._serve(Starlette(routes=[Route("/{path:path}", self._handle)]))

    def url(self, path: str) -> str:
        return f"http://localhost:{self.port}{path}"

    async def _handle(self, request: Request) -> Response:
        found = self.pages.get(request.url.path)
        return HTMLResponse(found) if found is not None else Response(status_code=404)
