"""Releasing held notifications: digests at their cadence, quiet nights, unread checks.

Each due group goes once: its record (`digests`, keyed by the group) is inserted before any
delivery, and every delivery it makes has a key derived from the group, so a second replica,
a crash and a restart, or a second pass all end with the same one message per channel. Items
held after their group went (they missed it by a hair) move to the next period instead of
being lost or sent twice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.digests import (
    DigestData,
    DigestEntry,
    DigestRecord,
    HeldItem,
    NotificationDigestV1,
    period,
    stamp,
)
from ensemble_notify.models.notifications import Notification
from ensemble_notify.models.preferences import quiet_until
from ensemble_notify.services.unsubscribe import Unsubscribing
from ensemble_notify.storage.digests import HeldRepository
from ensemble_notify.storage.inbox import InboxRepository
from ensemble_shared.events import Source, envelope, parse_event, utcnow

log = logging.getLogger(__name__)

Deliver = Callable[[Sequence[Notification]], Awaitable[object]]


def thaw(item: HeldItem) -> Notification:
    """The held notification as it was resolved."""
    return Notification.model_validate({**item.notification, "event": parse_event(item.event)})


def digest_notifications(
    group: str,
    items: Sequence[HeldItem],
    links: Unsubscribing,
    *,
    hour: int = 8,
) -> list[Notification]:
    """One message per channel for a group's items. A quiet night that held a single item on
    a channel sends that item as it was (its own delivery id, its decision links)."""
    by_channel: dict[ChannelName, list[HeldItem]] = {}
    for item in sorted(items, key=lambda i: (i.created_at, i.id)):
        by_channel.setdefault(item.channel, []).append(item)
    found: list[Notification] = []
    for channel, held in by_channel.items():
        first, last = held[0], held[-1]
        if first.kind in ("quiet", "unread") and len(held) == 1:
            found.append(thaw(first))
            continue
        if first.cadence is not None:
            start, end = period(
                first.cadence, first.due_at - timedelta(microseconds=1), ZoneInfo(first.zone), hour
            )
            data = DigestData(
                cadence=first.cadence, period_start=start, period_end=end, count=0, items=()
            )
        else:
            data = DigestData(cadence="quiet", period_end=first.due_at, count=0, items=())
        entries = []
        for item in held:
            source = parse_event(item.event)
            entries.append(
                DigestEntry(
                    event_id=source.id,
                    event_type=source.type,
                    title=item.title or source.type,
                    time=source.time,
                )
            )
        event = NotificationDigestV1(
            **{
                **envelope(Source.NOTIFY, first.workspace, first.person),
                "correlation_id": f"digest:{group}",  # the same on every pass, as the id is
            },
            id=f"digest:{group}",
            time=last.due_at,
            data=data.model_copy(update={"count": len(entries), "items": tuple(entries)}),
        )
        template = thaw(last)  # the newest address, language and name
        found.append(
            template.model_copy(
                update={
                    "event": event,
                    "links": (),
                    "unsubscribe_url": links.url(first.workspace, first.person, "*", channel)
                    if channel is ChannelName.EMAIL
                    else None,
                    "unsubscribe_page": links.page(first.workspace, first.person, "*", channel)
                    if channel is ChannelName.EMAIL
                    else None,
                    "preferences_page": links.preferences(first.workspace, first.person)
                    if channel is ChannelName.EMAIL
                    else None,
                }
            )
        )
    return found


def next_group(item: HeldItem, hour: int) -> tuple[str, datetime]:
    """Where an item that missed its group goes: the next period, or a quiet group of its own."""
    prefix = f"{item.workspace}:{item.person}:"
    if item.kind == "digest" and item.cadence is not None:
        start, end = period(item.cadence, item.due_at, ZoneInfo(item.zone), hour)
        return f"{prefix}{item.cadence}:{stamp(start)}", end
    return f"{prefix}late:{item.id}", item.due_at


class DigestService:
    def __init__(
        self,
        held: HeldRepository,
        inbox: InboxRepository,
        links: Unsubscribing,
        deliver: Deliver,
        *,
        digest_hour: int = 8,
    ) -> None:
        self._held = held
        self._inbox = inbox
        self._links = links
        self._deliver = deliver
        self._hour = digest_hour

    async def release_once(
        self, now: datetime | None = None, *, limit: int = 1000, workspace: str | None = None
    ) -> int:
        """Release every due group (of one workspace, when its digest job asks); returns how
        many went."""
        now = now or utcnow()
        due = await self._held.due(now, limit=limit, workspace=workspace)
        groups = sorted({item.group for item in due})
        released = 0
        for group in groups:
            items = [i for i in await self._held.in_groups([group])]
            try:
                released += await self._release(group, items, now)
            except Exception:
                log.exception("releasing %s failed; the next pass tries again", group)
        return released

    async def _release(self, group: str, items: list[HeldItem], now: datetime) -> int:
        if not items:
            return 0
        first = items[0]
        if first.kind == "digest" and first.quiet is not None:
            until = quiet_until(now, ZoneInfo(first.zone), first.quiet)
            if until is not None:  # a digest waits out the person's quiet hours too
                await self._held.regroup([i.id for i in items], group=group, due_at=until)
                return 0
        if first.kind == "unread":
            return await self._check_unread(group, first)
        record = await self._held.record(
            DigestRecord(
                id=group,
                workspace=first.workspace,
                person=first.person,
                items=sorted(i.id for i in items),
            )
        )
        carried = set(record.items)
        late = [i for i in items if i.id not in carried]
        for item in late:
            moved, due_at = next_group(item, self._hour)
            await self._held.regroup([item.id], group=moved, due_at=due_at)
        going = [i for i in items if i.id in carried]
        if going:
            await self._deliver(digest_notifications(group, going, self._links, hour=self._hour))
            await self._held.finish([i.id for i in going], outcome="released", group=group)
        return 1

    async def _check_unread(self, group: str, item: HeldItem) -> int:
        """Email only if the in-app notification is still unread; read meanwhile: skip."""
        read = await self._inbox.read_at([item.unread_of] if item.unread_of else [])
        if item.unread_of in read:
            await self._held.finish([item.id], outcome="skipped: read in the app", group=group)
            return 0
        await self._deliver([thaw(item)])
        await self._held.finish([item.id], outcome="released", group=group)
        return 1
