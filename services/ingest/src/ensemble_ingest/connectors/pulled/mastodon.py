"""Mentions of the brand's Mastodon account: the notifications API polled, or the streaming API.

Poll cursor: the id of the newest mention notification stored. Each fetch asks for the page
immediately newer than it (`min_id`, which Mastodon answers with the `limit` oldest notifications
above the id, newest first), so paging walks forward in time and nothing that arrives meanwhile can
fall behind the cursor. A full page means another one is ready (`more`). With no cursor yet, the
newest page is taken (a one-page backfill of recent mentions) and paging goes forward from it.
Notification ids compare by length, then lexically (Mastodon: ids are strings, never integers).

Stream: Mastodon cannot replay a stream, so on every (re)connection the stream is opened first,
then the notifications API is paged from the last cursor (the poll above), then the live events
are read, dropping notifications the catch-up already gave. Deletes missed while disconnected are
not recoverable from the API. The stream used is `user`, not `user:notification`: Mastodon's
streaming server routes a deleted status's `delete` only to the `user` stream of the accounts it
mentioned (`timeline:<id>`); `user:notification` carries `notification` events only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any, ClassVar
from urllib.parse import urljoin

import httpx

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Page,
    Streamed,
)
from ensemble_ingest.connectors.pulled.common import (
    RECONNECT_BACKOFF,
    html_to_text,
    iso_datetime,
    language,
    mapping_field,
    natural_key,
    text_field,
    upsert,
    web_url,
)
from ensemble_ingest.connectors.pulled.ratelimit import parse_rate_limit, refusal
from ensemble_ingest.models.sources import MastodonConfig
from ensemble_shared.events import Author
from ensemble_shared.outbound import outbound_client
from ensemble_shared.retries import Backoff
from ensemble_shared.settings import OutboundSettings

PLATFORM = "mastodon"
NOTIFICATIONS_PATH = "/api/v1/notifications"
STREAM_PATH = "/api/v1/streaming/user"
PAGE_LIMIT = 40  # Mastodon's default (max 80) since 4.1


def id_order(notification_id: str) -> tuple[int, str]:
    """Sort key of a Mastodon id: longer is newer, then lexical (the docs' rule)."""
    return (len(notification_id), notification_id)


def _base(config: MastodonConfig) -> str:
    return str(config.base_url).rstrip("/")


def _auth(config: MastodonConfig) -> dict[str, str]:
    return {"Authorization": f"Bearer {config.access_token}"}


def parse_notification(item: Mapping[str, Any]) -> list[MentionChange]:
    """A `mention` notification as the mention its status is; other types carry none."""
    if item.get("type") != "mention":
        return []
    status = mapping_field(item, "status", "mention notification")
    account = status.get("account") or item.get("account")
    if not isinstance(account, Mapping):
        raise MalformedPayload("mention status has no account")
    html = status.get("content")
    text = html_to_text(html) if isinstance(html, str) else ""
    spoiler = status.get("spoiler_text")
    if isinstance(spoiler, str) and spoiler.strip():
        text = f"{spoiler.strip()}\n\n{text}"  # the content warning is part of what was said
    followers = account.get("followers_count")
    reply_to = status.get("in_reply_to_id")
    edited = status.get("edited_at")
    return upsert(
        platform=PLATFORM,
        external_id=natural_key(text_field(status, "id", "mention status")),
        url=web_url(status.get("url")) or web_url(status.get("uri")),
        author=Author(
            id=text_field(account, "id", "mention account"),
            handle=text_field(account, "acct", "mention account"),
            display_name=account.get("display_name") or None,
            followers=followers if isinstance(followers, int) and followers >= 0 else None,
        ),
        text=text,
        language=language(status.get("language")),
        created_at=iso_datetime(status.get("created_at"), "mention status"),
        revised_at=iso_datetime(edited, "mention status edit") if edited else None,
        in_reply_to=str(reply_to) if reply_to else None,
        media=_media(status.get("media_attachments")),
    )


def _media(attachments: Any) -> list[str]:
    """Links of a status's attachments (images, video, audio), as Mastodon serves them."""
    if not isinstance(attachments, list):
        return []
    links = [a.get("url") for a in attachments if isinstance(a, Mapping)]
    return [link for link in links if isinstance(link, str) and link.startswith("http")][:20]


class MastodonPoller:
    """GET /api/v1/notifications?types[]=mention, paged forward with min_id."""

    platform: ClassVar[str] = PLATFORM

    async def fetch(
        self, config: MastodonConfig, cursor: str | None, http: httpx.AsyncClient
    ) -> Page:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("types[]", "mention"),
            ("limit", PAGE_LIMIT),
        ]
        if cursor:
            params.append(("min_id", cursor))
        response = await http.get(
            _base(config) + NOTIFICATIONS_PATH, params=params, headers=_auth(config)
        )
        if (refused := refusal(response)) is not None:
            return refused
        body = response.json()
        if not isinstance(body, list) or not all(isinstance(n, dict) for n in body):
            raise MalformedPayload("notifications are not a JSON array of objects")
        rate = parse_rate_limit(response.headers)
        if not body:
            # No mention ever: "0" is exact (every later one is newer) and, unlike no cursor,
            # makes the next fetch page forward instead of taking only the newest page.
            return Page(items=[], cursor=None if cursor else "0", rate=rate)
        newest = max((text_field(n, "id", "notification") for n in body), key=id_order)
        if cursor and id_order(newest) <= id_order(cursor):
            return Page(items=body, cursor=None, rate=rate)  # never move the cursor backwards
        # Without a cursor this was the newest page: a backfill, not a walk into the past.
        more = cursor is not None and len(body) >= PAGE_LIMIT
        return Page(items=body, cursor=newest, rate=rate, more=more)

    def parse(self, config: MastodonConfig, item: Mapping[str, Any]) -> list[MentionChange]:
        return parse_notification(item)


