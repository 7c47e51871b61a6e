"""The inbox: ingest's unified mentions with their filters and live arrivals, one mention with
its timeline and notes, the actions on it (assign, close, note), and a reply drafted into
scheduler's approval flow.

The list makes its calls in parallel (ingest's page and the person's saved views, scheduler's
latest crisis, identity's members for names), besides the `GET /me` every page makes; only
ingest's page is required; saving and deleting views is `inbox_views`, the filters
`inbox_filters`. Live arrivals are an SSE stream the console serves itself: ingest offers no
stream, so the console asks ingest for what arrived since the page was drawn every few seconds,
server to server, for as long as the page is open (capped; the browser's EventSource
reconnects). A list read oldest first has no live arrivals: they belong on its last page.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query
from pydantic import StringConstraints
from starlette.responses import StreamingResponse

from ensemble_console.clients import ApiError
from ensemble_console.models.ingest import Mention, SavedView
from ensemble_console.models.scheduler import Approval, ContentItem, Crisis, Publication
from ensemble_console.routes.inbox_filters import (
    PRIORITIES,
    SENTIMENTS,
    STATUSES,
    Filtered,
    Filters,
    Text,
)
from ensemble_console.web import live as live_stream
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.errors import PageError
from ensemble_console.web.pages import Pages

router = APIRouter(prefix="/w/{workspace}/inbox")

PAGE_SIZE = 50
CRISIS_SHOWN_FOR = timedelta(hours=24)
ID_LENGTH = 200
ID = r"^[\w-]+$"
"""What an id of ingest or scheduler looks like: never a path of its own (no `/`, no `..`).
Its length is bounded apart (`ID_LENGTH`): a bounded repetition of a Unicode class in a pattern
costs pydantic-core's regex engine megabytes per parameter that uses it."""
MentionId = Annotated[str, Path(min_length=1, max_length=ID_LENGTH, pattern=ID)]


# --- reading ---------------------------------------------------------------------------------


async def _people(staff: InWorkspace) -> dict[str, str]:
    """Account id → name, for the people a page names; empty when identity will not say
    (a role that may not list members): the page then shows ids."""
    try:
        members = await staff.visit.clients.people.members(staff.visit.caller, staff.workspace)
    except ApiError:
        return {}
    return {m.account_id: m.name for m in members if m.kind == "staff"}


async def _teams(staff: InWorkspace) -> list[str]:
    try:
        teams = await staff.visit.clients.people.teams(staff.visit.caller, staff.workspace)
    except ApiError:
        return []
    return sorted(t.name for t in teams)


async def _views(staff: InWorkspace) -> list[SavedView]:
    """The person's saved views; none shown (the inbox still opens) when ingest will not say."""
    try:
        return await staff.visit.clients.ingest.views(staff.visit.caller, staff.workspace)
    except ApiError:
        return []


async def _recent_crisis(staff: InWorkspace, now: datetime) -> Crisis | None:
    """The latest negative spike of the last day, for the banner; the inbox still opens when
    scheduler cannot say."""
    try:
        crises = await staff.visit.clients.scheduler.crises(
            staff.visit.caller, staff.workspace, limit=1
        )
    except ApiError:
        return None
    return next((c for c in crises if now - c.at <= CRISIS_SHOWN_FOR), None)


@router.get("")
async def inbox(
    staff: Staff, filters: Filtered, cursor: Annotated[str, Query(max_length=512)] = ""
) -> object:
    visit, ws, me = staff.visit, staff.workspace, staff.me.account.id
    now = datetime.now(UTC)
    params = {
        **filters.params(me, visit.i18n.zone),
        "sort": filters.ordered(),
        "cursor": cursor or None,
    }
    try:
        page, crisis, people, views = await asyncio.gather(
            visit.clients.ingest.mentions(visit.caller, ws, params, limit=PAGE_SIZE),
            _recent_crisis(staff, now),
            _people(staff),
            _views(staff),
        )
    except ApiError as exc:
        if exc.status != 422:  # a cursor ingest did not make, a filter it refuses
            raise
        return visit.error(400, "invalid")
    back = visit.path + (f"?{visit.request.url.query}" if visit.request.url.query else "")
    now_iso = now.isoformat()
    return visit.page(
        "inbox/list.html",
        place=staff.place,
        mentions=page.items,
        next_link=f"?{filters.query(cursor=page.next_cursor)}" if page.next_cursor else "",
        filters=filters,
        views=[(view, Filters.of_view(view, me, visit.i18n.zone).query()) for view in views],
        # arrivals go on top: a list read oldest first gets them on its last page instead
        live="" if filters.oldest_first else f"{visit.path}/live?{filters.query(since=now_iso)}",
        crisis=crisis,
        people=people,
        now=now,
        back=back,
        statuses=STATUSES,
        sentiments=SENTIMENTS,
        priorities=PRIORITIES,
    )


