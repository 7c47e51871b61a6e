"""An API that answers but cannot serve yet (503: its store or identity's keys are away) gets
the console's "try again shortly" page, not the console's own 500."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from ensemble_console.config import ConsoleSettings
from ensemble_console.main import create_app


class Unavailable(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"error": "unavailable", "message": "the store is not answering"}'
        self.send_response(503)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def identity_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


async def test_an_api_answering_503_gets_the_unavailable_page(identity_url: str) -> None:
    settings = ConsoleSettings(
        secret="unit-test-console-secret-0123456789", identity_url=identity_url
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as http:
            answer = await http.get("/sign-in")
    assert answer.status_code == 503, answer.text[:300]
    assert "text/html" in answer.headers["content-type"]