async def catch_up(
    config: MastodonConfig,
    cursor: str | None,
    http: httpx.AsyncClient,
    *,
    poller: MastodonPoller | None = None,
    max_wait: float = 300.0,
) -> AsyncIterator[Page]:
    """Every page of mention notifications after `cursor` (the newest page when None), waiting
    out 429s: what a stream resumed after a restart has missed."""
    poller = poller or MastodonPoller()
    while True:
        page = await poller.fetch(config, cursor, http)
        if page.rate.retry_after is not None:
            await asyncio.sleep(min(page.rate.retry_after, max_wait))
            continue
        yield page
        cursor = page.cursor or cursor
        if not page.more:
            return


async def _sse(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event, data) pairs of a server-sent events body; comments (heartbeats) skipped."""
    event, data = "message", list[str]()
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield event, "\n".join(data)
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)


class _Retry(Exception):
    """A failure worth reconnecting for (network, 5xx, 429), after `delay` seconds if known."""

    def __init__(self, delay: float | None = None) -> None:
        super().__init__(delay)
        self.delay = delay


def _wrap(event: str, payload: Any) -> dict[str, Any]:
    return {"event": event, "payload": payload}


def _chronological(notifications: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(notifications, key=lambda n: id_order(str(n["id"])))


class MastodonStream:
    """GET /api/v1/streaming/user as server-sent events: mention notifications and deletes.

    Items are the events as sent, `{"event": "notification" | "delete", "payload": ...}` (the
    payload decoded); notifications found by the catch-up are wrapped the same way. The cursor is
    the newest mention notification id, the same as the poller's, so either can resume the other.
    """

    platform: ClassVar[str] = PLATFORM

    def __init__(
        self,
        *,
        path: str = STREAM_PATH,
        backoff: Backoff | None = None,
        read_timeout: float = 90.0,  # Mastodon sends a heartbeat comment every 15 s
        is_known: Callable[[str], Awaitable[bool]] | None = None,
    ) -> None:
        self._path = path
        self._backoff = backoff or RECONNECT_BACKOFF
        self._timeout = httpx.Timeout(30.0, read=read_timeout)
        # When set, deletes of statuses the caller never stored are dropped here; without it
        # every delete of the home timeline is passed on (a brand account's is small).
        self._is_known = is_known

    async def stream(self, config: MastodonConfig, cursor: str | None) -> AsyncIterator[Streamed]:
        last = cursor or None
        attempt = 0
        # An endless stream: no size cap on the whole, each event is one bounded SSE frame.
        async with outbound_client(OutboundSettings(), timeout=self._timeout, capped=False) as http:
            while True:
                delay: float | None = None
                try:
                    response = await self._open(config, http)
                    try:
                        async for streamed in self._catch_up(config, http, last):
                            last = streamed.cursor
                            yield streamed
                        last = last or "0"  # never mentioned: every mention to come is newer
                        attempt = 0
                        async for streamed in self._events(response, last):
                            last = streamed.cursor
                            yield streamed
                    finally:
                        await response.aclose()
                except _Retry as retry:
                    delay = retry.delay
                except httpx.TransportError:
                    pass
                except httpx.HTTPStatusError as error:
                    if error.response.status_code < 500:
                        raise  # a refused token or a wrong URL: the runner records it
                attempt += 1
                await asyncio.sleep(delay if delay is not None else self._backoff.delay(attempt))

    async def _catch_up(
        self, config: MastodonConfig, http: httpx.AsyncClient, last: str | None
    ) -> AsyncIterator[Streamed]:
        async for page in catch_up(config, last, http):
            # Oldest first, each with its own id: a cursor stored mid-page covers all before it.
            for notification in _chronological(page.items):
                notification_id = str(notification["id"])
                if notification.get("type") != "mention":
                    continue
                if last and id_order(notification_id) <= id_order(last):
                    continue
                last = notification_id
                yield Streamed(_wrap("notification", notification), last)

    async def _events(self, response: httpx.Response, last: str) -> AsyncIterator[Streamed]:
        async for event, data in _sse(response):
            if event == "notification":
                try:
                    notification = json.loads(data)
                except ValueError:
                    notification = None
                if not isinstance(notification, dict) or "id" not in notification:
                    yield Streamed(_wrap(event, data), last)  # archived; parse says what is wrong
                    continue
                if notification.get("type") != "mention":
                    continue
                notification_id = str(notification["id"])
                if id_order(notification_id) <= id_order(last):
                    continue  # the catch-up already gave it
                last = notification_id
                yield Streamed(_wrap(event, notification), last)
            elif event == "delete":
                status_id = data.strip()
                if self._is_known is None or await self._is_known(status_id):
                    yield Streamed(_wrap(event, status_id), last)

    async def _open(self, config: MastodonConfig, http: httpx.AsyncClient) -> httpx.Response:
        """The event stream, following Mastodon's 301 to a separate streaming host by hand:
        httpx drops the Authorization header on a redirect to another origin."""
        url = _base(config) + self._path
        headers = {**_auth(config), "Accept": "text/event-stream"}
        for _ in range(3):
            request = http.build_request("GET", url, headers=headers)
            try:
                response = await http.send(request, stream=True, follow_redirects=False)
            except httpx.TransportError as error:
                raise _Retry() from error
            if response.is_redirect and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                await response.aclose()
                continue
            if response.is_success:
                return response
            await response.aread()
            await response.aclose()
            if response.status_code == 429:
                raise _Retry(parse_rate_limit(response.headers, status=429).retry_after)
            response.raise_for_status()
        raise httpx.TooManyRedirects("streaming API redirected too often", request=request)

    def parse(self, config: MastodonConfig, item: Mapping[str, Any]) -> list[MentionChange]:
        event, payload = item.get("event"), item.get("payload")
        if event == "notification" and isinstance(payload, Mapping):
            return parse_notification(payload)
        if event == "notification":
            raise MalformedPayload("notification event whose data is not a JSON object")
        if event == "delete" and isinstance(payload, str | int) and str(payload):
            return [MentionDeleted(platform=PLATFORM, external_id=natural_key(str(payload)))]
        raise MalformedPayload(f"not a Mastodon stream event: {event!r}")
