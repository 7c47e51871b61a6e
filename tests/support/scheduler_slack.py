"""Slack's Web API as a bot sees it: chat.postMessage and the history it reads back.

As documented (api.slack.com/methods/chat.postMessage, conversations.history,
conversations.replies, /apis/docs/rate-limits): a bearer bot token; HTTP 200 with `ok: false`
and an error name for most failures (`channel_not_found`, `invalid_auth`, …); a 429 with
`Retry-After` (seconds) when over the rate; message `metadata` kept and handed back with
`include_all_metadata=true`; `oldest` bounds the history by ts.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

TOKEN = "xoxb-1234-5678-brandbot"
CHANNEL = "C0ENSEMBLE"


def throttled(seconds: int = 1) -> Scripted:
    return Scripted(429, {"ok": False, "error": "ratelimited"}, {"retry-after": str(seconds)})


class FakeSlack(FakeOutbound):
    def __init__(self) -> None:
        super().__init__()
        self.channels: dict[str, list[dict[str, Any]]] = {CHANNEL: []}
        self._seq = itertools.count(1)
        self._serve(
            Starlette(
                routes=[
                    Route("/api/chat.postMessage", self._post, methods=["POST"]),
                    Route("/api/conversations.history", self._history, methods=["GET"]),
                    Route("/api/conversations.replies", self._replies, methods=["GET"]),
                ]
            )
        )

    @property
    def api(self) -> str:
        return f"{self.base_url}/api"

    def seed(self, text: str, channel: str = CHANNEL) -> dict[str, Any]:
        """A member's message (the mention a reply answers)."""
        return self._add(channel, {"type": "message", "user": "U0MEMBER", "text": text})

    def messages(self, channel: str = CHANNEL) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.channels.get(channel, []))

    def _add(self, channel: str, message: dict[str, Any]) -> dict[str, Any]:
        message["ts"] = f"{int(time.time())}.{next(self._seq):06d}"
        with self._lock:
            self.channels.setdefault(channel, []).append(message)
        return message

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {TOKEN}"

    async def _post(self, request: Request) -> Response:
        body = (await self._log(request))["body"] or {}
        if not self._authorized(request):
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        channel = str(body.get("channel", ""))
        if channel not in self.channels:
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        if not str(body.get("text", "")).strip():
            return JSONResponse({"ok": False, "error": "no_text"})
        thread = body.get("thread_ts")
        if thread is not None and not any(m["ts"] == thread for m in self.messages(channel)):
            return JSONResponse({"ok": False, "error": "thread_not_found"})
        message: dict[str, Any] = {"type": "message", "bot_id": "B0BRAND", "text": body["text"]}
        if thread is not None:
            message["thread_ts"] = thread
        if body.get("metadata"):
            message["metadata"] = body["metadata"]
        stored = self._add(channel, message)
        await self.hang(scripted)
        return JSONResponse({"ok": True, "channel": channel, "ts": stored["ts"], "message": stored})

    def _read(self, request: Request, thread: str | None) -> Response:
        q = request.query_params
        if not self._authorized(request):
            return JSONResponse({"ok": False, "error": "invalid_auth"})
        channel = q.get("channel", "")
        if channel not in self.channels:
            return JSONResponse({"ok": False, "error": "channel_not_found"})
        oldest = float(q.get("oldest", "0"))
        found = [m for m in self.messages(channel) if float(m["ts"]) >= oldest]
        if thread is not None:
            found = [m for m in found if m["ts"] == thread or m.get("thread_ts") == thread]
        if q.get("include_all_metadata") != "true":
            found = [{k: v for k, v in m.items() if k != "metadata"} for m in found]
        return JSONResponse({"ok": True, "messages": found, "has_more": False})

    async def _history(self, request: Request) -> Response:
        await self._log(request)
        return self._read(request, None)

    async def _replies(self, request: Request) -> Response:
        await self._log(request)
        thread = request.query_params.get("ts")
        if not thread:
            return JSONResponse({"ok": False, "error": "thread_not_found"})
        return self._read(request, thread)
