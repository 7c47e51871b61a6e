"""The signed-in member's own pages on the portal, under `/c/{workspace}/me`: their profile
(name, the language of the emails they get, the topics they agree to hear about), their
activity, their linked handles (unlink, or claim one and prove it by posting a code), and
their rights over their data: take it all away as JSON, or erase it.

Everything is feedback's, read and changed with the member's own token, so nobody reaches
another member's data from here. Forms post and redirect (303) with a notice; erasing asks
for a typed confirmation first, and then the page says what was kept and why.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.models.feedback import CommunityMember, Timeline
from ensemble_console.routes.portal import MemberOf, Portal
from ensemble_console.web.errors import PageError
from ensemble_console.web.labels import LABELS

router = APIRouter(prefix="/c/{workspace}/me")

# The topics and platforms feedback knows, named once for people in web/labels.py.
TOPICS = tuple(LABELS["member_topic"])
PLATFORMS = tuple(LABELS["platform"])
Platform = Annotated[str, Path(pattern=r"^[a-z]{1,20}$")]
CONFIRM_WORDS = ("erase", "effacer")  # the word the page asks for, in either language


async def _mine(portal: Portal) -> CommunityMember | Literal["none", "erased"]:
    """Their profile; "none" before their first write made one, "erased" after erasure."""
    visit = portal.visit
    try:
        return await visit.clients.portal.my_profile(visit.caller, portal.workspace)
    except ApiError as exc:
        if exc.status == 404:
            return "none"
        if exc.status == 410:
            return "erased"
        raise


async def _profile(portal: Portal) -> CommunityMember:
    """Their profile for a form; a 404 page before it exists, a 410 page once erased."""
    found = await _mine(portal)
    if found == "none":
        raise PageError(404)
    if found == "erased":
        raise PageError(410)
    return found


def _page(
    portal: Portal, profile: CommunityMember, activity: Timeline, status: int = 200, **extra: object
) -> Response:
    return portal.page(
        "portal/me.html",
        status=status,
        profile=profile,
        activity=activity,
        topics=TOPICS,
        platforms=PLATFORMS,
        **extra,
    )


@router.get("")
async def my_page(portal: MemberOf) -> Response:
    found = await _mine(portal)
    if isinstance(found, str):
        return portal.page("portal/me_empty.html", state=found)
    visit = portal.visit
    activity = await visit.clients.portal.my_activity(visit.caller, portal.workspace)
    return _page(portal, found, activity)


@router.post("/profile")
async def save_profile(
    portal: MemberOf,
    display_name: Annotated[str, Form(max_length=80)],
    language: Annotated[Literal["en", "fr"], Form()],
    consents: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Name, the emails' language and the consents, as one form (unticked: withdrawn)."""
    visit = portal.visit
    await _profile(portal)
    chosen = set(consents or [])
    if not display_name.strip() or not chosen <= set(TOPICS):
        raise PageError(400, "invalid")
    change = {
        "display_name": display_name.strip(),
        "language": language,
        "consents": sorted(chosen),
    }
    await visit.clients.portal.change_my_profile(visit.caller, portal.workspace, change)
    return visit.redirect(f"{portal.base}/me", notice="profile_saved")


@router.post("/identities")
async def claim_handle(
    portal: MemberOf,
    platform: Annotated[str, Form(pattern=r"^[a-z]{1,20}$")],
    handle: Annotated[str, Form(min_length=1, max_length=256)],
) -> Response:
    """The one-time code is shown on this answer (feedback keeps it for the proof only)."""
    visit = portal.visit
    profile = await _profile(portal)
    if not handle.strip():
        raise PageError(400, "invalid")
    try:
        claim = await visit.clients.portal.claim_handle(
            visit.caller, portal.workspace, platform, handle.strip()
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        activity = await visit.clients.portal.my_activity(visit.caller, portal.workspace)
        return _page(portal, profile, activity, status=exc.status, claim_refused=platform)
    return portal.page("portal/me_claim.html", claim=claim)


@router.post("/identities/{platform}/unlink")
async def unlink_handle(portal: MemberOf, platform: Platform) -> Response:
    visit = portal.visit
    await visit.clients.portal.unlink_handle(visit.caller, portal.workspace, platform)
    return visit.redirect(f"{portal.base}/me", notice="own_handle_unlinked")


@router.get("/export")
async def export(portal: MemberOf) -> Response:
    """Everything feedback holds about them, as a file to keep (reading changes nothing)."""
    visit = portal.visit
    data = await visit.clients.portal.my_data(visit.caller, portal.workspace)
    name = f"community-data-{portal.workspace}.json"
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    response = Response(
        body,
        media_type="application/json; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
    return visit.apply(response)


@router.get("/erase")
async def erase_page(portal: MemberOf) -> Response:
    profile = await _profile(portal)
    return portal.page("portal/me_erase.html", profile=profile, wrong=False)


@router.post("/erase")
async def erase(portal: MemberOf, confirm: Annotated[str, Form(max_length=50)] = "") -> Response:
    """Only with the word typed: a mistaken click erases nothing."""
    visit = portal.visit
    profile = await _profile(portal)
    if confirm.strip().lower() not in CONFIRM_WORDS:
        return portal.page("portal/me_erase.html", status=422, profile=profile, wrong=True)
    await visit.clients.portal.erase_me(visit.caller, portal.workspace)
    return visit.redirect(f"{portal.base}/me", notice="data_erased")
