"""A Bluesky PDS as a brand's account sees it: the XRPC methods publishing calls.

As documented (docs.bsky.app: com.atproto.server.createSession / refreshSession,
com.atproto.repo.createRecord / getRecord / listRecords / deleteRecord / uploadBlob,
com.atproto.identity.resolveHandle): errors are `{"error", "message"}`; an expired access JWT is
a 400 `ExpiredToken`; every answer carries `ratelimit-limit / -remaining / -reset / -policy`, and
a refusal for rate is a 429 `RateLimitExceeded` with `ratelimit-remaining: 0`. listRecords is
newest first with a `cursor`. `expire_tokens()` makes the current access JWT expire.
"""

from __future__ import annotations

import hashlib
import itertools
import time
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

HANDLE = "brand.bsky.social"
DID = "did:plc:brand4ensemble7z2k"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
POST = "app.bsky.feed.post"


def throttled(seconds: int = 2) -> Scripted:
    """The PDS's answer to a caller over its write budget (reset in `seconds`)."""
    return Scripted(
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        {
            "ratelimit-limit": "5000",
            "ratelimit-remaining": "0",
            "ratelimit-reset": str(int(time.time()) + seconds),
            "ratelimit-policy": "5000;w=3600",
        },
    )


def cid_of(value: Any) -> str:
    return "bafyrei" + hashlib.sha256(repr(value).encode()).hexdigest()[:52]


