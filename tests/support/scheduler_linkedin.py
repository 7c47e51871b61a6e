"""LinkedIn's versioned REST API as an organisation's token sees it: posts, images, comments.

As documented (learn.microsoft.com/linkedin/marketing/community-management: shares/posts-api,
images-api, comments-api, little-text-format; shared/api-guide/concepts/error-handling):
`LinkedIn-Version: YYYYMM` and `X-Restli-Protocol-Version: 2.0.0` on every call; URNs in a path
percent-encoded (Rest.li 2.0); a created post answered 201 with its URN in `x-restli-id` and no
body; commentary in "little" text, whose reserved characters must be escaped (an unescaped one
is refused here, as LinkedIn garbles or refuses it); images registered with
`?action=initializeUpload` then PUT to the `uploadUrl`; errors as
`{"status", "serviceErrorCode", "code", "message"}`; finders (`q=author`) answered
`{"elements": [...], "paging": {"start", "count"}}` newest first; times in epoch milliseconds.

It also serves the item's images (`/cdn/{name}`), standing in for the brand's media host.
"""

from __future__ import annotations

import itertools
import re
import secrets
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

TOKEN = "AQXbrandOrgToken0123456789"
ORG_ID = "2414183"
ORG = f"urn:li:organization:{ORG_ID}"
_VERSION = re.compile(r"\d{6}")
# A little text is plain characters, escapes, and hashtag templates; nothing else reserved.
_LITTLE = re.compile(r"(?:[^\\|{}@\[\]()<>#*_~]|\\.|\{hashtag\|\\#\|(?:[^\\|{}]|\\.)+\})*", re.S)


def li_error(status: int, code: str, message: str, service: int | None = None) -> Scripted:
    body: dict[str, Any] = {"status": status, "code": code, "message": message}
    if service is not None:
        body["serviceErrorCode"] = service
    return Scripted(status, body)


def throttled(seconds: int = 1) -> Scripted:
    answer = li_error(429, "TOO_MANY_REQUESTS", "Resource level throttle limit reached")
    return Scripted(answer.status, answer.body, {"retry-after": str(seconds)})


def _ms() -> int:
    return int(time.time() * 1000)


