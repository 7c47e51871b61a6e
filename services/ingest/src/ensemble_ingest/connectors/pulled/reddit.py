"""Reddit posts with the brand's keywords, from the public JSON listings, newest first.

Source: `/search.json?q=<keywords OR-joined>&sort=new`, scoped with `/r/a+b/search.json` and
`restrict_sr=1` when subreddits are configured. Search filters by keyword on Reddit's side in
one listing (so one cursor), where `/r/<sub>/new.json` would need a cursor per subreddit and
client-side matching. With subreddits and no keywords, `/r/a+b/new.json` takes everything.

Cursor (JSON): `high`, the newest `created_utc` stored; `seen`, the fullnames stored within
`lookback` seconds of it; and, while catching up, `walk` = {after, floor, stop}. A fetch reads
the listing from the top and keeps posts not seen and not older than `floor = high - lookback`.
If the page holds nothing older than `stop = high` (where the last pass started reading), the
next fetch continues below it with `after` (anchored on a fullname, so posts arriving meanwhile
cannot shift it) and `more` is set. Posts that arrive during a walk are above its start and are
read on the next pass from the top. The lookback lets a post indexed late by search (or approved
late) still be taken when it shows up on a page read anyway, without re-walking the window on
every pass; `seen` keeps it from being returned twice. If the `after` anchor is removed
mid-walk (Reddit then answers an empty page), the walk starts again from the top, once. First
run (no cursor): the newest page only, no walk into the past. Reddit serves at most ~1000 items
per listing: more than that between two polls cannot be reached.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from ensemble_ingest.connectors.base import MalformedPayload, MentionChange, Page
from ensemble_ingest.connectors.pulled.common import natural_key, text_field, upsert, web_url
from ensemble_ingest.connectors.pulled.ratelimit import parse_rate_limit, refusal
from ensemble_ingest.models.sources import RedditConfig
from ensemble_shared.events import Author

PLATFORM = "reddit"
PAGE_LIMIT = 100  # Reddit's maximum per listing page
LOOKBACK_SECONDS = 900.0
MAX_SEEN = 1000


def search_query(keywords: list[str]) -> str:
    """Keywords OR-joined, phrases quoted (Reddit search syntax)."""
    terms = [" ".join(k.split()) for k in keywords if k.strip()]
    return " OR ".join(f'"{t}"' if " " in t else t for t in terms)


@dataclass
class _Walk:
    """A descent below the first page: where to continue, and where to stop."""

    after: str | None  # None: from the top again (the anchor vanished)
    floor: float  # older posts are not taken
    stop: float  # a post older than this ends the walk: the last pass read on from there
    restarted: bool = False


@dataclass
class _State:
    high: float | None = None
    seen: dict[str, float] = field(default_factory=dict)  # fullname -> created_utc
    walk: _Walk | None = None

    @classmethod
    def load(cls, cursor: str | None) -> _State:
        if not cursor:
            return cls()
        try:
            raw = json.loads(cursor)
            walk = raw.get("walk")
            return cls(
                high=raw.get("high"),
                seen={str(k): float(v) for k, v in (raw.get("seen") or {}).items()},
                walk=_Walk(
                    walk["after"],
                    float(walk["floor"]),
                    float(walk["stop"]),
                    bool(walk.get("restarted")),
                )
                if walk
                else None,
            )
        except (ValueError, AttributeError, TypeError, KeyError) as error:
            raise ValueError(f"not a Reddit cursor: {cursor!r}") from error

    def dump(self) -> str:
        walk = None
        if self.walk is not None:
            walk = {"after": self.walk.after, "floor": self.walk.floor, "stop": self.walk.stop}
            if self.walk.restarted:
                walk["restarted"] = True
        return json.dumps({"high": self.high, "seen": self.seen, "walk": walk}, sort_keys=True)


def _post(child: Mapping[str, Any]) -> Mapping[str, Any]:
    data = child.get("data") if "kind" in child else child
    if not isinstance(data, Mapping):
        raise MalformedPayload("listing child has no data")
    return data


def _created(post: Mapping[str, Any]) -> float:
    created = post.get("created_utc")
    if not isinstance(created, int | float) or isinstance(created, bool):
        raise MalformedPayload("post has no created_utc")
    return float(created)


class RedditConnector:
    """Search (or subreddit) listings walked with `after`; see the module docstring."""

    platform: ClassVar[str] = PLATFORM

    def __init__(self, *, lookback: float = LOOKBACK_SECONDS, limit: int = PAGE_LIMIT) -> None:
        self._lookback = lookback
        self._limit = limit

    def request(self, config: RedditConfig, after: str | None) -> tuple[str, dict[str, str]]:
        """The listing URL and its query for one page."""
        base = str(config.base_url).rstrip("/")
        subs = "+".join(quote(s.strip().removeprefix("r/"), safe="") for s in config.subreddits)
        params = {"limit": str(self._limit), "raw_json": "1"}  # raw_json: text not HTML-escaped
        if after:
            params["after"] = after
        if config.keywords:
            params |= {"q": search_query(config.keywords), "sort": "new", "type": "link"}
            if subs:
                return f"{base}/r/{subs}/search.json", params | {"restrict_sr": "1"}
            return f"{base}/search.json", params
        if subs:
            return f"{base}/r/{subs}/new.json", params
        raise ValueError("a Reddit source needs keywords or subreddits")

    async def fetch(
        self, config: RedditConfig, cursor: str | None, http: httpx.AsyncClient
    ) -> Page:
        state = _State.load(cursor)
        walk = state.walk
        url, params = self.request(config, walk.after if walk else None)
        response = await http.get(url, params=params, headers={"User-Agent": config.user_agent})
        if (refused := refusal(response)) is not None:
            return refused
        listing = response.json()
        data = listing.get("data") if isinstance(listing, Mapping) else None
        children = data.get("children") if isinstance(data, Mapping) else None
        if not isinstance(data, Mapping) or not isinstance(children, list):
            raise MalformedPayload("not a Reddit listing")
        posts = [c for c in children if isinstance(c, dict) and c.get("kind") == "t3"]
        floor, stop = (walk.floor, walk.stop) if walk else (None, None)
        if walk is None and state.high is not None:
            floor, stop = state.high - self._lookback, state.high
        items: list[dict[str, Any]] = []
        for child in posts:
            post = _post(child)
            name, created = text_field(post, "name", "post"), _created(post)
            if name in state.seen or (floor is not None and created < floor):
                continue
            items.append(child)
            state.seen[name] = created
            state.high = created if state.high is None else max(state.high, created)
        if state.high is None:
            state.high = time.time()  # nothing yet: from now on (less the lookback) is new
        after = data.get("after")
        after = after if isinstance(after, str) and after else None
        if floor is None or stop is None:
            state.walk = None  # first run: the newest page, no walk into the past
        elif not posts and walk is not None and walk.after and not walk.restarted:
            # Reddit answers nothing after an anchor that was removed meanwhile: once per walk,
            # start again from the top (same bounds; `seen` drops what was already returned).
            state.walk = _Walk(None, floor, stop, restarted=True)
        elif after is None or not posts or any(_created(_post(c)) < stop for c in posts):
            state.walk = None  # reached what the last pass read, or the end of the listing
        else:
            state.walk = _Walk(after, floor, stop, restarted=walk.restarted if walk else False)
        self._forget(state)
        rate = parse_rate_limit(response.headers)
        return Page(items=items, cursor=state.dump(), rate=rate, more=state.walk is not None)

    def _forget(self, state: _State) -> None:
        if state.high is None:
            return
        keep_from = state.high - self._lookback
        if state.walk is not None:  # mid-walk: what the walk may meet again stays known
            keep_from = min(keep_from, state.walk.floor)
        kept = sorted(
            ((n, c) for n, c in state.seen.items() if c >= keep_from),
            key=lambda pair: pair[1],
            reverse=True,
        )
        state.seen = dict(kept[:MAX_SEEN])

    def parse(self, config: RedditConfig, item: Mapping[str, Any]) -> list[MentionChange]:
        post = _post(item)
        title, body = post.get("title"), post.get("selftext")
        text = "\n\n".join(t.strip() for t in (title, body) if isinstance(t, str) and t.strip())
        author = post.get("author") if isinstance(post.get("author"), str) else None
        author_id = post.get("author_fullname")
        permalink = post.get("permalink")
        base = str(config.base_url).rstrip("/")
        url = f"{base}{permalink}" if isinstance(permalink, str) and permalink else None
        return upsert(
            platform=PLATFORM,
            external_id=natural_key(text_field(post, "name", "post")),
            url=web_url(url) or web_url(post.get("url")),
            author=Author(
                id=author_id if isinstance(author_id, str) and author_id else author or "[deleted]",
                handle=author or "[deleted]",
            ),
            text=text,
            created_at=datetime.fromtimestamp(_created(post), UTC),
        )
