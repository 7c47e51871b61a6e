"""The guard every JSON request body passes before a route parses it.

It refuses what no route should see: MongoDB operators smuggled in keys
(`{"author": {"$ne": null}}`; request models usually refuse such shapes already, but a
dict-typed field or a forgotten model could carry one into a query), JSON nested deeper than
`bodies.MAX_DEPTH` (Python's parser would raise RecursionError, a 500), and a request with two
`Content-Type` headers (the guard and FastAPI could read different ones, and a body FastAPI
parses as JSON would pass unchecked). Only keys count: a `$` inside a text value is just text.
Paths under /webhooks/ are left alone: their bodies are the platforms' (Bluesky's `$type`, ...)
and their signatures cover the raw bytes, which reach the route untouched either way (the guard
replays the bytes it read); ingest parses them with the same depth limit.
"""

from __future__ import annotations

from email.message import Message as MimeHeader
from typing import Any

from starlette._utils import get_route_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ensemble_shared.web.bodies import JsonTooDeep, parse_json
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


def _content_types(scope: Scope) -> list[bytes]:
    return [value for name, value in scope["headers"] if name.lower() == b"content-type"]


def is_json_type(content_type: str) -> bool:
    """Whether FastAPI parses a body of this Content-Type as JSON (the same test it makes)."""
    header = MimeHeader()
    header["content-type"] = content_type
    subtype = header.get_content_subtype()
    return header.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _refusal(body: bytes) -> tuple[int, str] | None:
    """The status and reason to refuse a JSON body with, or None to let the route decide."""
    try:
        found = operator_key(parse_json(body)) if body else None
    except JsonTooDeep as exc:
        return 422, f"body: {exc}"
    except ValueError:
        return None  # not JSON: the route's own validation answers
    if found is not None:
        return 422, f"{found}: keys starting with '$' are not accepted"
    return None


class OperatorKeyGuard:
    """422 for JSON bodies holding `$`-prefixed keys or nested too deep, 400 for two
    Content-Type headers, before any route parses them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE")
            or get_route_path(scope).startswith(EXEMPT_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        content_types = _content_types(scope)
        if len(content_types) > 1:
            reason = "send one Content-Type header, not several"
            await _send_json(send, 400, {"error": "bad_request", "message": reason})
            return
        if not content_types or not is_json_type(content_types[0].decode("latin-1")):
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
        refusal = _refusal(body)
        if refusal is not None:
            status, reason = refusal
            await _send_json(send, status, {"error": "validation_error", "message": reason})
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
