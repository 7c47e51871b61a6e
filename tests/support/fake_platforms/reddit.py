"""Reddit's public JSON listings: `/search.json`, `/r/<a+b>/search.json`, `/r/<a+b>/new.json`.

As documented (reddit wiki "JSON", r/redditdev API FAQ, the 2014 rate-limit header announcement):
a Listing `{"kind": "Listing", "data": {"after", "before", "dist", "children": [{"kind": "t3",
"data": {...}}]}}` newest first for `sort=new`; `after`/`before` are fullnames (`t3_<id>`);
`limit` up to 100 (default 25); a listing whose `after` anchor is gone answers empty; headers
`x-ratelimit-used`, `x-ratelimit-remaining` (a float) and `x-ratelimit-reset` (seconds left).
"""

from __future__ import annotations

import re
import threading
import time
import zlib
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from support.fake_platforms.http import FakeHttpPlatform

_TRUE = {"1", "on", "true"}
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = _BASE36[rest] + digits
    return digits or "0"


def _terms(query: str) -> list[str]:
    """The OR-ed terms of a query: quoted phrases and bare words, `OR` itself dropped."""
    found = re.findall(r'"([^"]+)"|(\S+)', query)
    return [(phrase or word).lower() for phrase, word in found if (phrase or word) != "OR"]


class FakeReddit(FakeHttpPlatform):
    """Seed with `post()`; a post added with `indexed=False` is hidden from search until
    `index()` (search lags behind the subreddit listings)."""

    def __init__(self, *, window: int = 600) -> None:
        super().__init__(
            [
                ("/search.json", self._search),
                ("/r/{subs}/search.json", self._search),
                ("/r/{subs}/new.json", self._new),
            ]
        )
        self.window = window  # rate-limit period, seconds
        self.posts: list[dict[str, Any]] = []
        self._hidden: set[str] = set()
        self._next = 1_000_000_000
        self._clock = time.time() - 3600
        self._state = threading.Lock()

    def post(
        self,
        title: str,
        selftext: str = "",
        *,
        subreddit: str = "brandfans",
        author: str = "camille",
        created_utc: float | None = None,
        indexed: bool = True,
    ) -> dict[str, Any]:
        with self._state:
            self._next += 1
            self._clock = max(self._clock + 1, time.time()) if created_utc is None else self._clock
            created = float(int(created_utc if created_utc is not None else self._clock))
            identifier = _base36(self._next)
            slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:50]
            permalink = f"/r/{subreddit}/comments/{identifier}/{slug}/"
            data: dict[str, Any] = {
                "approved_at_utc": None,
                "subreddit": subreddit,
                "selftext": selftext,
                "author_fullname": f"t2_{_base36(zlib.crc32(author.encode()))}",
                "saved": False,
                "gilded": 0,
                "clicked": False,
                "title": title,
                "subreddit_name_prefixed": f"r/{subreddit}",
                "hidden": False,
                "downs": 0,
                "name": f"t3_{identifier}",
                "upvote_ratio": 1.0,
                "ups": 1,
                "score": 1,
                "thumbnail": "self",
                "edited": False,
                "is_self": True,
                "created": created,
                "domain": f"self.{subreddit}",
                "selftext_html": None,
                "archived": False,
                "over_18": False,
                "spoiler": False,
                "locked": False,
                "subreddit_id": "t5_2qh0y",
                "id": identifier,
                "author": author,
                "num_comments": 0,
                "permalink": permalink,
                "stickied": False,
                "url": f"https://www.reddit.com{permalink}",
                "subreddit_subscribers": 1479142,
                "created_utc": created,
                "num_crossposts": 0,
                "is_video": False,
            }
            self.posts.append(data)
            if not indexed:
                self._hidden.add(data["name"])
        return data

    def index(self, post: dict[str, Any]) -> None:
        with self._state:
            self._hidden.discard(post["name"])

    def remove(self, post: dict[str, Any]) -> None:
        """Taken down: gone from every listing."""
        with self._state:
            self.posts = [p for p in self.posts if p["name"] != post["name"]]

    def refuse(self, retry_after: float) -> Response:
        return JSONResponse(
            {"message": "Too Many Requests", "error": 429},
            status_code=429,
            headers={
                "x-ratelimit-used": str(len(self.requests()) + 1),
                "x-ratelimit-remaining": "0.0",
                "x-ratelimit-reset": str(int(retry_after)),
            },
        )

    async def _search(self, request: Request) -> Response:
        terms = _terms(request.query_params.get("q", ""))
        with self._state:
            posts = [p for p in self.posts if p["name"] not in self._hidden]
        posts = [
            p for p in posts if any(t in f"{p['title']} {p['selftext']}".lower() for t in terms)
        ]
        if request.query_params.get("restrict_sr", "").lower() in _TRUE:
            posts = self._in_subs(request, posts)
        return self._listing(request, posts)

    async def _new(self, request: Request) -> Response:
        with self._state:
            posts = list(self.posts)
        return self._listing(request, self._in_subs(request, posts))

    @staticmethod
    def _in_subs(request: Request, posts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        subs = {s.lower() for s in request.path_params.get("subs", "").split("+") if s}
        return [p for p in posts if not subs or p["subreddit"].lower() in subs]

    def _listing(self, request: Request, posts: list[dict[str, Any]]) -> Response:
        query = request.query_params
        limit = max(1, min(int(query.get("limit", "25")), 100))
        newest = sorted(
            posts, key=lambda p: (p["created_utc"], len(p["id"]), p["id"]), reverse=True
        )
        names = [p["name"] for p in newest]
        start, end = 0, len(newest)
        if after := query.get("after"):
            start = names.index(after) + 1 if after in names else len(newest)
            end = start + limit
        elif before := query.get("before"):
            end = names.index(before) if before in names else 0
            start = max(0, end - limit)
        else:
            end = limit
        page = newest[start:end]
        data = {
            "after": page[-1]["name"] if page and end < len(newest) else None,
            "dist": len(page),
            "modhash": "",
            "geo_filter": "",
            "children": [{"kind": "t3", "data": p} for p in page],
            "before": page[0]["name"] if page and start > 0 else None,
        }
        used = len(self.requests()) + 1
        return JSONResponse(
            {"kind": "Listing", "data": data},
            headers={
                "x-ratelimit-used": str(used),
                "x-ratelimit-remaining": f"{max(0, 100 - used)}.0",
                "x-ratelimit-reset": str(int(self.window - time.time() % self.window)),
            },
        )