class FakeBluesky(FakeOutbound):
    def __init__(self) -> None:
        super().__init__()
        self._tids = itertools.count(int(time.time() * 1_000_000))
        self._tokens = itertools.count(1)
        self.sessions = 0  # createSession calls that succeeded
        self.refreshes = 0
        self._access: set[str] = set()
        self._refresh: set[str] = set()
        self.handles: dict[str, str] = {HANDLE: DID}
        self.records: dict[str, dict[str, Any]] = {}  # uri → {"uri", "cid", "value"}
        xrpc = "/xrpc/com.atproto."
        self._serve(
            Starlette(
                routes=[
                    Route(f"{xrpc}server.createSession", self._create_session, methods=["POST"]),
                    Route(f"{xrpc}server.refreshSession", self._refresh_session, methods=["POST"]),
                    Route(f"{xrpc}identity.resolveHandle", self._resolve, methods=["GET"]),
                    Route(f"{xrpc}repo.createRecord", self._create, methods=["POST"]),
                    Route(f"{xrpc}repo.getRecord", self._get, methods=["GET"]),
                    Route(f"{xrpc}repo.listRecords", self._list, methods=["GET"]),
                    Route(f"{xrpc}repo.deleteRecord", self._delete, methods=["POST"]),
                    Route(f"{xrpc}repo.uploadBlob", self._upload, methods=["POST"]),
                ]
            )
        )

    # -- seeding and reading ----------------------------------------------------------------

    def seed_post(
        self, did: str, text: str, *, reply_to: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A post by someone else (the mention a reply answers); `reply_to` a record of it."""
        value: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _now()}
        if reply_to is not None:
            root = reply_to["value"].get("reply", {}).get("root") or {
                "uri": reply_to["uri"],
                "cid": reply_to["cid"],
            }
            value["reply"] = {
                "root": root,
                "parent": {"uri": reply_to["uri"], "cid": reply_to["cid"]},
            }
        return self._store(did, value)

    def posts_by_brand(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.records.values() if r["uri"].startswith(f"at://{DID}/")]

    def expire_tokens(self) -> None:
        with self._lock:
            self._access.clear()

    # -- the API ---------------------------------------------------------------------------

    def _store(self, did: str, value: dict[str, Any]) -> dict[str, Any]:
        rkey = _tid(next(self._tids))
        uri = f"at://{did}/{POST}/{rkey}"
        record: dict[str, Any] = {"uri": uri, "cid": cid_of(value), "value": value}
        with self._lock:
            self.records[uri] = record
        return record

    def _issue(self) -> dict[str, Any]:
        n = next(self._tokens)
        access, refresh = f"access-{n}", f"refresh-{n}"
        with self._lock:
            self._access.add(access)
            self._refresh.add(refresh)
        return {"did": DID, "handle": HANDLE, "accessJwt": access, "refreshJwt": refresh}

    async def _create_session(self, request: Request) -> Response:
        body = (await self._log(request))["body"] or {}
        if body.get("identifier") not in (HANDLE, DID) or body.get("password") != APP_PASSWORD:
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        self.sessions += 1
        return _ok(self._issue())

    async def _refresh_session(self, request: Request) -> Response:
        await self._log(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            known = token in self._refresh
            self._refresh.discard(token)
        if not known:
            return _error(400, "ExpiredToken", "Token has expired")
        self.refreshes += 1
        return _ok(self._issue())

    def _refused(self, request: Request) -> Response | None:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        with self._lock:
            valid = token in self._access
        if valid:
            return None
        if token.startswith("access-"):
            return _error(400, "ExpiredToken", "Token has expired")
        return _error(401, "AuthenticationRequired", "Authentication Required")

    async def _resolve(self, request: Request) -> Response:
        await self._log(request)
        did = self.handles.get(request.query_params.get("handle", "").lower())
        if did is None:
            return _error(400, "InvalidRequest", "Unable to resolve handle")
        return _ok({"did": did})

    async def _create(self, request: Request) -> Response:
        body = (await self._log(request))["body"] or {}
        refused = self._refused(request)
        if refused is not None:
            return refused
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        record = body.get("record") or {}
        if body.get("repo") not in (DID, HANDLE) or body.get("collection") != POST:
            return _error(400, "InvalidRequest", "Could not find repo or collection")
        if record.get("$type") != POST or not isinstance(record.get("text"), str):
            return _error(400, "InvalidRequest", "Invalid app.bsky.feed.post record")
        for ref in (record.get("reply") or {}).values():
            if self.records.get(ref.get("uri"), {}).get("cid") != ref.get("cid"):
                return _error(400, "InvalidRequest", "reply: not a strong ref to a known post")
        stored = self._store(DID, record)
        await self.hang(scripted)
        return _ok({"uri": stored["uri"], "cid": stored["cid"]})

    async def _get(self, request: Request) -> Response:
        await self._log(request)
        q = request.query_params
        found = self.records.get(f"at://{q.get('repo')}/{q.get('collection')}/{q.get('rkey')}")
        if found is None:
            return _error(400, "RecordNotFound", "Could not locate record")
        return _ok(found)

    async def _list(self, request: Request) -> Response:
        await self._log(request)
        refused = self._refused(request)
        if refused is not None:
            return refused
        q = request.query_params
        prefix = f"at://{q.get('repo')}/{q.get('collection')}/"
        with self._lock:
            mine = sorted(
                (r for r in self.records.values() if r["uri"].startswith(prefix)),
                key=lambda r: r["uri"],
                reverse=True,
            )
        cursor = q.get("cursor")
        if cursor:
            mine = [r for r in mine if r["uri"].rsplit("/", 1)[1] < cursor]
        page = mine[: int(q.get("limit", "50"))]
        answer: dict[str, Any] = {"records": page}
        if len(page) < len(mine):
            answer["cursor"] = page[-1]["uri"].rsplit("/", 1)[1]
        return _ok(answer)

    async def _delete(self, request: Request) -> Response:
        body = (await self._log(request))["body"] or {}
        refused = self._refused(request)
        if refused is not None:
            return refused
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}"
        with self._lock:
            self.records.pop(uri, None)
        return _ok({})

    async def _upload(self, request: Request) -> Response:
        entry = await self._log(request)
        refused = self._refused(request)
        if refused is not None:
            return refused
        return _ok(
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": cid_of(entry["raw"])},
                    "mimeType": request.headers.get("content-type", ""),
                    "size": len(entry["raw"]),
                }
            }
        )


_B32 = "234567abcdefghijklmnopqrstuvwxyz"


def _tid(micros: int) -> str:
    """A record key in the TID format (base32-sortable, 13 characters)."""
    value = micros << 10
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _headers() -> dict[str, str]:
    return {
        "ratelimit-limit": "5000",
        "ratelimit-remaining": "4999",
        "ratelimit-reset": str(int(time.time()) + 3600),
        "ratelimit-policy": "5000;w=3600",
    }


def _ok(body: dict[str, Any]) -> Response:
    return JSONResponse(body, headers=_headers())


def _error(status: int, error: str, message: str) -> Response:
    return JSONResponse(
        {"error": error, "message": message}, status_code=status, headers=_headers()
    )
