"""X's API v2 as a brand's account sees it: posts and replies, media uploads, the account's
timeline, and a media host serving the images an item links to.

As documented (docs.x.com: x-api/posts/manage-tweets, x-api/media/upload, x-api/posts/timelines,
x-api/users/lookup, fundamentals/response-codes-and-errors, fundamentals/rate-limits): a user
token as `Authorization: Bearer`; `POST /2/tweets` answers 201 `{"data": {"id", "text"}}`;
errors are problem details (`{"title", "detail", "type", "status"}`, 401 for a token X no
longer honours, 403 for duplicate content) or `{"errors": [...]}` for invalid requests; every
answer carries `x-rate-limit-limit / -remaining / -reset` (epoch seconds) and a 429 says "Too
Many Requests" with `x-rate-limit-remaining: 0`. Media uploads are multipart (`media`,
`media_category`) answered `{"data": {"id", "media_key"}}`. The timeline is newest first,
bounded by `start_time`, paged by `next_token`; a post's `text` comes back as X stores it:
links rewritten to t.co, `&`, `<` and `>` escaped, a t.co link appended for attached media.
"""

from __future__ import annotations

import html
import itertools
import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

TOKEN = "bWVkaWFfd3JpdGUtdXNlci1jb250ZXh0LXRva2Vu"
USER_ID = "1460000000000000001"
USERNAME = "acme"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048  # a PNG signature and padding: X reads no further here
_LINK = re.compile(r"https?://\S+")


def problem(status: int, title: str, detail: str, kind: str = "about:blank") -> Scripted:
    return Scripted(status, {"title": title, "detail": detail, "type": kind, "status": status})


def too_many(seconds: int = 1) -> Scripted:
    """X's answer to a caller over its 15-minute budget, reset `seconds` after it is sent."""
    answer = problem(429, "Too Many Requests", "Too Many Requests")
    reset = f"+{seconds}"  # made an epoch time when answered
    headers = {
        "x-rate-limit-limit": "100",
        "x-rate-limit-remaining": "0",
        "x-rate-limit-reset": reset,
    }
    return Scripted(429, answer.body, headers)