@router.get("/live")
async def live(staff: Staff, filters: Filtered, since: Text = "") -> StreamingResponse:
    """Server-sent events: each mention that arrives (and matches the filters), as the row
    the list would show; ends when the person may no longer read the inbox."""
    visit, ws = staff.visit, staff.workspace
    try:
        after = datetime.fromisoformat(since) if since else datetime.now(UTC)
    except ValueError:
        raise PageError(400, "invalid") from None
    if after.tzinfo is None:
        raise PageError(400, "invalid")
    params = filters.params(staff.me.account.id, visit.i18n.zone)
    pages: Pages = visit.request.app.state.pages
    people = await _people(staff)

    async def events() -> AsyncIterator[str]:
        seen: set[str] = set()
        newest = after
        async for _ in live_stream.rounds():
            asked = {**params, "since": newest.isoformat()}
            try:
                page = await visit.clients.ingest.mentions(visit.caller, ws, asked, limit=PAGE_SIZE)
            except ApiError as exc:
                if exc.status in (401, 403, 404):
                    return
                yield live_stream.comment("ingest did not answer")
                continue
            now = datetime.now(UTC)
            for mention in reversed(page.items):  # oldest first: the newest ends on top
                if mention.id not in seen:
                    seen.add(mention.id)
                    row = pages.render(
                        "inbox/_row.html", visit=visit, mention=mention, people=people, now=now
                    )
                    yield live_stream.event("mention", {"id": mention.id, "html": row})
            newest = max([newest, *(m.received_at for m in page.items)])

    return live_stream.response(events())


async def _reply_state(
    staff: InWorkspace, content_id: str
) -> tuple[ContentItem, Approval | None] | None:
    """The reply drafted from this page (its id in the address), and its approval if asked."""
    if not content_id:
        return None
    scheduler, caller = staff.visit.clients.scheduler, staff.visit.caller
    try:
        content = await scheduler.content(caller, staff.workspace, content_id)
    except ApiError as exc:
        if exc.status in (404, 422):
            return None
        raise
    return content, await scheduler.approval(caller, staff.workspace, content_id)


async def _replies(
    staff: InWorkspace, mention_id: str
) -> list[tuple[ContentItem, Publication | None]]:
    """The replies drafted on this mention, newest first; an approved one with its
    publication (where it went out, or why not)."""
    scheduler, caller = staff.visit.clients.scheduler, staff.visit.caller
    page = await scheduler.contents(caller, staff.workspace, limit=20, mention_id=mention_id)
    published = [item for item in page.items if item.status == "approved"]
    outs = await asyncio.gather(
        *(scheduler.publication(caller, staff.workspace, item.id) for item in published)
    )
    where = {item.id: out for item, out in zip(published, outs, strict=True)}
    return [(item, where.get(item.id)) for item in page.items]


@router.get("/{mention_id}")
async def mention_page(
    staff: Staff,
    mention_id: MentionId,
    reply: Annotated[str, Query(max_length=ID_LENGTH, pattern=ID)] = "",
) -> object:
    visit, ws = staff.visit, staff.workspace
    ingest = visit.clients.ingest
    mention, timeline, people, teams, drafted, replies = await asyncio.gather(
        ingest.mention(visit.caller, ws, mention_id),
        ingest.timeline(visit.caller, ws, mention_id),
        _people(staff),
        _teams(staff),
        _reply_state(staff, reply),
        _replies(staff, mention_id),
    )
    return visit.page(
        "inbox/mention.html",
        place=staff.place,
        mention=mention,
        timeline=timeline,
        notes=[e for e in timeline if e.kind == "note_added"],
        people=people,
        teams=teams,
        drafted=drafted,
        replies=replies,
        now=datetime.now(UTC),
    )


# --- acting ----------------------------------------------------------------------------------


def _back(staff: InWorkspace, back: str, mention_id: str = "") -> str:
    """Where a form returns: the inbox page it came from (filters kept), else the mention or
    the inbox; never outside the inbox (no open redirect)."""
    inbox = f"/w/{staff.workspace}/inbox"
    if back == inbox or back.startswith((f"{inbox}?", f"{inbox}/")):
        return back
    return f"{inbox}/{mention_id}" if mention_id else inbox


async def _acted(staff: InWorkspace, url: str, action: Awaitable[Any], notice: str) -> object:
    """Runs one action on ingest and goes back with its notice; a refusal a person can act
    on (changed meanwhile, not valid) is a notice too."""
    try:
        await action
    except ApiError as exc:
        if exc.status == 409:
            notice = "mention_changed"
        elif exc.status in (400, 422):
            notice = "mention_refused"
        else:
            raise
    return staff.visit.redirect(url, notice=notice)


