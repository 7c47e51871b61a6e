"""GitHub's API as a token that answers comments sees it: issue comments over REST, discussion
comments over GraphQL.

As documented (docs.github.com: rest/issues/comments, graphql `node`, `addDiscussionComment`,
rest/using-the-rest-api/rate-limits-for-the-rest-api): every answer carries `x-ratelimit-limit /
-remaining / -used / -reset / -resource`; a secondary rate limit is a 403 with `retry-after` and
a message saying so; GraphQL errors come with HTTP 200 in `errors`. Discussions nest one level:
a reply's `replyTo` is its top comment.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.scheduler_outbound import FakeOutbound, Scripted

TOKEN = "ghp_brandAnswersToken0123456789abcdef"
OWNER, REPO = "acme", "widgets"


def secondary_limit(seconds: int = 1) -> Scripted:
    return Scripted(
        403,
        {
            "message": "You have exceeded a secondary rate limit. Please wait a few minutes "
            "before you try again.",
            "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
        },
        {"retry-after": str(seconds), **_rate()},
    )


def _rate() -> dict[str, str]:
    return {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "4990",
        "x-ratelimit-used": "10",
        "x-ratelimit-reset": str(int(time.time()) + 3600),
        "x-ratelimit-resource": "core",
    }


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakeGitHub(FakeOutbound):
    def __init__(self, accepts: Callable[[str], bool] | None = None) -> None:
        """`accepts`: which bearer tokens are good (default: TOKEN alone), e.g. an OAuth
        provider's currently valid access tokens."""
        super().__init__()
        self._accepts = accepts or (lambda token: token == TOKEN)
        self._ids = itertools.count(1_900_000_001)
        self.issue_comments: dict[int, list[dict[str, Any]]] = {}  # issue number → comments
        self.discussions: dict[str, list[dict[str, Any]]] = {}  # discussion id → comments
        self._serve(
            Starlette(
                routes=[
                    Route("/graphql", self._graphql, methods=["POST"]),
                    Route(
                        "/repos/{owner}/{repo}/issues/{number:int}/comments",
                        self._issue_comments,
                        methods=["GET", "POST"],
                    ),
                ]
            )
        )

    # -- seeding ---------------------------------------------------------------------------

    def issue_comment(self, number: int, body: str) -> dict[str, Any]:
        """A member's comment on issue `number` (what a reply answers)."""
        n = next(self._ids)
        comment = {
            "id": n,
            "node_id": f"IC_kwDO{n}",
            "body": body,
            "html_url": f"https://github.com/{OWNER}/{REPO}/issues/{number}#issuecomment-{n}",
            "created_at": _now(),
            "user": {"login": "member"},
        }
        with self._lock:
            self.issue_comments.setdefault(number, []).append(comment)
        return comment

    def discussion_comment(
        self, discussion: str, body: str, *, reply_to: str | None = None
    ) -> dict[str, Any]:
        n = next(self._ids)
        comment = {
            "id": f"DC_kwDO{n}",
            "body": body,
            "url": f"https://github.com/{OWNER}/{REPO}/discussions/7#discussioncomment-{n}",
            "discussion": discussion,
            "replyTo": reply_to,
        }
        with self._lock:
            self.discussions.setdefault(discussion, []).append(comment)
        return comment

    # -- the API ---------------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and self._accepts(token)

    @staticmethod
    def _json(body: Any, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status, headers=_rate())

    def _unauthorized(self) -> Response:
        return self._json({"message": "Bad credentials"}, 401)

    async def _issue_comments(self, request: Request) -> Response:
        entry = await self._log(request)
        if not self._authorized(request):
            return self._unauthorized()
        p = request.path_params
        number = int(p["number"])
        if (p["owner"], p["repo"]) != (OWNER, REPO) or number not in self.issue_comments:
            return self._json({"message": "Not Found"}, 404)
        if request.method == "GET":
            since = request.query_params.get("since", "")
            with self._lock:
                found = [c for c in self.issue_comments[number] if c["created_at"] >= since[:19]]
            return self._json(found)
        scripted = self._next()
        if scripted is not None and scripted.hang is None:
            return scripted.response()
        body = (entry["body"] or {}).get("body")
        if not isinstance(body, str) or not body.strip():
            return self._json({"message": "Validation Failed"}, 422)
        comment = self.issue_comment(number, body)
        comment["user"] = {"login": "brand-bot"}
        await self.hang(scripted)
        return self._json(comment, 201)

    def _node(self, node_id: str) -> dict[str, Any] | None:
        with self._lock:
            for number, comments in self.issue_comments.items():
                if any(c["node_id"] == node_id for c in comments):
                    repository = {"owner": {"login": OWNER}, "name": REPO}
                    issue = {"number": number, "repository": repository}
                    return {"__typename": "IssueComment", "issue": issue}
            for discussion, comments in self.discussions.items():
                for c in comments:
                    if c["id"] == node_id:
                        return {
                            "__typename": "DiscussionComment",
                            "id": c["id"],
                            "discussion": {"id": discussion},
                            "replyTo": {"id": c["replyTo"]} if c["replyTo"] else None,
                            "replies": {
                                "nodes": [
                                    {"id": r["id"], "url": r["url"], "body": r["body"]}
                                    for r in comments
                                    if r["replyTo"] == c["id"]
                                ]
                            },
                        }
        return None

    async def _graphql(self, request: Request) -> Response:
        entry = await self._log(request)
        if not self._authorized(request):
            return self._unauthorized()
        body = entry["body"] or {}
        query, variables = str(body.get("query", "")), body.get("variables") or {}
        if re.search(r"\baddDiscussionComment\b", query):
            scripted = self._next()
            if scripted is not None and scripted.hang is None:
                return scripted.response()
            discussion, top = variables.get("discussion"), variables.get("replyTo")
            if discussion not in self.discussions:
                return self._json(
                    {"data": None, "errors": [{"type": "NOT_FOUND", "message": "no discussion"}]}
                )
            top_node = self._node(top) if top else None
            if top is not None and (top_node is None or top_node["replyTo"] is not None):
                message = "replyToId: only top-level comments take replies"
                return self._json(
                    {"data": None, "errors": [{"type": "UNPROCESSABLE", "message": message}]}
                )
            comment = self.discussion_comment(discussion, str(variables.get("body")), reply_to=top)
            await self.hang(scripted)
            return self._json(
                {
                    "data": {
                        "addDiscussionComment": {
                            "comment": {"id": comment["id"], "url": comment["url"]}
                        }
                    }
                }
            )
        node = self._node(str(variables.get("id")))
        if node is None:
            message = f"Could not resolve to a node with the global id of '{variables.get('id')}'"
            return self._json(
                {"data": {"node": None}, "errors": [{"type": "NOT_FOUND", "message": message}]}
            )
        return self._json({"data": {"node": node}})
