"""RSS and Atom feeds (news, blogs): entries with the brand's keywords, or all when there are none.

Cursor (JSON): the feed's `etag` and `last_modified`, sent back as If-None-Match and
If-Modified-Since (a 304 is an empty page), and `seen`: short hashes of the keys (id, else link)
of every entry in the last document read. New entries are the ones whose key was not in it. A feed
is a window of recent entries with no paging, and dates are unreliable (missing, back-dated,
reordered), so membership decides rather than a newest-date watermark; `seen` is replaced by each
document, so it stays as small as the feed. An entry that leaves the window and comes back is
returned again (a duplicate, deduplicated downstream). First run: every entry in the feed.
Edits of an entry already seen (Atom `updated`) are not picked up.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser
import httpx

from ensemble_ingest.connectors.base import MalformedPayload, MentionChange, Page
from ensemble_ingest.connectors.keywords import matches_keywords
from ensemble_ingest.connectors.pulled.common import (
    html_to_text,
    iso_datetime,
    natural_key,
    upsert,
    web_url,
)
from ensemble_ingest.connectors.pulled.ratelimit import parse_rate_limit, refusal
from ensemble_ingest.models.sources import RssConfig
from ensemble_shared.events import Author

PLATFORM = "rss"
_DATE_FIELDS = ("published_parsed", "updated_parsed", "created_parsed")
_RSS_AUTHOR = re.compile(r"^([^\s@()]+@[^\s()]+)\s*\((.+)\)$")  # "jo@news.example (Jo)"


def _jsonable(value: Any) -> Any:
    """feedparser's structures as plain JSON: dicts, lists, strings; dates as ISO 8601."""
    if isinstance(value, time.struct_time):
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def entry_key(entry: Mapping[str, Any]) -> str | None:
    """What identifies an entry: its id (RSS guid, Atom id), else its link."""
    for name in ("id", "link"):
        if isinstance(value := entry.get(name), str) and value.strip():
            return value.strip()
    return None


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _text(entry: Mapping[str, Any]) -> str:
    title = entry.get("title")
    summary = entry.get("summary")
    content = entry.get("content")
    if not summary and isinstance(content, list) and content and isinstance(content[0], Mapping):
        summary = content[0].get("value")
    parts = [html_to_text(p) for p in (title, summary) if isinstance(p, str) and p.strip()]
    return "\n\n".join(p for p in parts if p)


class RssConnector:
    """GET feed_url, conditional on the last ETag / Last-Modified; see the module docstring."""

    platform: ClassVar[str] = PLATFORM

    async def fetch(self, config: RssConfig, cursor: str | None, http: httpx.AsyncClient) -> Page:
        state = self._load(cursor)
        headers = {"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9"}
        if state.get("etag"):
            headers["If-None-Match"] = state["etag"]
        if state.get("last_modified"):
            headers["If-Modified-Since"] = state["last_modified"]
        response = await http.get(str(config.feed_url), headers=headers, follow_redirects=True)
        rate = parse_rate_limit(response.headers)
        if response.status_code == 304:
            return Page(items=[], cursor=None, rate=rate)
        if (refused := refusal(response)) is not None:
            return refused
        # The headers give feedparser the charset, and the base for relative links.
        headers_seen = {**dict(response.headers), "content-location": str(response.url)}
        document = feedparser.parse(response.content, response_headers=headers_seen)
        if document.get("bozo") and not document.get("entries"):
            raise MalformedPayload(f"not a readable feed: {document.get('bozo_exception')}")
        seen = set(state.get("seen") or [])
        keys: list[str] = []
        items: list[dict[str, Any]] = []
        for raw in document.get("entries") or []:
            entry = _jsonable(raw)
            key = entry_key(entry)
            digest = _digest(key) if key else None
            if digest:
                keys.append(digest)
            if digest in seen:
                continue
            if not config.keywords or matches_keywords(_text(entry), config.keywords):
                items.append(entry)  # without a key too: parse reports it as malformed
        cursor_out = json.dumps(
            {
                "etag": response.headers.get("etag"),
                "last_modified": response.headers.get("last-modified"),
                "seen": keys,
            }
        )
        return Page(items=items, cursor=cursor_out, rate=rate)

    @staticmethod
    def _load(cursor: str | None) -> dict[str, Any]:
        if not cursor:
            return {}
        try:
            state = json.loads(cursor)
        except ValueError as error:
            raise ValueError(f"not an RSS cursor: {cursor!r}") from error
        if not isinstance(state, dict):
            raise ValueError(f"not an RSS cursor: {cursor!r}")
        return state

    def parse(self, config: RssConfig, item: Mapping[str, Any]) -> list[MentionChange]:
        key = entry_key(item)
        if key is None:
            raise MalformedPayload("feed entry has neither id nor link")
        text = _text(item)
        if config.keywords and not matches_keywords(text, config.keywords):
            return []
        created = next((item[f] for f in _DATE_FIELDS if isinstance(item.get(f), str)), None)
        if created is None:
            raise MalformedPayload("feed entry has no date (published, updated or created)")
        return upsert(
            platform=PLATFORM,
            external_id=natural_key(key),
            url=web_url(item.get("link")),
            author=_author(item, config.feed_url.host or str(config.feed_url)),
            text=text,
            created_at=iso_datetime(created, "feed entry"),
        )


def _author(item: Mapping[str, Any], site: str) -> Author:
    """RSS's "email (Name)", Atom's author name, or the feed's host when the entry has none."""
    detail = item.get("author_detail")
    detail = detail if isinstance(detail, Mapping) else {}
    raw = item.get("author") or detail.get("name")
    raw = raw.strip() if isinstance(raw, str) else ""
    if match := _RSS_AUTHOR.match(raw):
        email, name = match.group(1), match.group(2).strip()
        return Author(id=email[:256], handle=name[:256], display_name=name[:512])
    handle = raw or site
    links = (detail.get("href"), detail.get("email"))
    author_id = next((v for v in links if isinstance(v, str) and v), handle)
    return Author(id=author_id[:256], handle=handle[:256], display_name=raw[:512] or None)
