"""The Community screen's board: submissions with their votes and status, filtered by status,
kind or what waits in moderation; staff move one along the roadmap or merge a duplicate into
another. Also what the other community pages share: the id a path holds and the page a
refused action gets.

The roadmap's rules (which move is allowed, a decline needs a reason) live in feedback: the
page offers every status and shows feedback's refusal as a 422 page, never a 500.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Form, Path, Query
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.errors import PageError

router = APIRouter(prefix="/w/{workspace}/community")


# Feedback's ids: letters, digits, `_ : . @ -`, never starting with a dot (no `..` segment).
Id = Annotated[str, Path(max_length=100, pattern=r"^[\w:@-][\w:.@-]*$")]
Reason = Annotated[str, Form(max_length=2000)]
Cursor = Annotated[str | None, Query(max_length=500)]
Status = Literal["open", "under_review", "planned", "in_progress", "done", "declined"]
STATUSES: tuple[str, ...] = get_args(Status)
KINDS = ("idea", "feedback", "content_proposal", "question")


def refused(staff: InWorkspace, exc: ApiError, what: str, back: str) -> Response:
    """Feedback said no (409 conflict, 422 invalid, 404 gone): a page saying which action was
    refused and why in the person's language, with the way back; anything else goes on to
    the error pages (403 for a viewer, 503 when feedback is down)."""
    if exc.status not in (404, 409, 422):
        raise exc
    return staff.visit.page(
        "community/refused.html", status=exc.status, place=staff.place, what=what, back=back
    )


async def acted(
    staff: InWorkspace, action: Awaitable[object], what: str, back: str, notice: str
) -> Response:
    """Run a form's call to feedback: 303 to `back` with `notice` when done, the refusal
    page when feedback says no."""
    try:
        await action
    except ApiError as exc:
        return refused(staff, exc, what, back)
    return staff.visit.redirect(back, notice=notice)


def base(staff: InWorkspace) -> str:
    return f"/w/{staff.workspace}/community"


def chosen(value: str, allowed: tuple[str, ...]) -> str | None:
    """A filter's value: empty is "any"; one the page does not offer is a 400 page."""
    if not value:
        return None
    if value not in allowed:
        raise PageError(400, "invalid")
    return value


Filter = Annotated[str, Query(max_length=20)]


@router.get("")
async def board(
    staff: Staff, status: Filter = "", kind: Filter = "", held: Filter = "", cursor: Cursor = None
) -> object:
    visit = staff.visit
    form = {
        "status": chosen(status, STATUSES) or "",
        "kind": chosen(kind, KINDS) or "",
        "held": chosen(held, ("true",)) or "",
    }
    page = await visit.clients.feedback.board(
        visit.caller,
        staff.workspace,
        status=form["status"] or None,
        kind=form["kind"] or None,
        held=True if form["held"] else None,
        cursor=cursor,
    )
    return visit.page(
        "community/board.html",
        place=staff.place,
        page=page,
        statuses=STATUSES,
        kinds=KINDS,
        form=form,
        query={k: v for k, v in form.items() if v},
    )


@router.post("/submissions/{submission_id}/status")
async def change_status(
    staff: Staff, submission_id: Id, status: Annotated[Status, Form()], reason: Reason = ""
) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.change_status(
        visit.caller, staff.workspace, submission_id, status, reason.strip() or None
    )
    return await acted(staff, action, "status", base(staff), "status_changed")


@router.post("/submissions/{submission_id}/merge")
async def merge(
    staff: Staff, submission_id: Id, target: Annotated[str, Form(min_length=1, max_length=100)]
) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.merge_submission(
        visit.caller, staff.workspace, submission_id, target.strip()
    )
    return await acted(staff, action, "merge", base(staff), "submission_merged")


@router.get("/suggestions")
async def suggestions(
    staff: Staff,
    status: Annotated[Literal["pending", "confirmed", "dismissed"], Query()] = "pending",
    cursor: Cursor = None,
) -> object:
    visit = staff.visit
    page = await visit.clients.feedback.suggestions(visit.caller, staff.workspace, status, cursor)
    return visit.page("community/suggestions.html", place=staff.place, page=page, shown=status)


@router.post("/suggestions/{suggestion_id}/confirm")
async def confirm_suggestion(
    staff: Staff, suggestion_id: Id, title: Annotated[str, Form(max_length=300)] = ""
) -> Response:
    visit = staff.visit
    back = f"{base(staff)}/suggestions"
    action = visit.clients.feedback.confirm_suggestion(
        visit.caller, staff.workspace, suggestion_id, title.strip() or None
    )
    return await acted(staff, action, "confirm", back, "suggestion_confirmed")


@router.post("/suggestions/{suggestion_id}/dismiss")
async def dismiss_suggestion(staff: Staff, suggestion_id: Id, reason: Reason = "") -> Response:
    visit = staff.visit
    back = f"{base(staff)}/suggestions"
    action = visit.clients.feedback.dismiss_suggestion(
        visit.caller, staff.workspace, suggestion_id, reason.strip() or None
    )
    return await acted(staff, action, "dismiss", back, "suggestion_dismissed")
