"""Each person's in-app inbox: pages, unread count, read receipts, and a live stream.

The live stream reads the store, not Kafka: every replica can serve any person, and a new
item is found by one indexed query per connection per poll (`workspace, person, created_at`).
Items delivered by this very replica wake their streams at once; items delivered by another
replica show up at the next poll. Because `created_at` is stamped by whichever replica wrote
the item, and a write may become visible after a later one, each poll re-reads a short window
behind the newest item shown and skips the ids it already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

from ensemble_notify.models.inbox import InboxEntry, InboxItem, InboxPage, ReadReceipt
from ensemble_notify.storage import InboxRepository
from ensemble_shared.errors import NotFound
from ensemble_shared.events import Source, envelope, utcnow
from ensemble_shared.events.notifications import NotificationReadData, NotificationReadV1
from ensemble_shared.storage.pagination import next_cursor, parse_cursor

LIVE_PAGE = 200  # items a live stream reads per poll


class InboxFeed:
    """In-process wake-ups for live streams, keyed by (workspace, person)."""

    def __init__(self) -> None:
        self._waiters: dict[tuple[str, str], set[asyncio.Event]] = defaultdict(set)

    def delivered(self, workspace: str, person: str) -> None:
        for waiter in self._waiters.get((workspace, person), ()):
            waiter.set()

    def listen(self, workspace: str, person: str) -> asyncio.Event:
        waiter = asyncio.Event()
        self._waiters[(workspace, person)].add(waiter)
        return waiter

    def forget(self, workspace: str, person: str, waiter: asyncio.Event) -> None:
        waiters = self._waiters.get((workspace, person))
        if waiters is not None:
            waiters.discard(waiter)
            if not waiters:
                del self._waiters[(workspace, person)]


@dataclass(frozen=True)
class Unread:
    """The first message of a stream: where the person stands when it opens."""

    unread: int


class InboxService:
    def __init__(
        self,
        inbox: InboxRepository,
        feed: InboxFeed,
        *,
        poll_seconds: float = 2.0,
        ping_seconds: int = 15,
        skew: timedelta = timedelta(seconds=5),
    ) -> None:
        self._inbox = inbox
        self._feed = feed
        self._poll = poll_seconds
        self.ping_seconds = ping_seconds  # keep-alive comments on live streams
        self._skew = skew

    async def page(
        self, workspace: str, person: str, *, cursor: str | None, limit: int
    ) -> InboxPage:
        before = parse_cursor(cursor or None)  # an empty cursor asks for the first page
        items = await self._inbox.page(workspace, person, before=before, limit=limit)
        reads = await self._inbox.read_at(i.id for i in items)
        return InboxPage(
            items=[InboxEntry(**i.model_dump(), read_at=reads.get(i.id)) for i in items],
            next_cursor=next_cursor(items, limit, lambda i: (i.created_at, i.id)),
        )

    async def unread(self, workspace: str, person: str) -> int:
        return await self._inbox.unread(workspace, person)

    async def mark_read(self, workspace: str, person: str, item_id: str) -> ReadReceipt:
        """Idempotent: the first call stores the receipt and announces notification.read."""
        item = await self._inbox.get(workspace, person, item_id)
        if item is None:
            raise NotFound(f"no notification {item_id!r} in your inbox")
        at = utcnow()
        at = at.replace(microsecond=at.microsecond // 1000 * 1000)  # as the store keeps it
        event = NotificationReadV1(
            **envelope(Source.NOTIFY, workspace, item.id),
            causation_id=item.event_id,
            data=NotificationReadData(
                notification_id=item.id,
                person=person,
                source_event_id=item.event_id,
                source_event_type=item.event_type,
                read_at=at,
            ),
        )
        if await self._inbox.mark_read(item, at, event):
            return ReadReceipt(id=item.id, read_at=at, newly_read=True)
        already = await self._inbox.read_at([item.id])
        return ReadReceipt(id=item.id, read_at=already.get(item.id, at), newly_read=False)

    async def stream(
        self, workspace: str, person: str, *, last_event_id: str | None = None
    ) -> AsyncIterator[InboxItem | Unread]:
        """Unread count first, then every item delivered after `last_event_id` (or after
        now), oldest first, forever; the caller stops iterating when the client leaves."""
        watermark = utcnow()
        if last_event_id:
            last = await self._inbox.get(workspace, person, last_event_id)
            if last is not None:
                watermark = last.created_at
        # What is already there counts as shown (the client lists it with GET /inbox): the
        # window re-read behind the watermark must not replay it.
        sent = {
            item.id: item.created_at
            for item in await self._inbox.since(
                workspace, person, watermark - self._skew, limit=LIVE_PAGE
            )
            if item.created_at <= watermark
        }
        yield Unread(await self._inbox.unread(workspace, person))
        while True:
            waiter = self._feed.listen(workspace, person)
            try:
                fresh = await self._inbox.since(
                    workspace, person, watermark - self._skew, limit=LIVE_PAGE
                )
                new = 0
                for item in fresh:
                    if item.id not in sent:
                        new += 1
                        sent[item.id] = item.created_at
                        watermark = max(watermark, item.created_at)
                        yield item
                horizon = watermark - self._skew
                sent = {i: at for i, at in sent.items() if at >= horizon}
                if len(fresh) < LIVE_PAGE or new == 0:  # a full page all seen: wait, do not spin
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(waiter.wait(), self._poll)
            finally:
                self._feed.forget(workspace, person, waiter)
