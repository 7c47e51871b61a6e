"""The YouTube Data API v3 as a channel's OAuth token sees it: comment threads and replies.

As documented (developers.google.com/youtube/v3/docs: comments, commentThreads, errors):
`part=snippet` on every call; a reply is `comments.insert` with `snippet.parentId` (a top-level
comment: YouTube nests one level) and `textOriginal`; a comment on a video is
`commentThreads.insert` with `snippet.videoId` and `topLevelComment.snippet.textOriginal`; a
comment resource carries `snippet.authorChannelId.value`, `textOriginal`, `publishedAt`
(RFC 3339, `Z`); lists are `{"items": [...], "nextPageToken"}`, comment threads newest first
with `order=time`; errors are `{"error": {"code", "message", "errors": [{"message", "domain",
"reason"}], "status"}}` — `authError` (401), `quotaExceeded` and `rateLimitExceeded` (403).
"""

from __future__ import annotations

import itertools
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

TOKEN = "ya29.brandChannelToken0123456789"
CHANNEL_ID = "UCbrandChannel0123456789"
MEMBER_CHANNEL = "UCmemberChannel987654321"
VIDEO_ID = "dQw4w9WgXcQ"


def google_error(status: int, reason: str, message: str, domain: str = "youtube") -> Scripted:
    return Scripted(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": domain, "reason": reason}],
            }
        },
    )


def rate_limited() -> Scripted:
    return google_error(403, "rateLimitExceeded", "The request rate is too high.", "usageLimits")


def quota_spent() -> Scripted:
    return google_error(
        403,
        "quotaExceeded",
        "The request cannot be completed because you have exceeded your quota.",
        "youtube.quota",
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeYouTube(FakeOutbound):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(1)
        self.comments: list[dict[str, Any]] = []  # every comment resource, oldest first
        self.revoked = False
        self._serve(
            Starlette(
                routes=[
                    Route("/youtube/v3/comments", self._comments, methods=["GET", "POST"]),
                    Route("/youtube/v3/commentThreads", self._threads, methods=["GET", "POST"]),
                ]
            )
        )

    # -- seeding and reading ---------------------------------------------------------------

    def _comment(
        self, text: str, author: str, video: str, parent: str | None = None
    ) -> dict[str, Any]:
        n = next(self._ids)
        own = f"Ugz{secrets.token_hex(8)}{n:04d}AaABAg"
        comment = {
            "kind": "youtube#comment",
            "etag": secrets.token_hex(8),
            "id": f"{parent}.{secrets.token_hex(6)}" if parent else own,
            "snippet": {
                "videoId": video,
                "textDisplay": text,
                "textOriginal": text,
                "authorChannelId": {"value": author},
                "publishedAt": _now(),
                "updatedAt": _now(),
                **({"parentId": parent} if parent else {}),
            },
        }
        with self._lock:
            self.comments.append(comment)
        return comment

    def member_comment(self, text: str, video: str = VIDEO_ID) -> dict[str, Any]:
        """A viewer's top-level comment (what a reply answers)."""
        return self._comment(text, MEMBER_CHANNEL, video)

    def brand_comments(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                c for c in self.comments if c["snippet"]["authorChannelId"]["value"] == CHANNEL_ID
            ]

    # -- the API ---------------------------------------------------------------------------

    def _refusal(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN}" or self.revoked:
            return google_error(
                401,
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
                "global",
            ).response()
        if request.query_params.get("part") != "snippet":
            return google_error(400, "required", "Required parameter: part", "global").response()
        return None

    async def _write(self, request: Request) -> tuple[dict[str, Any], Scripted | None] | Response:
        """The JSON body of a write, or the answer that takes its place."""
        entry = await self._log(request)
        entry["at"] = time.monotonic()
        refused = self._refusal(request)
        if refused is not None:
            return refused
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        return (entry["body"] or {}).get("snippet") or {}, scripted

    async def _comments(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._list(request, "comments")
        written = await self._write(request)
        if isinstance(written, Response):
            return written
        snippet, scripted = written
        with self._lock:
            parent = next((c for c in self.comments if c["id"] == snippet.get("parentId")), None)
        if parent is None or "parentId" in parent["snippet"]:
            return google_error(
                404, "parentCommentNotFound", "The parent comment could not be found."
            ).response()
        text = snippet.get("textOriginal")
        if not isinstance(text, str) or not text.strip():
            return google_error(400, "commentTextRequired", "The comment is empty.").response()
        reply = self._comment(text, CHANNEL_ID, parent["snippet"]["videoId"], parent["id"])
        await self.hang(scripted)
        return JSONResponse(reply)

    async def _threads(self, request: Request) -> Response:
        if request.method == "GET":
            return await self._list(request, "commentThreads")
        written = await self._write(request)
        if isinstance(written, Response):
            return written
        snippet, scripted = written
        video = snippet.get("videoId")
        text = ((snippet.get("topLevelComment") or {}).get("snippet") or {}).get("textOriginal")
        if video != VIDEO_ID:
            return google_error(404, "videoNotFound", "The video could not be found.").response()
        if not isinstance(text, str) or not text.strip():
            return google_error(400, "commentTextRequired", "The comment is empty.").response()
        top = self._comment(text, CHANNEL_ID, video)
        await self.hang(scripted)
        return JSONResponse(self._as_thread(top))

    @staticmethod
    def _as_thread(top: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": "youtube#commentThread",
            "id": top["id"],
            "snippet": {
                "videoId": top["snippet"]["videoId"],
                "topLevelComment": top,
                "canReply": True,
                "totalReplyCount": 0,
                "isPublic": True,
            },
        }

    async def _list(self, request: Request, resource: str) -> Response:
        await self._log(request)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        query = request.query_params
        with self._lock:
            if resource == "comments":
                found = [
                    c
                    for c in self.comments
                    if c["snippet"].get("parentId") == query.get("parentId")
                ]
            else:
                tops = [
                    c
                    for c in self.comments
                    if c["snippet"]["videoId"] == query.get("videoId")
                    and "parentId" not in c["snippet"]
                ]
                found = [self._as_thread(c) for c in reversed(tops)]  # order=time: newest first
        start = int(query.get("pageToken") or "0")
        size = int(query.get("maxResults", "20"))
        body: dict[str, Any] = {"items": found[start : start + size]}
        if start + size < len(found):
            body["nextPageToken"] = str(start + size)
        return JSONResponse(body)
