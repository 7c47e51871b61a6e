"""HTTP routes of the calendar: slot plans, scheduling, the calendar, its .ics feeds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response

from ensemble_scheduler.handlers.deps import Calendars, Feeds
from ensemble_scheduler.models.calendar import (
    RANGE_LIMIT,
    CalendarPage,
    FeedLink,
    FeedLinkRecord,
    QueueItem,
    ScheduleIn,
    ScheduleView,
    SlotPlan,
    SlotPlanIn,
    Team,
)
from ensemble_shared.inputs import StorableDatetime
from ensemble_shared.web.auth import Admin, Internal, Manager
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageSize

ChannelName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w.:-]+$")]

router = APIRouter(tags=["calendar"])


@router.put("/calendar/channels/{channel}", summary="Set a channel's weekly slots (a revision).")
async def put_plan(
    channel: ChannelName, body: SlotPlanIn, principal: Admin, calendar: Calendars
) -> SlotPlan:
    return await calendar.put_plan(principal, channel, body)


@router.get("/calendar/channels", summary="Every channel's current slot plan.")
async def list_plans(principal: Internal, calendar: Calendars) -> list[SlotPlan]:
    return await calendar.plans(principal.workspace)


@router.get("/calendar/channels/{channel}", summary="A channel's current slot plan.")
async def get_plan(channel: ChannelName, principal: Internal, calendar: Calendars) -> SlotPlan:
    return await calendar.plan(principal.workspace, channel)


@router.post(
    "/content/{content_id}/schedule",
    summary='Schedule or move an item: a time, or "next" free slot of its channel.',
)
async def schedule(
    content_id: str, body: ScheduleIn, principal: Manager, calendar: Calendars
) -> ScheduleView:
    return await calendar.schedule(principal, content_id, body)


@router.get("/content/{content_id}/schedule", summary="Where an item stands in the calendar.")
async def get_schedule(content_id: str, principal: Internal, calendar: Calendars) -> ScheduleView:
    return await calendar.view(principal.workspace, content_id)


@router.get("/calendar", summary="Scheduled items between two times, by slot.")
async def get_calendar(
    principal: Internal,
    calendar: Calendars,
    start: Annotated[StorableDatetime, Query(alias="from")],
    end: Annotated[StorableDatetime, Query(alias="to")],
    channel: Annotated[list[str] | None, Query(max_length=20)] = None,
    limit: Annotated[
        int,
        Query(ge=1, le=RANGE_LIMIT, description=f"Entries at most ({RANGE_LIMIT}); not paged."),
    ] = 200,
) -> CalendarPage:
    return await calendar.calendar(
        principal.workspace, start, end, channels=channel or None, limit=limit
    )


@router.get("/calendar/queue", summary="Approved items waiting for a slot.")
async def get_queue(
    principal: Internal,
    calendar: Calendars,
    channel: str | None = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> list[QueueItem]:
    return await calendar.queue(principal.workspace, channel=channel, limit=limit)


@router.post(
    "/calendar/feed-links",
    status_code=201,
    summary="A signed .ics feed URL for calendar apps (workspace, or one team's channels).",
)
async def create_feed_link(
    principal: Internal,
    feeds: Feeds,
    team: Annotated[Team | None, Body(embed=True)] = None,
) -> FeedLink:
    return await feeds.create(principal, team)


@router.get(
    "/calendar/feed-links",
    summary="Feed links handed out (an admin sees the workspace's, others their own); no URLs.",
)
async def list_feed_links(
    principal: Internal, feeds: Feeds, limit: PageSize = DEFAULT_PAGE_SIZE
) -> list[FeedLinkRecord]:
    return await feeds.listed(principal, limit=limit)


@router.delete(
    "/calendar/feed-links/{link_id}",
    summary="Revoke a feed link (its owner or an admin): its URL answers 410 from then on.",
)
async def revoke_feed_link(
    link_id: Annotated[str, Path(min_length=1, max_length=100)], principal: Internal, feeds: Feeds
) -> FeedLinkRecord:
    return await feeds.revoke(principal, link_id)


@router.get(
    "/calendar.ics",
    summary="The iCalendar feed a signed token names (no headers: calendar apps send none).",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}},
        410: {"description": "The link was revoked (or predates revocable links)."},
    },
)
async def get_feed(
    calendar: Calendars, token: Annotated[str, Query(min_length=10, max_length=2_000)]
) -> Response:
    body = await calendar.feed(token)
    return Response(body, media_type="text/calendar; charset=utf-8")
