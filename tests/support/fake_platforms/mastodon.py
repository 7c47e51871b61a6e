"""A Mastodon instance as the brand's account sees it: the notifications API and the streaming API.

As documented (docs.joinmastodon.org, methods/notifications, api/guidelines#pagination,
methods/streaming, api/rate-limits) and as Mastodon's code behaves: `min_id` answers the `limit`
notifications immediately above the id, newest first; `max_id`/`since_id` bound from the top;
a Link header carries `next` (max_id) and `prev` (min_id); X-RateLimit-* on every answer, and a
429 with X-RateLimit-Reset (an ISO date) but no Retry-After, like rack-attack's responder. The
`user` stream sends `update`, `notification` and `delete` events; `user:notification` sends
`notification` only; both send a `:)` comment first and `:thump` heartbeats.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse

from support.fake_platforms.http import FakeHttpPlatform

NOTIFICATIONS = "/api/v1/notifications"
STREAM_USER = "/api/v1/streaming/user"
STREAM_NOTIFICATIONS = "/api/v1/streaming/user/notification"
TOKEN = "brand-token"
BRAND = {"id": "109334860508022726", "username": "brand", "acct": "brand"}
_Event = tuple[str, str] | None  # (event, data); None ends the stream


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _order(identifier: str) -> tuple[int, str]:
    return (len(identifier), identifier)


@dataclass
class _Subscriber:
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[_Event]
    stream: str  # "user" or "user:notification"


@dataclass
class _Accounts:
    next_id: itertools.count[int] = field(default_factory=lambda: itertools.count(971724))
    by_acct: dict[str, dict[str, Any]] = field(default_factory=dict)


class FakeMastodon(FakeHttpPlatform):
    """Seed with `mention()`, `notify()`; `delete_status()` and `publish_update()` for streams."""

    def __init__(
        self,
        token: str = TOKEN,
        *,
        streaming_host: str | None = None,
        heartbeat: float = 0.5,
        rate_limit: int = 300,
    ) -> None:
        super().__init__(
            [
                (NOTIFICATIONS, self._notifications),
                (STREAM_USER, self._stream_user),
                (STREAM_NOTIFICATIONS, self._stream_notifications),
            ]
        )
        self.token = token
        self.streaming_host = streaming_host  # set: answer the streaming API with a 301 there
        self.heartbeat = heartbeat
        self.streaming_down = False  # set: the streaming API answers 503
        self.rate_limit = rate_limit
        self.notifications: list[dict[str, Any]] = []  # ascending ids
        self._ids = itertools.count(34975861)
        self._status_ids = itertools.count(103186126728896492)
        self._accounts = _Accounts()
        self._subscribers: list[_Subscriber] = []
        self._state = threading.Lock()

    # -- seeding ----------------------------------------------------------------------------

    def account(
        self, acct: str, *, display_name: str | None = None, followers: int = 43
    ) -> dict[str, Any]:
        if acct not in self._accounts.by_acct:
            identifier = str(next(self._accounts.next_id))
            username, _, domain = acct.partition("@")
            home = f"https://{domain or 'mastodon.example'}"
            self._accounts.by_acct[acct] = {
                "id": identifier,
                "username": username,
                "acct": acct,
                "display_name": display_name if display_name is not None else username.title(),
                "locked": False,
                "bot": False,
                "discoverable": True,
                "group": False,
                "created_at": "2019-11-23T00:00:00.000Z",
                "note": "<p>Community member</p>",
                "url": f"{home}/@{username}",
                "avatar": f"{home}/avatars/original/missing.png",
                "avatar_static": f"{home}/avatars/original/missing.png",
                "header": f"{home}/headers/original/missing.png",
                "header_static": f"{home}/headers/original/missing.png",
                "followers_count": followers,
                "following_count": 67,
                "statuses_count": 5906,
                "last_status_at": "2019-11-23",
                "emojis": [],
                "fields": [],
            }
        return self._accounts.by_acct[acct]

    def status(
        self,
        text: str,
        *,
        acct: str = "camille@pixel.example",
        language: str | None = "en",
        in_reply_to_id: str | None = None,
        spoiler_text: str = "",
    ) -> dict[str, Any]:
        """A status mentioning the brand; `text` is escaped into Mastodon's sanitized HTML."""
        account = self.account(acct)
        identifier = str(next(self._status_ids))
        username, _, domain = acct.partition("@")
        url = f"https://{domain or 'mastodon.example'}/@{username}/{identifier}"
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n")[1:])
        first = html.escape(text.split("\n\n")[0]).replace("\n", "<br />")
        content = (
            '<p><span class="h-card" translate="no"><a href="https://mastodon.example/@brand" '
            'class="u-url mention">@<span>brand</span></a></span> '
            f"{first}</p>{paragraphs}"
        )
        return {
            "id": identifier,
            "created_at": _iso(datetime.now(UTC)),
            "in_reply_to_id": in_reply_to_id,
            "in_reply_to_account_id": BRAND["id"] if in_reply_to_id else None,
            "sensitive": bool(spoiler_text),
            "spoiler_text": spoiler_text,
            "visibility": "public",
            "language": language,
            "uri": f"https://{domain or 'mastodon.example'}/users/{username}/statuses/{identifier}",
            "url": url,
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "favourited": False,
            "reblogged": False,
            "muted": False,
            "bookmarked": False,
            "content": content,
            "filtered": [],
            "reblog": None,
            "account": account,
            "media_attachments": [],
            "mentions": [
                {
                    "id": BRAND["id"],
                    "username": "brand",
                    "url": "https://mastodon.example/@brand",
                    "acct": "brand",
                }
            ],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }

    def mention(self, text: str = "Love the new app!", **status: Any) -> dict[str, Any]:
        """A `mention` notification (stored, and pushed to open streams)."""
        return self.notify("mention", self.status(text, **status))

    def notify(self, kind: str, status: dict[str, Any] | None = None) -> dict[str, Any]:
        """Any notification: `favourite`, `follow`, ... (noise the connectors must skip)."""
        account = status["account"] if status else self.account("someone@elsewhere.example")
        notification: dict[str, Any] = {
            "id": str(next(self._ids)),
            "type": kind,
            "created_at": _iso(datetime.now(UTC)),
            "account": account,
        }
        if status is not None:
            notification["status"] = status
        with self._state:
            self.notifications.append(notification)
        self._push(("notification", json.dumps(notification)), streams={"user", "notification"})
        return notification

    def delete_status(self, status_id: str) -> None:
        """The author deleted it: its notifications go, and the `user` stream says `delete`."""
        with self._state:
            self.notifications = [
                n for n in self.notifications if (n.get("status") or {}).get("id") != status_id
            ]
        self._push(("delete", status_id), streams={"user"})

    def publish_update(self, status: dict[str, Any]) -> None:
        """A home-timeline post: on the `user` stream only."""
        self._push(("update", json.dumps(status)), streams={"user"})

    def drop_streams(self) -> None:
        """Close every open stream, as a restart of the streaming server would."""
        self._push(None, streams={"user", "notification"})

    def stream_count(self) -> int:
        with self._state:
            return len(self._subscribers)

    # -- HTTP -------------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        used = len(self.requests(NOTIFICATIONS)) + 1
        now = datetime.now(UTC)
        reset = now + timedelta(seconds=300 - now.timestamp() % 300)
        return {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(max(0, self.rate_limit - used)),
            "X-RateLimit-Reset": _iso(reset),
        }

    def refuse(self, retry_after: float) -> Response:
        reset = datetime.now(UTC) + timedelta(seconds=retry_after)
        return JSONResponse(
            {"error": "Too many requests"},
            status_code=429,
            headers={
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.isoformat(timespec="microseconds"),
            },
        )

    def _authorized(self, request: Request) -> bool:
        return request.headers.get("authorization") == f"Bearer {self.token}"

    async def _notifications(self, request: Request) -> Response:
        if not self._authorized(request):
            return JSONResponse({"error": "The access token is invalid"}, status_code=401)
        query = request.query_params
        limit = max(1, min(int(query.get("limit", "40")), 80))
        types, excluded = set(query.getlist("types[]")), set(query.getlist("exclude_types[]"))
        with self._state:
            chosen = [
                n
                for n in self.notifications
                if (not types or n["type"] in types) and n["type"] not in excluded
            ]
        above = [
            n for n in chosen if "max_id" not in query or _order(n["id"]) < _order(query["max_id"])
        ]
        if "min_id" in query:  # immediately newer than min_id: ascending, cut, then newest first
            page = [n for n in above if _order(n["id"]) > _order(query["min_id"])][:limit][::-1]
        else:
            since = query.get("since_id")
            page = [n for n in above[::-1] if since is None or _order(n["id"]) > _order(since)]
            page = page[:limit]
        headers = self._headers()
        if page:
            kept = [(k, v) for k, v in query.multi_items() if k in ("limit", "types[]")]
            link = f"{self.base_url}{NOTIFICATIONS}?"
            prev = f'<{link}{urlencode([*kept, ("min_id", page[0]["id"])])}>; rel="prev"'
            if len(page) == limit:
                nxt = f'<{link}{urlencode([*kept, ("max_id", page[-1]["id"])])}>; rel="next"'
                headers["Link"] = f"{nxt}, {prev}"
            else:
                headers["Link"] = prev
        return JSONResponse(page, headers=headers)

    async def _stream_user(self, request: Request) -> Response:
        return await self._stream(request, "user")

    async def _stream_notifications(self, request: Request) -> Response:
        return await self._stream(request, "notification")

    async def _stream(self, request: Request, stream: str) -> Response:
        if self.streaming_host is not None:
            return RedirectResponse(f"{self.streaming_host}{request.url.path}", status_code=301)
        if self.streaming_down:
            return JSONResponse({"error": "Service unavailable"}, status_code=503)
        if not self._authorized(request):
            return JSONResponse({"error": "Error: Invalid access token"}, status_code=401)
        subscriber = _Subscriber(asyncio.get_running_loop(), asyncio.Queue(), stream)
        with self._state:
            self._subscribers.append(subscriber)
        return StreamingResponse(
            self._events(subscriber),
            media_type="text/event-stream",
            headers={"Cache-Control": "private, no-store"},
        )

    async def _events(self, subscriber: _Subscriber) -> AsyncIterator[str]:
        try:
            yield ":)\n"
            while True:
                try:
                    event = await asyncio.wait_for(subscriber.queue.get(), self.heartbeat)
                except TimeoutError:
                    yield ":thump\n"
                    continue
                if event is None:
                    return
                name, data = event
                yield f"event: {name}\ndata: {data}\n\n"
        finally:
            with self._state:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

    def _push(self, event: _Event, *, streams: set[str]) -> None:
        with self._state:
            targets = [s for s in self._subscribers if s.stream in streams]
        for subscriber in targets:
            subscriber.loop.call_soon_threadsafe(subscriber.queue.put_nowait, event)

    def _closing(self) -> None:
        self.drop_streams()
