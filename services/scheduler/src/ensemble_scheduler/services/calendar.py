"""The content calendar: slot plans per channel, scheduling items into slots, the calendar views
(JSON and the signed .ics feeds).

Scheduling claims the slot with a unique-key insert, so two items never share a slot of a
channel, then records the schedule entry and arms the publish timer. Slot math and "next free
slot" are services/slots.py; the feed tokens services/feeds.py; the iCalendar rendering
services/ics.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from pydantic import ValidationError

from ensemble_scheduler.models.calendar import (
    RANGE_LIMIT,
    CalendarEntry,
    CalendarPage,
    QueueItem,
    ScheduleEntry,
    ScheduleIn,
    ScheduleView,
    SlotPlan,
    SlotPlanIn,
    publish_timer,
    publish_timer_id,
)
from ensemble_scheduler.models.content import ContentEdit
from ensemble_scheduler.models.revisions import next_revision
from ensemble_scheduler.services.content import ContentService
from ensemble_scheduler.services.feeds import FeedLinks
from ensemble_scheduler.services.ics import render_ics
from ensemble_scheduler.services.ports import Timers
from ensemble_scheduler.services.slots import SlotFinder, at_second
from ensemble_scheduler.storage.calendar import CalendarRepository
from ensemble_scheduler.storage.crises import CrisisRepository
from ensemble_scheduler.storage.publishing import PublicationRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Invalid, NotFound
from ensemble_shared.events import Source, envelope, utcnow
from ensemble_shared.events.content import (
    ContentRescheduledV1,
    ContentScheduledV1,
    ScheduleData,
)

QUEUE_SCAN = 200
"""The queue looks for approved items without a slot among this many latest items."""


class CalendarService:
    def __init__(
        self,
        calendar: CalendarRepository,
        publications: PublicationRepository,
        crises: CrisisRepository,
        content: ContentService,
        timers: Timers,
        *,
        feeds: FeedLinks,
        public_url: str,
    ) -> None:
        self._calendar = calendar
        self._publications = publications
        self._crises = crises
        self._content = content
        self._timers = timers
        self._feeds = feeds
        self._public_url = public_url.rstrip("/")
        self._finder = SlotFinder(calendar)

    # --- plans ---------------------------------------------------------------------------

    async def put_plan(self, principal: Principal, channel: str, body: SlotPlanIn) -> SlotPlan:
        current = await self._calendar.plan(principal.workspace, channel)
        try:
            plan = SlotPlan(
                **body.model_dump(),
                channel=channel,
                **next_revision(principal, current),
            )
        except ValidationError as exc:
            raise Invalid(f"channel: {exc.errors()[0]['msg']}") from None
        if not await self._calendar.insert_plan(plan):
            raise Conflict("another change to this channel's slots was saved first; reload")
        return plan

    async def plans(self, workspace: str) -> list[SlotPlan]:
        return await self._calendar.plans_of(workspace)

    async def plan(self, workspace: str, channel: str) -> SlotPlan:
        plan = await self._calendar.plan(workspace, channel)
        if plan is None:
            raise NotFound(f"channel {channel!r} has no slot plan")
        return plan

    # --- scheduling ----------------------------------------------------------------------

    async def current(self, workspace: str, content_id: str) -> ScheduleEntry | None:
        return await self._calendar.current(workspace, content_id)

    async def schedule(
        self, principal: Principal, content_id: str, body: ScheduleIn
    ) -> ScheduleView:
        """Schedule (or move) an item: to a precise future time, or the channel's next free
        slot. The slot is also written into the item (a new version: a step owning `slot`
        re-opens), the publish timer is armed, the old slot is given back."""
        workspace = principal.workspace
        latest = await self._content.latest(workspace, content_id)
        if await self._publications.result(workspace, content_id) is not None:
            raise Conflict("this item is already published")
        channel = latest.fields.channel
        now = utcnow()
        if body.slot == "next":
            after = max(body.after or now, now)
            slot = await self._claim_next(workspace, channel, after, content_id)
        else:
            slot = at_second(body.slot)
            if slot <= now:
                raise Invalid("slot: the slot is in the past")
            holder = await self._calendar.claim(workspace, channel, slot, content_id)
            if holder != content_id:
                raise Conflict(f"slot: {slot.isoformat()} on {channel!r} is taken by {holder}")
        return await self._record(principal, latest.content_id, channel, slot, latest.fields.title)

    async def reslot(self, principal: Principal, content_id: str, after: datetime) -> ScheduleView:
        """Move an item to its channel's next free slot after `after` (missed slots)."""
        return await self.schedule(principal, content_id, ScheduleIn(slot="next", after=after))

    async def _claim_next(
        self, workspace: str, channel: str, after: datetime, content_id: str
    ) -> datetime:
        for _ in range(20):  # each lost race moves past the slot someone else took
            slot = await self._finder.next_free(workspace, channel, after, content_id=content_id)
            if await self._calendar.claim(workspace, channel, slot, content_id) == content_id:
                return slot
            after = slot
        raise Conflict("slot: every free slot was taken while scheduling; try again")

    async def _record(
        self, principal: Principal, content_id: str, channel: str, slot: datetime, title: str | None
    ) -> ScheduleView:
        workspace = principal.workspace
        current = await self._calendar.current(workspace, content_id)
        if current is not None and current.slot_at == slot and current.channel == channel:
            return await self._view(current)
        try:
            await self._content.edit(principal, content_id, ContentEdit(slot=slot))
        except Exception:
            await self._calendar.release(workspace, channel, slot, content_id)
            raise
        entry = ScheduleEntry(
            content_id=content_id,
            workspace=workspace,
            channel=channel,
            sequence=current.sequence + 1 if current else 1,
            slot_at=slot,
            by=principal.subject,
            at=utcnow(),
            title=title,
        )
        data = ScheduleData(
            content_id=content_id,
            channel=channel,
            slot_at=slot,
            sequence=entry.sequence,
            by=principal.subject,
            previous_slot_at=current.slot_at if current else None,
            title=title,
        )
        head = envelope(Source.SCHEDULER, workspace, content_id)
        event = (
            ContentRescheduledV1(**head, data=data)
            if current
            else ContentScheduledV1(**head, data=data)
        )
        if not await self._calendar.insert_entry(entry, [event]):
            await self._calendar.release(workspace, channel, slot, content_id)
            raise Conflict("another scheduling of this item was saved first; reload")
        if current is not None:
            await self._timers.cancel(workspace, publish_timer_id(content_id, current.sequence))
            await self._calendar.release(workspace, current.channel, current.slot_at, content_id)
        await self._timers.schedule(publish_timer(entry))
        return await self._view(entry)

    async def rearm(self, entry: ScheduleEntry) -> None:
        """Fire the entry's publish timer again, at its slot or now if that passed (a hold
        was released). A new occurrence key, since (timer id, due time) fired already."""
        timer = publish_timer(entry)
        due = max(entry.slot_at, utcnow())
        await self._timers.schedule(timer.model_copy(update={"due_at": due}))

    async def _view(self, entry: ScheduleEntry) -> ScheduleView:
        status = (await self._statuses(entry.workspace, [entry]))[entry.content_id]
        return ScheduleView(
            content_id=entry.content_id,
            channel=entry.channel,
            slot_at=entry.slot_at,
            sequence=entry.sequence,
            status=status[0],
        )

    async def view(self, workspace: str, content_id: str) -> ScheduleView:
        entry = await self._calendar.current(workspace, content_id)
        if entry is None:
            await self._content.latest(workspace, content_id)
            raise NotFound(f"content item {content_id!r} is not scheduled")
        return await self._view(entry)

    async def _statuses(
        self, workspace: str, entries: Sequence[ScheduleEntry]
    ) -> dict[str, tuple[str, str | None]]:
        statuses: dict[str, tuple[str, str | None]] = {}
        for entry in entries:
            result = await self._publications.result(workspace, entry.content_id)
            if result is not None:
                statuses[entry.content_id] = ("published", result.platform_post_id)
            elif await self._crises.active_hold(workspace, entry.content_id) is not None:
                statuses[entry.content_id] = ("held", None)
            elif await self._publications.gate_failed(entry.content_id, entry.sequence):
                statuses[entry.content_id] = ("failed", None)
            else:
                statuses[entry.content_id] = ("scheduled", None)
        return statuses

    # --- views ---------------------------------------------------------------------------

    async def calendar(
        self,
        workspace: str,
        start: datetime,
        end: datetime,
        *,
        channels: Sequence[str] | None = None,
        limit: int = RANGE_LIMIT,
    ) -> CalendarPage:
        if end <= start:
            raise Invalid("to: must be after from")
        if end - start > timedelta(days=400):
            raise Invalid("to: a calendar spans at most 400 days")
        entries = await self._calendar.in_range(workspace, start, end, limit=10 * limit)
        if channels is not None:
            entries = [e for e in entries if e.channel in channels]
        truncated = len(entries) > limit
        entries = entries[:limit]
        statuses = await self._statuses(workspace, entries)
        return CalendarPage(
            items=[
                CalendarEntry(
                    content_id=e.content_id,
                    channel=e.channel,
                    slot_at=e.slot_at,
                    title=e.title,
                    status=statuses[e.content_id][0],
                    sequence=e.sequence,
                    platform_post_id=statuses[e.content_id][1],
                )
                for e in entries
            ],
            truncated=truncated,
        )

    async def queue(self, workspace: str, *, channel: str | None, limit: int) -> list[QueueItem]:
        """Approved items without a slot yet, newest first (among the latest 200 items)."""
        page = await self._content.page(workspace, cursor=None, limit=QUEUE_SCAN)
        queued: list[QueueItem] = []
        for item in page.items:
            if item.status != "approved" or (channel and item.fields.channel != channel):
                continue
            if await self._calendar.current(workspace, item.id) is not None:
                continue
            queued.append(
                QueueItem(
                    content_id=item.id,
                    channel=item.fields.channel,
                    title=item.fields.title,
                    version=item.version,
                    approved=True,
                )
            )
            if len(queued) >= limit:
                break
        return queued

    async def feed(self, token: str) -> bytes:
        """The .ics feed a signed token names: 30 days back, 180 ahead."""
        workspace, team = await self._feeds.open(token)
        now = utcnow()
        channels: list[str] | None = None
        if team is not None:
            channels = [
                p.channel for p in await self._calendar.plans_of(workspace) if team in p.teams
            ]
        page = await self.calendar(
            workspace, now - timedelta(days=30), now + timedelta(days=180), channels=channels
        )
        name = f"Ensemble {workspace}" + (f" ({team})" if team else "")
        return render_ics(name, page.items, public_url=self._public_url, now=now)
