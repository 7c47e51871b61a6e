"""A Mastodon instance as a publishing brand account sees it: the statuses API.

As documented (docs.joinmastodon.org methods/statuses, methods/accounts) and as Mastodon behaves:
`POST /api/v1/statuses` answers the created status; a repeat with the same `Idempotency-Key`
answers the status the first call created (Mastodon keeps keys an hour); `content` is HTML;
`GET /api/v1/accounts/:id/statuses` lists the account's statuses newest first (`limit` ≤ 40,
`max_id`); `GET /api/v1/statuses/:id` one status, 404 when unknown.

`hang_next_posts(n, seconds)`: the next n POSTs create the status and then keep the connection
for `seconds` before answering — the client times out although the status exists.
`fail_next_lookups(n)`: the next n account-statuses listings answer 503 (the platform cannot
say yet whether a post exists).

Media (methods/media): `POST /api/v2/media` (multipart `file`) answers 202 with the attachment
and a null `url` while it processes; `GET /api/v1/media/:id` answers 206 while processing (two
checks here), then 200 with its `url`. A status naming an attachment still processing, or
unknown, is a 422, as Mastodon answers it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.threaded_server import ThreadedServer

TOKEN = "brand-publish-token"
ACCOUNT = {"id": "109334860508022726", "username": "brand", "acct": "brand"}


class FakeMastodonOut(ThreadedServer):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self._ids = itertools.count(110_000_000_000_000_001)
        self.statuses: list[dict[str, Any]] = []  # oldest first
        self.posts: list[dict[str, Any]] = []  # every POST received: headers and body
        self._by_key: dict[str, dict[str, Any]] = {}
        self._hang: list[float] = []
        self._failing_lookups = 0
        self.media: dict[str, dict[str, Any]] = {}  # id → attachment, its bytes, checks left
        self._serve(
            Starlette(
                routes=[
                    Route("/api/v1/statuses", self._post_status, methods=["POST"]),
                    Route("/api/v1/statuses/{id}", self._get_status, methods=["GET"]),
                    Route("/api/v1/accounts/verify_credentials", self._me, methods=["GET"]),
                    Route("/api/v2/media", self._upload, methods=["POST"]),
                    Route("/api/v1/media/{id}", self._media_state, methods=["GET"]),
                    Route(
                        "/api/v1/accounts/{id}/statuses", self._account_statuses, methods=["GET"]
                    ),
                ]
            )
        )

    def hang_next_posts(self, times: int = 1, seconds: float = 3.0) -> None:
        with self._lock:
            self._hang.extend([seconds] * times)

    def fail_next_lookups(self, times: int = 1) -> None:
        with self._lock:
            self._failing_lookups += times

    def created(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.statuses)

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    @staticmethod
    def _unauthorized() -> Response:
        return JSONResponse({"error": "The access token is invalid"}, status_code=401)

    async def _post_status(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        body = await request.json()
        key = request.headers.get("idempotency-key")
        with self._lock:
            self.posts.append({"headers": dict(request.headers), "body": body})
            hang = self._hang.pop(0) if self._hang else None
            status = self._by_key.get(key) if key else None
            if status is None:
                media_ids = [str(m) for m in body.get("media_ids") or []]
                attached = [self.media.get(m) for m in media_ids]
                if any(a is None or a["checks_left"] > 0 for a in attached):
                    error = "Cannot attach files that have not finished processing."
                    return JSONResponse({"error": error}, status_code=422)
                if not str(body.get("status", "")).strip() and not media_ids:
                    return JSONResponse({"error": "Validation failed"}, status_code=422)
                identifier = str(next(self._ids))
                text = html.escape(str(body["status"])).replace("\n", "<br />")
                status = {
                    "id": identifier,
                    "created_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                    "in_reply_to_id": body.get("in_reply_to_id"),
                    "visibility": body.get("visibility", "public"),
                    "content": f"<p>{text}</p>",
                    "url": f"{self.base_url}/@brand/{identifier}",
                    "account": ACCOUNT,
                    "media_attachments": [a["attachment"] for a in attached if a is not None],
                }
                self.statuses.append(status)
                if key:
                    self._by_key[key] = status
        if hang is not None:
            await asyncio.sleep(hang)
        return JSONResponse(status)

    async def _get_status(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        with self._lock:
            found = next((s for s in self.statuses if s["id"] == request.path_params["id"]), None)
        if found is None:
            return JSONResponse({"error": "Record not found"}, status_code=404)
        return JSONResponse(found)

    async def _me(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        return JSONResponse(ACCOUNT)

    async def _account_statuses(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        if request.path_params["id"] != ACCOUNT["id"]:
            return JSONResponse({"error": "Record not found"}, status_code=404)
        with self._lock:
            failing = self._failing_lookups > 0
            self._failing_lookups = max(self._failing_lookups - 1, 0)
        if failing:
            return JSONResponse({"error": "Service unavailable"}, status_code=503)
        limit = min(int(request.query_params.get("limit", "20")), 40)
        max_id = request.query_params.get("max_id")
        with self._lock:
            newest_first = list(reversed(self.statuses))
        if max_id is not None:
            newest_first = [s for s in newest_first if int(s["id"]) < int(max_id)]
        return JSONResponse(newest_first[:limit])

    async def _upload(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        form = await request.form()
        upload = form.get("file")
        if isinstance(upload, str) or upload is None:
            return JSONResponse({"error": "Validation failed: File can't be blank"}, 422)
        data = await upload.read()
        with self._lock:
            identifier = str(next(self._ids))
            attachment = {"id": identifier, "type": "image", "url": None}
            self.media[identifier] = {
                "attachment": attachment,
                "data": data,
                "mime": upload.content_type,
                "checks_left": 2,
            }
        return JSONResponse(attachment, status_code=202)

    async def _media_state(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._unauthorized()
        with self._lock:
            found = self.media.get(request.path_params["id"])
            if found is None:
                return JSONResponse({"error": "Record not found"}, status_code=404)
            if found["checks_left"] > 0:
                found["checks_left"] -= 1
                return JSONResponse(found["attachment"], status_code=206)
            found["attachment"]["url"] = f"{self.base_url}/files/{found['attachment']['id']}.png"
            return JSONResponse(found["attachment"])
