"""Content and approvals: the decisions awaiting the signed-in person first, every item with
where it stands, a new draft; an item's editor, versions and the difference between any two,
comments, the approval timeline with its deadlines, and approve/reject in place.

Every action is a form that posts and redirects with a notice (or re-renders with the API's
refusal); the person acts as themselves through scheduler with their own access token, so
scheduler's rules (who may decide which step, stale versions) are the only rules.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Query

from ensemble_console.clients import ApiError
from ensemble_console.models.scheduler import AwaitingPage, Version, duty_of
from ensemble_console.web import textdiff
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.moments import BadMoment, field_value, local_moment

router = APIRouter(prefix="/w/{workspace}/content")

KINDS = ("post", "announcement")
"""What a draft can be from this page (replies and answers start from a mention or an idea)."""
LISTED = 100
Decision = Literal["approve", "reject", "request_changes"]
Text = Annotated[str, Form(max_length=20_000)]
Short = Annotated[str, Form(max_length=300)]


def tag_list(text: str) -> list[str]:
    """Tags typed as a comma- or space-separated list, without repeats."""
    return list(dict.fromkeys(t for t in re.split(r"[\s,]+", text.strip()) if t))


AWAITING = 50
"""Decisions shown at a time; a link pages on (scheduler lists them all, soonest due first)."""
Cursor = Annotated[str | None, Query(max_length=512)]


async def _awaiting(staff: InWorkspace, cursor: str | None) -> AwaitingPage:
    """A page of my pending decisions: one call, scheduler applies its decision rules. A
    cursor it does not recognise (an edited link) shows the first page."""
    visit = staff.visit
    client = visit.clients.scheduler
    try:
        return await client.awaiting(visit.caller, staff.workspace, cursor=cursor, limit=AWAITING)
    except ApiError as exc:
        if exc.status != 422 or cursor is None:
            raise
    return await client.awaiting(visit.caller, staff.workspace, limit=AWAITING)


async def _list_page(
    staff: InWorkspace,
    *,
    status: int = 200,
    error: str = "",
    form: dict[str, str] | None = None,
    decisions: str | None = None,
) -> object:
    """`decisions`: the cursor of the page of my decisions shown (the first one if None)."""
    visit, ws = staff.visit, staff.workspace
    client, caller = visit.clients.scheduler, visit.caller
    page, awaiting = await asyncio.gather(
        client.contents(caller, ws, limit=LISTED), _awaiting(staff, decisions)
    )
    return visit.page(
        "content/list.html",
        status=status,
        place=staff.place,
        items=page.items,
        more=page.next_cursor is not None,
        duties=awaiting.items,
        duties_next=awaiting.next_cursor,
        duties_paged=decisions is not None,
        kinds=KINDS,
        error=error,
        form=form or {"kind": "post", "channel": "", "title": "", "body": "", "tags": ""},
    )


@router.get("")
async def content_list(staff: Staff, decisions: Cursor = None) -> object:
    """`?decisions=` pages my pending decisions (scheduler's cursor)."""
    return await _list_page(staff, decisions=decisions)


@router.post("")
async def create(
    staff: Staff,
    body: Text,
    channel: Short,
    kind: Annotated[Literal["post", "announcement"], Form()] = "post",
    title: Short = "",
    tags: Short = "",
    slot: Annotated[str, Form(max_length=40)] = "",
) -> object:
    visit = staff.visit
    form = {"kind": kind, "channel": channel, "title": title, "body": body, "tags": tags}
    try:
        when = local_moment(slot, visit.i18n.zone)
        fields: dict[str, Any] = {
            "kind": kind,
            "channel": channel.strip(),
            "body": body.strip(),
            "title": title.strip() or None,
            "tags": tag_list(tags),
            "slot": when.isoformat() if when else None,
        }
        item = await visit.clients.scheduler.create_content(visit.caller, staff.workspace, fields)
    except (ApiError, BadMoment) as exc:
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        message = exc.message if isinstance(exc, ApiError) else "slot"
        return await _list_page(staff, status=422, error=message, form=form)
    return visit.redirect(f"/w/{staff.workspace}/content/{item.id}", notice="content_created")


def _versions_compared(
    versions: list[Version], start: int | None, end: int | None
) -> tuple[int, int, list[textdiff.FieldDiff]] | None:
    """The difference between two versions (default: the one before the latest, the latest)."""
    numbers = {v.version: v for v in versions}
    if len(numbers) < 2:
        return None
    b = end if end in numbers else max(numbers)
    others = sorted(n for n in numbers if n != b)
    earlier = [n for n in others if n < b]
    a = start if start in others else (earlier[-1] if earlier else others[0])
    return a, b, textdiff.compare(_texts(numbers[a]), _texts(numbers[b]))


def _texts(version: Version) -> dict[str, str]:
    fields = version.fields
    return {
        "channel": fields.channel,
        "title": fields.title or "",
        "body": fields.body,
        "tags": ", ".join(fields.tags),
        "media": "\n".join(fields.media),
        "slot": fields.slot.isoformat() if fields.slot else "",
    }


async def _item_page(
    staff: InWorkspace,
    content_id: str,
    *,
    status: int = 200,
    error: str = "",
    compare: tuple[int | None, int | None] = (None, None),
) -> object:
    visit, ws = staff.visit, staff.workspace
    client, caller = visit.clients.scheduler, visit.caller
    item = await client.content(caller, ws, content_id)
    workflow, calendar = await asyncio.gather(
        asyncio.gather(
            client.versions(caller, ws, item.id),
            client.comments(caller, ws, item.id),
            client.approval(caller, ws, item.id),
            client.deadlines(caller, ws, item.id),
        ),
        asyncio.gather(
            client.policy_preview(caller, ws, item.id),
            client.schedule_of(caller, ws, item.id),
            client.publication(caller, ws, item.id),
        ),
    )
    versions, comments, approval, plans = workflow
    preview, scheduled, publication = calendar
    policy = await client.policy(caller, ws, approval.policy) if approval else None
    names = await _names(staff)
    duty = (
        duty_of(
            item,
            approval,
            policy,
            plans,
            subject=staff.me.account.id,
            teams=staff.place.teams,
            roles=staff.place.roles,
            now=datetime.now(UTC),
        )
        if approval
        else None
    )
    return visit.page(
        "content/item.html",
        status=status,
        place=staff.place,
        item=item,
        versions=versions,
        compared=_versions_compared(versions, *compare),
        comments=comments.items,
        approval=approval,
        deadlines=plans,
        preview=preview,
        duty=duty,
        scheduled=scheduled,
        publication=publication,
        slot_value=field_value(item.fields.slot, visit.i18n.zone),
        me=staff.me.account.id,
        names=names,
        error=error,
    )


async def _names(staff: InWorkspace) -> dict[str, str]:
    """Account ids to names, for the people who may list the workspace's members (admins and
    managers); others see ids."""
    visit = staff.visit
    if not ({"admin", "manager"} & set(staff.place.roles)):
        return {}
    try:
        people = await visit.clients.people.members(visit.caller, staff.workspace)
    except ApiError as exc:
        if exc.status != 403:
            raise
        return {}
    return {person.account_id: person.name for person in people}


@router.get("/{content_id}")
async def item_page(
    staff: Staff,
    content_id: str,
    start: Annotated[int | None, Query(alias="from", ge=1, le=1_000_000)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1, le=1_000_000)] = None,
) -> object:
    """`?from=a&to=b` picks the two versions compared."""
    return await _item_page(staff, content_id, compare=(start, end))