class FakeX(FakeOutbound):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(int(time.time() * 1000) << 22)
        self.posts: dict[str, dict[str, Any]] = {}  # id → post as X stores it
        self.media: dict[str, dict[str, Any]] = {}  # media id → upload
        self.images: dict[str, bytes] = {}  # path on the media host → bytes
        self.revoked = False
        self._serve(
            Starlette(
                routes=[
                    Route("/2/tweets", self._create, methods=["POST"]),
                    Route("/2/tweets/{id}", self._delete, methods=["DELETE"]),
                    Route("/2/media/upload", self._upload, methods=["POST"]),
                    Route("/2/users/me", self._me, methods=["GET"]),
                    Route("/2/users/{id}/tweets", self._timeline, methods=["GET"]),
                    Route("/cdn/{name}", self._image, methods=["GET"]),
                ]
            )
        )

    # -- seeding and reading ----------------------------------------------------------------

    def image(self, name: str, data: bytes = PNG) -> str:
        """An image on the media host: its address."""
        with self._lock:
            self.images[name] = data
        return f"{self.base_url}/cdn/{name}"

    def someone_posts(self, text: str) -> dict[str, Any]:
        """A post by another account mentioning the brand (what a reply answers)."""
        return self._add(text, author="2244994945", reply_to=None, media=[])

    def brand_posts(self) -> list[dict[str, Any]]:
        """What the account posted through the API, oldest first."""
        with self._lock:
            return [p for p in self.posts.values() if p["author"] == USER_ID]

    def _add(
        self, text: str, *, author: str, reply_to: str | None, media: list[str]
    ) -> dict[str, Any]:
        post_id = str(next(self._ids))
        stored = _LINK.sub(
            lambda _: f"https://t.co/{secrets.token_hex(5)}", html.escape(text, quote=False)
        )
        if media:
            stored += f" https://t.co/{secrets.token_hex(5)}"
        post = {
            "id": post_id,
            "text": stored,
            "sent": text,
            "author": author,
            "reply_to": reply_to,
            "media": media,
            "at": datetime.now(UTC),
        }
        with self._lock:
            self.posts[post_id] = post
        return post

    # -- the API ----------------------------------------------------------------------------

    def _refused(self, request: Request) -> Response | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN}" or self.revoked:
            return problem(401, "Unauthorized", "Unauthorized").response()
        return None

    async def _create(self, request: Request) -> Response:
        entry = await self._log(request)
        entry["at"] = time.monotonic()
        refused = self._refused(request)
        if refused is not None:
            return refused
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return self._scripted(scripted)
        body = entry["body"] or {}
        text = str(body.get("text", ""))
        reply_to = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        media = list((body.get("media") or {}).get("media_ids") or [])
        if reply_to is not None and reply_to not in self.posts:
            return problem(
                403,
                "Forbidden",
                "Reply to a Tweet that is deleted or not visible to you.",
            ).response()
        if any(m not in self.media for m in media) or len(media) > 4:
            errors = [
                {"message": "Your media IDs are invalid.", "parameters": {"media.media_ids": media}}
            ]
            return JSONResponse(
                {
                    "errors": errors,
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                },
                status_code=400,
            )
        if any(p["sent"] == text and p["author"] == USER_ID for p in self.brand_posts()):
            return problem(
                403, "Forbidden", "You are not allowed to create a Tweet with duplicate content."
            ).response()
        post = self._add(text, author=USER_ID, reply_to=reply_to, media=media)
        await self.hang(scripted)
        return JSONResponse({"data": {"id": post["id"], "text": post["text"]}}, status_code=201)

    @staticmethod
    def _scripted(scripted: Scripted) -> Response:
        """The scripted answer, its relative reset (`+2`) made the epoch second X would send."""
        headers = dict(scripted.headers)
        reset = headers.get("x-rate-limit-reset", "")
        if reset.startswith("+"):
            headers["x-rate-limit-reset"] = str(int(time.time()) + int(reset))
        return Scripted(scripted.status, scripted.body, headers).response()

    async def _delete(self, request: Request) -> Response:
        await self._log(request)
        refused = self._refused(request)
        if refused is not None:
            return refused
        with self._lock:
            gone = self.posts.pop(str(request.path_params["id"]), None)
        return JSONResponse({"data": {"deleted": gone is not None}})

    async def _upload(self, request: Request) -> Response:
        entry = await self._log(request)
        refused = self._refused(request)
        if refused is not None:
            return refused
        async with request.form() as form:
            upload = form.get("media")
            fields = {k: str(v) for k, v in form.items() if k != "media"}
            if upload is None or isinstance(upload, str):
                return problem(400, "Invalid Request", "The media field is required.").response()
            data = await upload.read()
            entry["form"] = {
                **fields,
                "filename": upload.filename,
                "type": upload.content_type,
                "size": len(data),
            }
        media_id = str(next(self._ids))
        with self._lock:
            self.media[media_id] = {"data": data, **fields}
        body = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": len(data),
            "expires_after_secs": 86400,
        }
        return JSONResponse({"data": body})

    async def _me(self, request: Request) -> Response:
        await self._log(request)
        refused = self._refused(request)
        if refused is not None:
            return refused
        return JSONResponse({"data": {"id": USER_ID, "name": "Acme", "username": USERNAME}})

    async def _timeline(self, request: Request) -> Response:
        await self._log(request)
        refused = self._refused(request)
        if refused is not None:
            return refused
        query = request.query_params
        start = datetime.fromisoformat(
            query.get("start_time", "1970-01-01T00:00:00Z").replace("Z", "+00:00")
        )
        size = int(query.get("max_results", "10"))
        mine = [
            p
            for p in self.brand_posts()
            if request.path_params["id"] == USER_ID and p["at"] >= start
        ]
        mine.sort(key=lambda p: p["at"], reverse=True)
        skip = int(query.get("pagination_token", "0"))
        page = mine[skip : skip + size]
        meta: dict[str, Any] = {"result_count": len(page)}
        if skip + size < len(mine):
            meta["next_token"] = str(skip + size)
        return JSONResponse(
            {"data": [self._shape(p) for p in page], "meta": meta} if page else {"meta": meta}
        )

    @staticmethod
    def _shape(post: dict[str, Any]) -> dict[str, Any]:
        shaped: dict[str, Any] = {
            "id": post["id"],
            "text": post["text"],
            "created_at": post["at"].isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "edit_history_tweet_ids": [post["id"]],
        }
        if post["reply_to"]:
            shaped["referenced_tweets"] = [{"type": "replied_to", "id": post["reply_to"]}]
        if post["media"]:
            shaped["attachments"] = {"media_keys": [f"3_{m}" for m in post["media"]]}
        return shaped

    async def _image(self, request: Request) -> Response:
        await self._log(request)
        data = self.images.get(str(request.path_params["name"]))
        if data is None:
            return Response(status_code=404)
        return Response(data, media_type="image/png")