def _assignee(staff: InWorkspace, assignee: str) -> str | None:
    return staff.me.account.id if assignee == "me" else (assignee.strip() or None)


Field200 = Annotated[str, Form(max_length=200)]
Back = Annotated[str, Form(max_length=2000)]


@router.post("/{mention_id}/assign")
async def assign(
    staff: Staff, mention_id: MentionId, assignee: Field200 = "", team: Field200 = ""
) -> object:
    who, team_name = _assignee(staff, assignee), team.strip() or None
    url = _back(staff, "", mention_id)
    if who is None and team_name is None:
        return staff.visit.redirect(url, notice="assign_whom")
    ingest, caller = staff.visit.clients.ingest, staff.visit.caller
    action = ingest.assign(caller, staff.workspace, mention_id, who, team_name)
    return await _acted(staff, url, action, "mention_assigned")


@router.post("/{mention_id}/status")
async def change_status(
    staff: Staff,
    mention_id: MentionId,
    status: Annotated[Literal["new", "assigned", "replied", "closed"], Form()],
) -> object:
    ingest, caller = staff.visit.clients.ingest, staff.visit.caller
    action = ingest.set_status(caller, staff.workspace, mention_id, status)
    notice = "mention_closed" if status == "closed" else "mention_reopened"
    return await _acted(staff, _back(staff, "", mention_id), action, notice)


@router.post("/{mention_id}/notes")
async def add_note(
    staff: Staff,
    mention_id: MentionId,
    text: Annotated[str, Form(min_length=1, max_length=5000)],
) -> object:
    url = _back(staff, "", mention_id)
    if not text.strip():
        return staff.visit.redirect(url, notice="note_empty")
    ingest, caller = staff.visit.clients.ingest, staff.visit.caller
    action = ingest.add_note(caller, staff.workspace, mention_id, text.strip())
    return await _acted(staff, url, action, "note_added")


@router.post("/bulk")
async def bulk(
    staff: Staff,
    action: Annotated[Literal["me", "assign", "close"], Form()],
    ids: Annotated[
        list[Annotated[str, StringConstraints(max_length=ID_LENGTH, pattern=ID)]],
        Form(max_length=PAGE_SIZE),
    ] = [],  # noqa: B006 (FastAPI copies)
    assignee: Field200 = "",
    team: Field200 = "",
    back: Back = "",
) -> object:
    """Assigns or closes every checked mention, one after the other (ingest acts on one)."""
    url = _back(staff, back)
    who = _assignee(staff, "me" if action == "me" else assignee)
    team_name = (team.strip() or None) if action == "assign" else None
    if not ids:
        return staff.visit.redirect(url, notice="nothing_selected")
    if action == "assign" and who is None and team_name is None:
        return staff.visit.redirect(url, notice="assign_whom")
    ingest, caller, ws = staff.visit.clients.ingest, staff.visit.caller, staff.workspace
    changed = 0
    for mention_id in ids:
        try:
            if action == "close":
                await ingest.set_status(caller, ws, mention_id, "closed")
            else:
                await ingest.assign(caller, ws, mention_id, who, team_name)
            changed += 1
        except ApiError as exc:
            if exc.status not in (404, 409, 422):
                raise
    if changed < len(ids):
        return staff.visit.redirect(url, notice="bulk_partly")
    return staff.visit.redirect(url, notice="bulk_closed" if action == "close" else "bulk_assigned")


@router.post("/{mention_id}/reply")
async def reply(
    staff: Staff,
    mention_id: MentionId,
    body: Annotated[str, Form(min_length=1, max_length=20_000)],
) -> object:
    """A reply drafted on the mention's platform and sent to approval (the workspace's
    policies choose the steps); without a matching policy it stays a draft."""
    visit, ws = staff.visit, staff.workspace
    url = _back(staff, "", mention_id)
    if not body.strip():
        return visit.redirect(url, notice="reply_empty")
    mention: Mention = await visit.clients.ingest.mention(visit.caller, ws, mention_id)
    scheduler = visit.clients.scheduler
    try:
        content = await scheduler.draft_reply(
            visit.caller, ws, mention.id, mention.platform, body.strip()
        )
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        return visit.redirect(url, notice="reply_refused")
    notice = "reply_in_review"
    try:
        await scheduler.request_approval(visit.caller, ws, content.id, None)
    except ApiError as exc:
        if exc.status not in (409, 422):  # no policy matches / the triage is not known yet
            raise
        notice = "reply_drafted"
    return visit.redirect(f"{url}?reply={content.id}", notice=notice)
