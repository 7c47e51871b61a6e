"""What a community member does on the portal: sign in by an emailed link (identity's magic
links, the `/magic/{token}` page brings them back to the page they came from) and out, submit an
idea after seeing similar ones, vote or take the vote back, follow, comment.

Every write is a form that posts and redirects (303) with a notice; feedback's refusals (a
vote on an idea that waits in moderation, a blocked member) are the portal's 4xx pages.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.routes.home import local
from ensemble_console.routes.portal import IdeaId, Kind, MemberOf, Portal, PortalOf
from ensemble_console.routes.signin import end_session
from ensemble_console.web.cookies import LINK_SECONDS
from ensemble_console.web.errors import PageError

router = APIRouter(prefix="/c/{workspace}")

Title = Annotated[str, Query(max_length=300)]
# An idea about a field event carries its tag (`event:{id}`, the event page's invitation).
EventTag = r"^(event:[\w-]+)?$"
EVENT_TAG_LENGTH = 50  # apart from the pattern: see routes/inbox.py's ID
Text = Annotated[str, Query(max_length=10_000)]
OnOff = Annotated[Literal["on", "off"], Form()]
# The author's news of their idea's moves: feedback's consent topic for status changes.
STATUS_NEWS = "status_changes"


def _back(portal: Portal, path: str) -> str:
    """A page of this portal, never elsewhere."""
    path = local(path)
    return path if path.startswith(portal.base + "/") else portal.base + "/"


@router.get("/sign-in")
async def sign_in_page(
    portal: PortalOf, next: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    return portal.page("portal/sign_in.html", next=_back(portal, next), sent=False, email="")


@router.post("/sign-in")
async def sign_in(
    portal: PortalOf,
    email: Annotated[str, Form(min_length=3, max_length=320)],
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Identity emails a link (the same answer whether or not the address has an account)."""
    visit = portal.visit
    back = _back(portal, next)
    body = {"email": email.strip(), "workspace": portal.workspace, "locale": visit.i18n.language}
    try:
        await visit.clients.identity.request_magic_link(visit.caller.origin, body)
    except ApiError as exc:
        if exc.status == 429:
            raise PageError(429) from None
        if exc.status not in (404, 422):  # 404: no such workspace; 422: not an address
            raise
        return portal.page("portal/sign_in.html", status=422, next=back, sent=False, email=email)
    visit.set_cookie(visit.cookies.back_after_link, back, LINK_SECONDS)
    return portal.page("portal/sign_in.html", next=back, sent=True, email=email.strip())


@router.post("/sign-out")
async def sign_out(portal: PortalOf) -> Response:
    """Back to this portal's board, signed out (not to the staff console's sign-in)."""
    await end_session(portal.visit)
    return portal.visit.redirect(f"{portal.base}/", notice="signed_out")


async def _joined(portal: Portal) -> None:
    """Feedback knows members by a profile: made on their first write, with the address
    identity proved (the token's), so the emails they agree to reach them."""
    visit = portal.visit
    assert visit.me is not None
    account = visit.me.account
    name = account.name or account.email.split("@")[0]
    await visit.clients.portal.ensure_profile(
        visit.caller, portal.workspace, name[:80], visit.i18n.language
    )


async def _hears_of_moves(portal: Portal) -> None:
    """The author asked (the submit form's box) to hear when their idea moves: the consent."""
    visit = portal.visit
    clients, ws = visit.clients.portal, portal.workspace
    profile = await clients.my_profile(visit.caller, ws)
    if STATUS_NEWS not in profile.consents:
        consents = [*profile.consents, STATUS_NEWS]
        await clients.change_my_profile(visit.caller, ws, {"consents": consents})