class FakeLinkedIn(FakeOutbound):
    def __init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(7_100_000_000_000_000_001)
        self.posts: list[dict[str, Any]] = []
        self.comments: list[dict[str, Any]] = []
        self.images: dict[str, dict[str, Any]] = {}  # image URN → upload token, bytes
        self.cdn: dict[str, tuple[bytes, str]] = {}  # name → bytes, content type
        self.revoked = False
        self._serve(
            Starlette(
                routes=[
                    Route("/rest/posts", self._posts, methods=["GET", "POST"]),
                    Route("/rest/images", self._images, methods=["POST"]),
                    Route("/dms-uploads/{token}", self._upload, methods=["PUT"]),
                    Route(
                        "/rest/socialActions/{urn}/comments",
                        self._comments,
                        methods=["GET", "POST"],
                    ),
                    Route("/cdn/{name}", self._cdn, methods=["GET"]),
                ]
            )
        )

    # -- seeding and reading ---------------------------------------------------------------

    def member_post(self, text: str) -> dict[str, Any]:
        """A member's post (what a comment answers)."""
        post = {
            "id": f"urn:li:share:{next(self._ids)}",
            "author": "urn:li:person:8675309",
            "commentary": text,
            "createdAt": _ms(),
        }
        with self._lock:
            self.posts.append(post)
        return post

    def media(self, name: str, data: bytes, kind: str = "image/png") -> str:
        self.cdn[name] = (data, kind)
        return f"{self.base_url}/cdn/{name}"

    def brand_posts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [p for p in self.posts if p["author"] == ORG]

    def brand_comments(self) -> list[dict[str, Any]]:
        with self._lock:
            return [c for c in self.comments if c["actor"] == ORG]

    # -- the API ---------------------------------------------------------------------------

    def _refusal(self, request: Request) -> Response | None:
        """What LinkedIn answers a call without its headers or with a bad token."""
        if request.headers.get("authorization") != f"Bearer {TOKEN}" or self.revoked:
            return li_error(
                401, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked", 65601
            ).response()
        if not _VERSION.fullmatch(request.headers.get("linkedin-version", "")):
            return li_error(
                400,
                "VERSION_MISSING",
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
            ).response()
        if request.headers.get("x-restli-protocol-version") != "2.0.0":
            return li_error(400, "ILLEGAL_ARGUMENT", "Rest.li protocol 2.0.0 expected").response()
        return None

    async def _posts(self, request: Request) -> Response:
        entry = await self._log(request)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        if request.method == "GET":
            return self._find_posts(request)
        entry["at"] = time.monotonic()
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        body = entry["body"] or {}
        problem = self._invalid_post(body)
        if problem is not None:
            return li_error(422, "UNPROCESSABLE_ENTITY", problem).response()
        urn = f"urn:li:share:{next(self._ids)}"
        post = {
            "id": urn,
            "author": body["author"],
            "commentary": body["commentary"],
            "createdAt": _ms(),
            "lastModifiedAt": _ms(),
            "visibility": body["visibility"],
            "lifecycleState": body["lifecycleState"],
            "distribution": body["distribution"],
            **({"content": body["content"]} if "content" in body else {}),
        }
        with self._lock:
            self.posts.append(post)
        await self.hang(scripted)
        return Response(status_code=201, headers={"x-restli-id": urn})

    def _invalid_post(self, body: dict[str, Any]) -> str | None:
        if body.get("author") != ORG:
            return "/author: not an organization this token administers"
        if (body.get("visibility"), body.get("lifecycleState")) != ("PUBLIC", "PUBLISHED"):
            return "/visibility, /lifecycleState: PUBLIC and PUBLISHED expected"
        if (body.get("distribution") or {}).get("feedDistribution") != "MAIN_FEED":
            return "/distribution/feedDistribution: MAIN_FEED expected"
        commentary = body.get("commentary")
        if not isinstance(commentary, str) or not _LITTLE.fullmatch(commentary):
            return "/commentary: not valid little text (reserved characters must be escaped)"
        content = body.get("content") or {}
        media = [content["media"]] if "media" in content else []
        media += (content.get("multiImage") or {}).get("images") or []
        for item in media:
            image = self.images.get(str(item.get("id")))
            if image is None or image.get("data") is None:
                return f"/content: image {item.get('id')} was never uploaded"
        return None

    def _find_posts(self, request: Request) -> Response:
        query = request.query_params
        if query.get("q") != "author" or request.headers.get("x-restli-method") != "FINDER":
            return li_error(400, "ILLEGAL_ARGUMENT", "finder q=author expected").response()
        with self._lock:
            found = [p for p in self.posts if p["author"] == query.get("author")]
        found.sort(key=lambda p: p["createdAt"], reverse=True)
        start, count = int(query.get("start", "0")), int(query.get("count", "10"))
        page = found[start : start + count]
        return JSONResponse({"elements": page, "paging": {"start": start, "count": count}})

    async def _images(self, request: Request) -> Response:
        entry = await self._log(request)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        owner = ((entry["body"] or {}).get("initializeUploadRequest") or {}).get("owner")
        if request.query_params.get("action") != "initializeUpload" or owner != ORG:
            return li_error(400, "ILLEGAL_ARGUMENT", "initializeUpload for the org").response()
        urn = f"urn:li:image:C4E10AQ{secrets.token_hex(6)}"
        token = secrets.token_urlsafe(12)
        with self._lock:
            self.images[urn] = {"token": token, "data": None}
        return JSONResponse(
            {
                "value": {
                    "uploadUrlExpiresAt": _ms() + 86_400_000,
                    "uploadUrl": f"{self.base_url}/dms-uploads/{token}",
                    "image": urn,
                }
            }
        )

    async def _upload(self, request: Request) -> Response:
        entry = await self._log(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return li_error(401, "INVALID_ACCESS_TOKEN", "Invalid access token").response()
        with self._lock:
            image = next(
                (i for i in self.images.values() if i["token"] == request.path_params["token"]),
                None,
            )
            if image is None:
                return li_error(404, "NOT_FOUND", "No such upload").response()
            image["data"] = entry["raw"]
            image["type"] = request.headers.get("content-type")
        return Response(status_code=201)

    async def _comments(self, request: Request) -> Response:
        entry = await self._log(request)
        refused = self._refusal(request)
        if refused is not None:
            return refused
        urn = str(request.path_params["urn"])
        if b"%3A" not in request.scope.get("raw_path", b""):
            return li_error(400, "ILLEGAL_ARGUMENT", "URNs in paths must be encoded").response()
        with self._lock:
            known = any(p["id"] == urn for p in self.posts)
        if not known:
            return li_error(404, "NOT_FOUND", f"{urn} does not exist").response()
        if request.method == "GET":
            with self._lock:
                found = [c for c in self.comments if c["object"] == urn]
            start, count = int(request.query_params.get("start", "0")), 10
            count = int(request.query_params.get("count", str(count)))
            page = found[start : start + count]
            return JSONResponse({"elements": page, "paging": {"start": start, "count": count}})
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        body = entry["body"] or {}
        text = (body.get("message") or {}).get("text")
        if body.get("actor") != ORG or body.get("object") != urn or not text:
            return li_error(422, "UNPROCESSABLE_ENTITY", "/actor, /object, /message").response()
        n = next(self._ids)
        comment = {
            "id": str(n),
            "commentUrn": f"urn:li:comment:({urn.replace('share', 'activity')},{n})",
            "actor": ORG,
            "object": urn,
            "message": {"text": text},
            "created": {"actor": ORG, "time": _ms()},
        }
        with self._lock:
            self.comments.append(comment)
        await self.hang(scripted)
        return JSONResponse(comment, status_code=201, headers={"x-restli-id": str(n)})

    async def _cdn(self, request: Request) -> Response:
        found = self.cdn.get(str(request.path_params["name"]))
        if found is None:
            return Response(status_code=404)
        data, kind = found
        return Response(data, media_type=kind)
