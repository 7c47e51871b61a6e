"""A guard against MongoDB operators smuggled in JSON bodies (`{"author": {"$ne": null}}`).

Request models usually refuse such shapes already; this refuses them for every route at once,
so a dict-typed field or a forgotten model cannot carry an operator into a query. Only keys
count: a `$` inside a text value is just text. Paths under /webhooks/ are left alone: their
bodies are the platforms' (Bluesky's `$type`, ...) and their signatures cover the raw bytes,
which reach the route untouched either way (the guard replays the bytes it read).
"""

from __future__ import annotations

import json
from typing import Any

from starlette._utils import get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ensemble_shared.web.middleware import _send_json

EXEMPT_PREFIXES = ("/webhooks/",)


def operator_key(value: Any, path: tuple[str, ...] = ("body",)) -> str | None:
    """The dotted path of the first key starting with `$`, or None."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.startswith("$"):
                return ".".join((*path, key))
            found = operator_key(inner, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found = operator_key(inner, (*path, str(index)))
            if found:
                return found
    return None


def _is_json(scope: Scope) -> bool:
    raw: bytes = dict(scope["headers"]).get(b"content-type", b"")
    content_type = raw.split(b";")[0].strip().lower()
    return content_type == b"application/json" or content_type.endswith(b"+json")


class OperatorKeyGuard:
    """422 for JSON bodies holding `$`-prefixed keys, before any route parses them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE")
            or get_route_path(scope).startswith(EXEMPT_PREFIXES)
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client went away; let the app see it
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            found = operator_key(json.loads(body)) if body else None
        except ValueError:
            found = None  # not JSON: the route's own validation answers
        if found is not None:
            await _send_json(
                send,
                422,
                {
                    "error": "validation_error",
                    "message": f"{found}: keys starting with '$' are not accepted",
                },
            )
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