@router.get("/submit")
async def submit_page(
    portal: MemberOf,
    title: Title = "",
    body: Text = "",
    tag: Annotated[str, Query(max_length=EVENT_TAG_LENGTH, pattern=EventTag)] = "",
    updates: Annotated[Literal["on"] | None, Query()] = None,
) -> Response:
    """Without JavaScript, "Check similar ideas" comes back here with the text typed so far
    (the news box as left; ticked on a fresh form)."""
    similar = []
    if len(title.strip()) >= 3:
        visit = portal.visit
        similar = await visit.clients.portal.similar(visit.caller, portal.workspace, title.strip())
    return portal.page(
        "portal/submit.html",
        form={"title": title, "body": body, "tag": tag, "updates": updates or not title},
        similar=similar,
        checked=bool(title),
    )


@router.get("/submit/similar")
async def similar_ideas(portal: MemberOf, title: Title = "") -> Response:
    """The list of similar ideas alone, as the member types (htmx swaps it in)."""
    visit = portal.visit
    found = []
    if len(title.strip()) >= 3:
        found = await visit.clients.portal.similar(visit.caller, portal.workspace, title.strip())
    return portal.page("portal/_similar.html", similar=found, checked=bool(title.strip()))


def _not_submitted(
    portal: Portal, title: str, body: str, error: str, tag: str = "", updates: bool = True
) -> Response:
    """The form again, as typed, with why (`title` too short, `refused` by the filters)."""
    form = {"title": title, "body": body, "tag": tag, "updates": updates}
    return portal.page(
        "portal/submit.html", status=422, form=form, similar=[], checked=False, error=error
    )


@router.post("/submit")
async def submit(
    portal: MemberOf,
    title: Annotated[str, Form(max_length=300)],
    body: Annotated[str, Form(max_length=10_000)] = "",
    kind: Annotated[Kind, Form()] = "idea",
    tag: Annotated[str, Form(max_length=EVENT_TAG_LENGTH, pattern=EventTag)] = "",
    updates: Annotated[Literal["on"] | None, Form()] = None,
) -> Response:
    visit = portal.visit
    if len(title.strip()) < 3:
        return _not_submitted(portal, title, body, "title", tag, updates is not None)
    await _joined(portal)
    payload = {
        "kind": kind,
        "title": title.strip(),
        "body": body.strip(),
        "tags": [tag] if tag else [],
    }
    try:
        created = await visit.clients.portal.submit(visit.caller, portal.workspace, payload)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return _not_submitted(portal, title, body, "refused", tag, updates is not None)
    if updates:
        await _hears_of_moves(portal)
    idea = created.submission
    notice = "idea_published" if idea.published else "idea_held"
    return visit.redirect(f"{portal.base}/ideas/{idea.id}", notice=notice)


async def _act(
    portal: Portal, idea_id: str, action: str, on: bool = True, text: str = ""
) -> Response:
    """One member write on an idea, then back to its page with a notice."""
    visit = portal.visit
    await _joined(portal)
    clients, ws = visit.clients.portal, portal.workspace
    try:
        if action == "vote":
            await clients.vote(visit.caller, ws, idea_id, on)
            notice = "vote_counted" if on else "vote_taken_back"
        elif action == "follow":
            await clients.follow(visit.caller, ws, idea_id, on)
            notice = "idea_followed" if on else "idea_unfollowed"
        else:
            comment = await clients.comment(visit.caller, ws, idea_id, text)
            notice = "comment_published" if comment.published else "comment_held"
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return portal.page("portal/refused.html", status=exc.status, idea_id=idea_id, what=action)
    return visit.redirect(f"{portal.base}/ideas/{idea_id}", notice=notice)


@router.post("/ideas/{idea_id}/vote")
async def vote(portal: MemberOf, idea_id: IdeaId, vote: OnOff = "on") -> Response:
    return await _act(portal, idea_id, "vote", vote == "on")


@router.post("/ideas/{idea_id}/follow")
async def follow(portal: MemberOf, idea_id: IdeaId, follow: OnOff = "on") -> Response:
    return await _act(portal, idea_id, "follow", follow == "on")


@router.post("/ideas/{idea_id}/comments")
async def comment(
    portal: MemberOf, idea_id: IdeaId, body: Annotated[str, Form(min_length=1, max_length=5000)]
) -> Response:
    if not body.strip():
        raise PageError(400, "invalid")
    return await _act(portal, idea_id, "comment", text=body.strip())
