"""A web server holding the images content items link to: what publishing fetches and uploads
to the platforms that take files (`GET`), and what the check before approval reads (`HEAD`)."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from support.threaded_server import ThreadedServer

PNG = b"\x89PNG\r\n\x1a\n" + bytes(2048)  # a PNG signature and padding: no platform reads further


class MediaHost(ThreadedServer):
    def __init__(self) -> None:
        super().__init__()
        self._files: dict[str, tuple[bytes, str]] = {}
        self.fetched: list[str] = []  # names, in the order GETs asked for them
        self._serve(Starlette(routes=[Route("/media/{name}", self._file, methods=["GET", "HEAD"])]))

    def image(self, name: str, data: bytes = PNG, mime: str = "image/png") -> str:
        """Put a file on the host: its address."""
        with self._lock:
            self._files[name] = (data, mime)
        return f"{self.base_url}/media/{name}"

    async def _file(self, request: Request) -> Response:
        name = str(request.path_params["name"])
        with self._lock:
            found = self._files.get(name)
            if request.method == "GET":
                self.fetched.append(name)
        if found is None:
            return Response(status_code=404)
        data, mime = found
        return Response(data, media_type=mime)
