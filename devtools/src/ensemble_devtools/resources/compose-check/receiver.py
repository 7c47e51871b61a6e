"""A webhook receiver for `./dev compose-check`, run in a container on the compose network: it
answers 200 to every POST and lists what it got (webhook-id and body) at GET /received."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

received: list[dict[str, str]] = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        with lock:
            received.append(
                {"webhook_id": self.headers.get("webhook-id", ""), "body": body.decode()}
            )
        self._answer(b"")

    def do_GET(self) -> None:
        with lock:
            payload = json.dumps(received).encode()
        self._answer(payload)

    def _answer(self, payload: bytes) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the check reads GET /received, not the log."""


ThreadingHTTPServer(("0.0.0.0", 8000), Handler).serve_forever()  # noqa: S104 (a container)
