"""The calendar: a week or a month in the person's time zone, each day's scheduled items per
channel with their publishing state (scheduled, publishing, published with a link, failed
with the reason) and the channels' free slots; a reschedule form per item (scheduler's rules
decide, a refusal shows its reason); the .ics feed link to copy into a calendar app."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query

from ensemble_console.clients import ApiError
from ensemble_console.models.scheduler import CalendarEntry, Publication
from ensemble_console.web import agenda
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.moments import BadMoment, field_value, local_moment

router = APIRouter(prefix="/w/{workspace}/calendar")

SETTLED = frozenset({"published", "failed"})


@dataclass(frozen=True)
class Placed:
    """An item in a day: its calendar entry and, once its time came, its publication."""

    entry: CalendarEntry
    publication: Publication | None
    slot_value: str

    @property
    def state(self) -> str:
        """scheduled, held, publishing, published or failed."""
        if self.entry.status in SETTLED:
            return self.entry.status
        if self.publication is not None and self.publication.status == "in_flight":
            return "publishing"
        if self.publication is not None and self.publication.status == "refused":
            return "failed"
        return self.entry.status


@dataclass
class Day:
    day: date
    in_month: bool
    items: list[Placed] = field(default_factory=list)
    free: list[agenda.PlannedSlot] = field(default_factory=list)


def _anchor(text: str, today: date) -> date:
    """The day asked for; today when the text is not a day or lies far outside any plan
    (the edges of the calendar would overflow the month arithmetic)."""
    try:
        asked = date.fromisoformat(text) if text else today
    except ValueError:
        return today
    return asked if 1900 <= asked.year <= 2200 else today


async def _calendar_page(
    staff: InWorkspace,
    view: agenda.View,
    day: str,
    *,
    status: int = 200,
    feed: str = "",
    error: str = "",
) -> object:
    visit, ws = staff.visit, staff.workspace
    client, caller = visit.clients.scheduler, visit.caller
    zone = visit.i18n.zone
    now = datetime.now(UTC)
    shown = agenda.span(view, _anchor(day, now.astimezone(zone).date()))
    start, end = shown.bounds(zone)
    page, plans, waiting = await asyncio.gather(
        client.calendar(caller, ws, start, end),
        client.slot_plans(caller, ws),
        client.queue(caller, ws),
    )
    due = [e for e in page.items if e.status in SETTLED or e.slot_at <= now]
    found = await asyncio.gather(*(client.publication(caller, ws, e.content_id) for e in due))
    publications = {e.content_id: p for e, p in zip(due, found, strict=True)}
    days = {d: Day(d, d.month == shown.anchor.month) for d in shown.days()}
    for entry in sorted(page.items, key=lambda e: (e.slot_at, e.channel)):
        local = entry.slot_at.astimezone(zone)
        if local.date() in days:
            placed = Placed(entry, publications.get(entry.content_id), field_value(local, zone))
            days[local.date()].items.append(placed)
    taken = {(e.channel, e.slot_at) for e in page.items}
    weekly = [
        agenda.WeeklySlot(plan.channel, plan.time_zone, slot.days, slot.at)
        for plan in plans
        for slot in plan.slots
    ]
    for free in agenda.planned(weekly, shown, zone):
        local_day = free.at.astimezone(zone).date()
        if (free.channel, free.at) not in taken and local_day in days and free.at > now:
            days[local_day].free.append(free)
    return visit.page(
        "calendar/page.html",
        status=status,
        place=staff.place,
        shown=shown,
        days=list(days.values()),
        truncated=page.truncated,
        waiting=waiting,
        zone=str(zone),
        feed=feed,
        error=error,
    )


ViewQuery = Annotated[Literal["week", "month"], Query()]
DayQuery = Annotated[str, Query(max_length=10)]


@router.get("")
async def calendar(staff: Staff, view: ViewQuery = "week", day: DayQuery = "") -> object:
    """`?view=week|month&day=YYYY-MM-DD` (default: this week in the person's zone)."""
    return await _calendar_page(staff, view, day)


def _back(staff: InWorkspace, back: str) -> str:
    """Where a form returns: a page of this workspace only (never another site)."""
    home = f"/w/{staff.workspace}/"
    return back if back.startswith(home) and "//" not in back and "\\" not in back else home


@router.post("/schedule")
async def schedule(
    staff: Staff,
    content_id: Annotated[str, Form(min_length=1, max_length=200)],
    when: Annotated[Literal["at", "next"], Form()] = "at",
    slot: Annotated[str, Form(max_length=40)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> object:
    """At the time given, or the channel's next free slot; scheduler's rules decide."""
    visit = staff.visit
    target = _back(staff, back)
    try:
        moment = None if when == "next" else local_moment(slot, visit.i18n.zone)
        if when == "at" and moment is None:
            raise BadMoment(slot)
        await visit.clients.scheduler.schedule(visit.caller, staff.workspace, content_id, moment)
    except (ApiError, BadMoment) as exc:
        if isinstance(exc, ApiError) and exc.status not in (403, 404, 409, 422):
            raise
        reason = exc.message if isinstance(exc, ApiError) else ""
        status = exc.status if isinstance(exc, ApiError) else 422
        return visit.page(
            "calendar/refused.html", status=status, place=staff.place, reason=reason, back=target
        )
    return visit.redirect(target, notice="scheduled")


@router.post("/feed")
async def feed(
    staff: Staff,
    view: Annotated[Literal["week", "month"], Form()] = "week",
    day: Annotated[str, Form(max_length=10)] = "",
) -> object:
    """A new signed .ics link, shown this once (scheduler keeps no URL to show again)."""
    visit = staff.visit
    link = await visit.clients.scheduler.feed_link(visit.caller, staff.workspace)
    return await _calendar_page(staff, view, day, feed=link.url)