async def _acted(staff: InWorkspace, content_id: str, notice: str, action: Any) -> object:
    """Runs one call to scheduler; a refusal re-renders the item with the API's reason."""
    try:
        await action
    except ApiError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _item_page(staff, content_id, status=exc.status, error=exc.message)
    path = f"/w/{staff.workspace}/content/{content_id}"
    return staff.visit.redirect(path, notice=notice)


@router.post("/{content_id}/edit")
async def edit(
    staff: Staff,
    content_id: str,
    body: Text,
    channel: Short,
    base_version: Annotated[int, Form(ge=1, le=1_000_000)],
    title: Short = "",
    tags: Short = "",
) -> object:
    """A new version; 409 when someone else saved one since this form was opened."""
    changes = {
        "base_version": base_version,
        "channel": channel.strip(),
        "title": title.strip() or None,
        "body": body.strip(),
        "tags": tag_list(tags),
    }
    visit = staff.visit
    call = visit.clients.scheduler.edit_content(visit.caller, staff.workspace, content_id, changes)
    return await _acted(staff, content_id, "content_saved", call)


@router.post("/{content_id}/comments")
async def comment(
    staff: Staff, content_id: str, body: Annotated[str, Form(min_length=1, max_length=5_000)]
) -> object:
    visit = staff.visit
    call = visit.clients.scheduler.comment(visit.caller, staff.workspace, content_id, body)
    return await _acted(staff, content_id, "comment_added", call)


@router.post("/{content_id}/approval")
async def request_approval(
    staff: Staff, content_id: str, comment: Annotated[str, Form(max_length=5_000)] = ""
) -> object:
    visit = staff.visit
    call = visit.clients.scheduler.request_approval(
        visit.caller, staff.workspace, content_id, comment.strip() or None
    )
    return await _acted(staff, content_id, "approval_requested", call)


@router.post("/{content_id}/decision")
async def decide(
    staff: Staff,
    content_id: str,
    step: Annotated[str, Form(min_length=1, max_length=64)],
    decision: Annotated[Decision, Form()],
    version: Annotated[int, Form(ge=1, le=1_000_000)],
    comment: Annotated[str, Form(max_length=5_000)] = "",
) -> object:
    """Decides as the signed-in person; `version` is the one they looked at (409 if the
    item changed since)."""
    note = comment.strip() or None
    if decision != "approve" and note is None:
        return await _item_page(staff, content_id, status=422, error="reason")
    visit = staff.visit
    body = {"step": step, "decision": decision, "comment": note, "version": version}
    call = visit.clients.scheduler.decide(visit.caller, staff.workspace, content_id, body)
    return await _acted(staff, content_id, f"decided_{decision}", call)
