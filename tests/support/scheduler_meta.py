"""Meta's Graph API as a Facebook Page and its linked Instagram professional account see it:
Page posts and comments, Instagram comment replies, image containers and `media_publish`.

As documented (developers.facebook.com/docs: graph-api/guides/error-handling,
graph-api/overview/rate-limiting, graph-api/reference/page/feed, object/comments,
instagram-platform/content-publishing, ig-comment/replies): the version in the path; the token
as `Authorization: Bearer` or `access_token`; form-encoded writes answered `{"id": …}`; every
error as `{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}` — 190 for a
token that is no longer valid, 4/17/32/613 when throttled, with `x-business-use-case-usage`
carrying `estimated_time_to_regain_access` (minutes); lists as `{"data": [...], "paging"}`
newest first; times as `2026-12-07T16:20:00+0000`; `since` (epoch seconds) bounds the feed.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

VERSION = "v21.0"
TOKEN = "EAAGbrandPageToken0123456789"
PAGE_ID = "104857600000001"
IG_USER_ID = "17841400000000001"
BUSINESS = "998877665544"


def graph_error(status: int, code: int, message: str, subcode: int | None = None) -> Scripted:
    error: dict[str, Any] = {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": f"A{secrets.token_hex(8)}",
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    return Scripted(status, {"error": error})


def throttled(code: int = 32, minutes: int = 0) -> Scripted:
    """A throttled write: the error code and the business-use-case usage header Meta sends."""
    usage = {
        BUSINESS: [
            {
                "type": "pages",
                "call_count": 100,
                "total_cputime": 40,
                "total_time": 60,
                "estimated_time_to_regain_access": minutes,
            }
        ]
    }
    answer = graph_error(400, code, "User request limit reached")
    return Scripted(answer.status, answer.body, {"x-business-use-case-usage": json.dumps(usage)})


def _time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S+0000")


class FakeGraph(FakeOutbound):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(900_000_001)
        self.objects: dict[str, dict[str, Any]] = {}  # id → post, comment or media
        self.containers: dict[str, dict[str, Any]] = {}
        self.revoked = False
        self.files: dict[str, tuple[str, int]] = {}  # the brand's CDN: name → type, size
        self.user_tokens: Callable[[str], bool] = lambda token: False
        self._serve(
            Starlette(
                routes=[
                    Route("/{version}/{node}/{edge}", self._edge, methods=["GET", "POST"]),
                    Route("/cdn/{name}", self._file, methods=["GET", "HEAD"]),
                    Route("/{version}/{node}", self._object, methods=["GET"]),
                ]
            )
        )

    # -- seeding and reading ---------------------------------------------------------------

    def _add(self, kind: str, parent: str | None, **fields: Any) -> dict[str, Any]:
        n = str(next(self._ids))
        object_id = f"{PAGE_ID}_{n}" if kind == "fb" and parent is None else n
        item = {"id": object_id, "kind": kind, "parent": parent, "at": datetime.now(UTC), **fields}
        with self._lock:
            self.objects[object_id] = item
        return item

    def visitor_comment(self, message: str) -> dict[str, Any]:
        """A person's comment under a Page post (what a Facebook reply answers)."""
        post = self._add("fb", None, message="Our new range", author=PAGE_ID, seeded=True)
        return self._add("fb", post["id"], message=message, author="5550001")

    def ig_comment(self, text: str) -> dict[str, Any]:
        """A person's comment on the account's Instagram media."""
        media = self._add("ig_media", None, caption="Autumn drop", author=IG_USER_ID, seeded=True)
        return self._add("ig_comment", media["id"], text=text, author="17841499999")

    def ig_mentions(self, caption: str, comment: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Another account's media whose caption @mentions the brand, and a comment there that
        @mentions it too (what Instagram's `mentions` webhooks announce)."""
        media = self._add("ig_media", None, caption=caption, author="17841488888", seeded=True)
        said = self._add("ig_comment", media["id"], text=comment, author="17841499999", seeded=True)
        return media, said

    def image(self, name: str, *, kind: str = "image/jpeg", size: int = 48_000) -> str:
        """An image on the brand's CDN (served beside the API), and its address."""
        self.files[name] = (kind, size)
        return f"{self.base_url}/cdn/{name}"

    async def _file(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name not in self.files:
            return Response(status_code=404)
        kind, size = self.files[name]
        body = b"" if request.method == "HEAD" else b"\xff" * size
        return Response(body, headers={"content-type": kind, "content-length": str(size)})

    def brand_writes(self, kind: str) -> list[dict[str, Any]]:
        """What the account wrote through the API (not what the test seeded), oldest first."""
        author = IG_USER_ID if kind.startswith("ig") else PAGE_ID
        with self._lock:
            return [
                o
                for o in self.objects.values()
                if o["kind"] == kind and o["author"] == author and not o.get("seeded")
            ]

    def _children(self, parent: str | None, kind: str) -> list[dict[str, Any]]:
        with self._lock:
            return [o for o in self.objects.values() if o["parent"] == parent and o["kind"] == kind]

    # -- the API ---------------------------------------------------------------------------

    def _token(self, request: Request, form: dict[str, str]) -> str:
        bearer = request.headers.get("authorization", "")
        if bearer.startswith("Bearer "):
            return bearer.removeprefix("Bearer ")
        return request.query_params.get("access_token") or form.get("access_token", "")

    async def _object(self, request: Request) -> Response:
        """One node: the Page (its own token, for a user token that manages it), or an
        object's permalink."""
        if request.path_params["node"] == PAGE_ID:
            return await self._page(request)
        if request.path_params["node"] == IG_USER_ID:
            return await self._mentioned(request)
        return await self._node(request)

    async def _mentioned(self, request: Request) -> Response:
        """`GET /{ig-user-id}?fields=mentioned_media.media_id(ID){comments{…}}` or
        `mentioned_comment.comment_id(ID){replies{…}}`: what was written under a mention."""
        await self._log(request)
        if self._token(request, {}) != TOKEN or self.revoked:
            return self._error(400, 190, "Invalid OAuth access token.")
        fields = request.query_params.get("fields", "")
        found = re.match(r"(mentioned_media|mentioned_comment)\.\w+\((\d+)\)", fields)
        target = self.objects.get(found.group(2)) if found else None
        if found is None or target is None:
            return self._error(400, 100, "(#100) Tried accessing nonexisting field")
        edge = "comments" if found.group(1) == "mentioned_media" else "replies"
        under = sorted(self._children(target["id"], "ig_comment"), key=lambda o: o["at"])
        answers = [
            {"id": o["id"], "text": o["text"], "timestamp": _time(o["at"]), "username": "acme"}
            for o in reversed(under)
        ]
        return JSONResponse({found.group(1): {"id": target["id"], edge: {"data": answers}}})

    async def _page(self, request: Request) -> Response:
        """`GET /{page-id}?fields=access_token,name` with a user token that manages the Page
        (`user_tokens`: e.g. an OAuth provider's valid ones): the Page's own token."""
        await self._log(request)
        user = self._token(request, {})
        if request.path_params["node"] != PAGE_ID or not self.user_tokens(user):
            return self._error(400, 190, "Invalid OAuth access token.")
        return JSONResponse({"id": PAGE_ID, "name": "Acme Page", "access_token": TOKEN})

    @staticmethod
    def _error(status: int, code: int, message: str, subcode: int | None = None) -> Response:
        return graph_error(status, code, message, subcode).response()

    async def _edge(self, request: Request) -> Response:
        entry = await self._log(request)
        form = dict(parse_qsl(entry["raw"].decode())) if request.method == "POST" else {}
        entry["form"] = form
        entry["at"] = time.monotonic()
        p = request.path_params
        if p["version"] != VERSION:
            return self._error(400, 2635, f"Unknown API version {p['version']}")
        if self._token(request, form) != TOKEN or self.revoked:
            return self._error(
                400,
                190,
                "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                460,
            )
        node, edge = str(p["node"]), str(p["edge"])
        if request.method == "GET":
            return self._list(node, edge, dict(request.query_params))
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        answer = self._write(node, edge, form)
        await self.hang(scripted)
        return answer

    async def _node(self, request: Request) -> Response:
        """One object's fields: a comment's `permalink_url` (its post's address with the
        comment's id, as facebook.com links a comment)."""
        found = self.objects.get(request.path_params["node"])
        if self._token(request, {}) != TOKEN or self.revoked or found is None:
            return self._error(400, 100, "Unsupported get request.")
        parent = found["parent"] or found["id"]
        link = f"https://www.facebook.com/{parent}?comment_id={found['id']}"
        return JSONResponse({"id": found["id"], "permalink_url": link})

    def _write(self, node: str, edge: str, form: dict[str, str]) -> Response:
        message = form.get("message", "")
        if edge == "feed" and node == PAGE_ID:
            if not message.strip() and not form.get("link"):
                return self._error(400, 100, "(#100) Missing message or attachment")
            post = self._add("fb", None, message=message, link=form.get("link"), author=PAGE_ID)
            return JSONResponse({"id": post["id"]})
        target = self.objects.get(node)
        if edge == "comments" and target is not None and target["kind"] == "fb":
            if not message.strip():
                return self._error(400, 100, "(#100) Missing message or attachment")
            parent = node  # on a post, or under a top-level comment...
            grand = self.objects.get(target["parent"] or "")
            if grand is not None and grand["parent"] is not None:
                parent = target["parent"]  # ...a reply to a reply joins its thread (one level)
            reply = self._add("fb", parent, message=message, author=PAGE_ID)
            return JSONResponse({"id": reply["id"]})
        if edge == "replies" and target is not None and target["kind"] == "ig_comment":
            reply = self._add("ig_comment", node, text=message, author=IG_USER_ID)
            return JSONResponse({"id": reply["id"]})
        if edge == "mentions" and node == IG_USER_ID:
            on = self.objects.get(form.get("media_id", ""))
            under = self.objects.get(form["comment_id"]) if "comment_id" in form else on
            if on is None or under is None or not message.strip():
                return self._error(400, 100, "(#100) Invalid parameter")
            if under is not on and under["parent"] != on["id"]:
                return self._error(400, 100, "(#100) The comment is not on this media")
            answer = self._add("ig_comment", under["id"], text=message, author=IG_USER_ID)
            return JSONResponse({"id": answer["id"]})
        if edge == "media" and node == IG_USER_ID:
            return self._container(form)
        if edge == "media_publish" and node == IG_USER_ID:
            container = self.containers.pop(form.get("creation_id", ""), None)
            if container is None:
                return self._error(400, 9007, "The media is not ready for publishing", 2207027)
            media = self._add("ig_media", None, author=IG_USER_ID, **container)
            return JSONResponse({"id": media["id"]})
        return self._error(
            400, 100, f"(#100) Unsupported post request. Object with ID '{node}' does not exist"
        )

    def _container(self, form: dict[str, str]) -> Response:
        if form.get("media_type") == "CAROUSEL":
            children = form.get("children", "").split(",")
            if not 2 <= len(children) <= 10 or any(c not in self.containers for c in children):
                return self._error(400, 100, "(#100) Invalid children for a carousel")
            images = [self.containers.pop(c)["image_url"] for c in children]
            fields = {"caption": form.get("caption", ""), "images": images}
        elif not form.get("image_url", "").endswith(".jpg"):
            return self._error(400, 9004, "Only photo or video can be accepted as media type.")
        else:
            fields = {"caption": form.get("caption", ""), "image_url": form["image_url"]}
        container_id = str(next(self._ids))
        with self._lock:
            self.containers[container_id] = fields
        return JSONResponse({"id": container_id})

    def _list(self, node: str, edge: str, query: dict[str, str]) -> Response:
        since = float(query.get("since", "0"))
        if edge == "feed" and node == PAGE_ID:
            found = self._children(None, "fb")
        elif edge == "comments" and node in self.objects:
            found = self._children(node, "fb")
        elif edge == "replies" and node in self.objects:
            found = self._children(node, "ig_comment")
        elif edge == "media" and node == IG_USER_ID:
            found = self._children(None, "ig_media")
        else:
            return self._error(400, 100, f"(#100) Tried accessing nonexisting field ({edge})")
        found = [o for o in found if o["at"].timestamp() >= since]
        found.sort(key=lambda o: o["at"], reverse=True)
        return JSONResponse({"data": [self._shape(o) for o in found]})

    @staticmethod
    def _shape(item: dict[str, Any]) -> dict[str, Any]:
        """An object as the fields Graph returns for it."""
        at = _time(item["at"])
        author = {"id": item["author"]}
        if item["kind"] == "fb":
            return {
                "id": item["id"],
                "message": item["message"],
                "created_time": at,
                "from": author,
            }
        if item["kind"] == "ig_comment":
            return {"id": item["id"], "text": item["text"], "timestamp": at, "from": author}
        return {
            "id": item["id"],
            "caption": item.get("caption", ""),
            "timestamp": at,
            "permalink": f"https://www.instagram.com/p/{item['id']}/",
        }
