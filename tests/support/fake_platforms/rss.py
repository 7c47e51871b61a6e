"""A news site's feed, RSS 2.0 or Atom 1.0, with HTTP validators (ETag, Last-Modified).

As specified (RSS 2.0: channel/item with title, link, description, guid, pubDate in RFC 822,
author as an e-mail; Atom, RFC 4287: feed/entry with id, title, link, summary, updated,
published, author/name; HTTP conditional requests, RFC 9110: If-None-Match wins over
If-Modified-Since, 304 without a body). The feed shows the newest `window` entries.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Literal
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response

from support.fake_platforms.http import FakeHttpPlatform

FEED_PATH = "/feed.xml"


@dataclass(frozen=True)
class Entry:
    title: str
    summary: str  # HTML
    link: str
    guid: str | None
    author: str | None
    published: datetime | None


class FakeFeed(FakeHttpPlatform):
    """Seed with `entry()`; `etag=False` or `last_modified=False` to serve without a validator."""

    def __init__(
        self,
        kind: Literal["rss", "atom"] = "rss",
        *,
        window: int = 20,
        etag: bool = True,
        last_modified: bool = True,
    ) -> None:
        super().__init__([(FEED_PATH, self._feed)])
        self.kind = kind
        self.window = window
        self.send_etag = etag
        self.send_last_modified = last_modified
        self.entries: list[Entry] = []  # oldest first
        self._changed = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self._state = threading.Lock()

    @property
    def url(self) -> str:
        return self.base_url + FEED_PATH

    def entry(
        self,
        title: str,
        summary: str = "<p>Read more on our site.</p>",
        *,
        guid: str | None = "",
        link: str | None = None,
        author: str | None = "newsroom@daily.example (Jo Writer)",
        published: datetime | None = None,
    ) -> Entry:
        """A new entry; `guid=""` picks one, `guid=None` leaves it without (the link is its key)."""
        with self._state:
            number = len(self.entries) + 1
            self._changed += timedelta(minutes=1)
            made = Entry(
                title=title,
                summary=summary,
                link=link or f"https://daily.example/news/{number}",
                guid=f"https://daily.example/?p={number}" if guid == "" else guid,
                author=author,
                published=published or self._changed,
            )
            self.entries.append(made)
        return made

    def _document(self) -> str:
        shown = self.entries[-self.window :][::-1]
        if self.kind == "atom":
            return self._atom(shown)
        items = []
        for e in shown:
            parts = [
                f"<title>{escape(e.title)}</title>",
                f"<link>{escape(e.link)}</link>",
                f"<description>{escape(e.summary)}</description>",
            ]
            if e.guid:
                parts.append(f'<guid isPermaLink="false">{escape(e.guid)}</guid>')
            if e.author:
                parts.append(f"<author>{escape(e.author)}</author>")
            if e.published:
                parts.append(f"<pubDate>{format_datetime(e.published)}</pubDate>")
            items.append("<item>" + "".join(parts) + "</item>")
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>The Daily Example</title><link>https://daily.example/</link>"
            "<description>News</description><language>en</language>"
            + "".join(items)
            + "</channel></rss>"
        )

    def _atom(self, shown: list[Entry]) -> str:
        entries = []
        for e in shown:
            stamp = (e.published or self._changed).isoformat()
            author = f"<author><name>{escape(e.author)}</name></author>" if e.author else ""
            entries.append(
                "<entry>"
                f"<id>{escape(e.guid or e.link)}</id><title>{escape(e.title)}</title>"
                f'<link rel="alternate" href="{escape(e.link)}"/>'
                f'<summary type="html">{escape(e.summary)}</summary>'
                f"<published>{stamp}</published><updated>{stamp}</updated>{author}"
                "</entry>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            "<id>https://daily.example/</id><title>The Daily Example</title>"
            f"<updated>{self._changed.isoformat()}</updated>" + "".join(entries) + "</feed>"
        )

    async def _feed(self, request: Request) -> Response:
        with self._state:
            body = self._document().encode()
            changed = self._changed
        etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'
        headers = {}
        if self.send_etag:
            headers["ETag"] = etag
        if self.send_last_modified:
            headers["Last-Modified"] = format_datetime(changed, usegmt=True)
        if self.send_etag and "if-none-match" in request.headers:
            if etag in [t.strip() for t in request.headers["if-none-match"].split(",")]:
                return Response(status_code=304, headers=headers)
        elif self.send_last_modified and "if-modified-since" in request.headers:
            try:
                since = parsedate_to_datetime(request.headers["if-modified-since"])
            except (TypeError, ValueError):
                since = None
            if since is not None and changed <= since:
                return Response(status_code=304, headers=headers)
        media = "application/atom+xml" if self.kind == "atom" else "application/rss+xml"
        return Response(body, media_type=media, headers=headers)
