"""Members' HTTP API: public sign-up and signed links, the member's own profile, staff views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from ensemble_feedback.handlers import link_pages
from ensemble_feedback.handlers.dependencies import (
    Activities,
    Identities,
    Members,
    Merges,
    OwnData,
    Proofs,
    Trust,
)
from ensemble_feedback.handlers.limits import IP_WRITE, MEMBER_WRITE
from ensemble_feedback.models.activity import Timeline
from ensemble_feedback.models.members import (
    IdentityClaim,
    IdentityLink,
    LinkPreview,
    MemberPage,
    MemberProfile,
    Platform,
    ProfileChange,
    SignUp,
    TrustChange,
    Unsubscribed,
    UnsubscribeLink,
)
from ensemble_feedback.models.merges import Merge, MergeRequest, MergeSuggestionPage
from ensemble_feedback.models.personal_data import Erasure, MemberExport
from ensemble_shared.engagement import EngagementWeights
from ensemble_shared.errors import Forbidden
from ensemble_shared.web.auth import Manager, Member
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

Workspace = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
MemberId = Annotated[str, Path(min_length=1, max_length=100)]
LinkToken = Annotated[str, Query(min_length=1, max_length=2000, description="From the link.")]

router = APIRouter(tags=["members"])


@router.post(
    "/workspaces/{workspace}/members",
    dependencies=IP_WRITE,
    status_code=201,
    summary="Create my community profile (a member token from identity's magic link).",
    description=(
        "The profile's id is the token's subject. Its email is the body's `email`, or else the "
        "address identity proved (the token's `email` when `email_verified`): that address is "
        "verified at once; any other gets a confirmation link by email first."
    ),
    responses={
        403: {"description": "The token is for another workspace."},
        409: {"description": "This person has a community profile already."},
        410: {"description": "This account erased its community profile here."},
        422: {"description": "Invalid or unknown fields (trust, counters...)."},
    },
)
async def sign_up(
    workspace: Workspace, body: SignUp, principal: Member, members: Members
) -> MemberProfile:
    if principal.workspace != workspace:
        raise Forbidden(f"this token is for workspace {principal.workspace!r}")
    return await members.sign_up(principal, body)


PAGE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}, "description": "A page for browsers (Accept)."}
}


@router.get(
    "/unsubscribe",
    dependencies=IP_WRITE,
    summary="What an unsubscribe link would do; changes nothing (mail scanners follow links).",
    responses={
        **PAGE,
        400: {"description": "Not a link this service made."},
        401: {"description": "Altered or forged link."},
    },
    response_model=LinkPreview,
)
async def unsubscribe_page(
    token: LinkToken, request: Request, members: Members
) -> LinkPreview | Response:
    return link_pages.shown(request, await members.preview_unsubscribe(token))


@router.get(
    "/unsubscribe/link",
    summary="What an unsubscribe link would stop, as JSON; changes nothing (the console's page).",
    responses={
        400: {"description": "Not a link this service made."},
        401: {"description": "Altered or forged link."},
        404: {"description": "The member is gone."},
    },
)
async def read_unsubscribe_link(token: LinkToken, members: Members) -> UnsubscribeLink:
    return await members.unsubscribe_link(token)


@router.post(
    "/unsubscribe",
    dependencies=IP_WRITE,
    summary="Unsubscribe from one topic: the page's button, or RFC 8058 List-Unsubscribe-Post.",
    responses=PAGE,
    response_model=Unsubscribed,
)
async def unsubscribe(
    token: LinkToken, request: Request, members: Members
) -> Unsubscribed | Response:
    done = await members.unsubscribe(token)
    return await link_pages.acted(request, done, lambda: members.preview_unsubscribe(token))


@router.get(
    "/members/verify-email",
    dependencies=IP_WRITE,
    summary="What a verification link would do; changes nothing (mail scanners follow links).",
    responses=PAGE,
    response_model=LinkPreview,
)
async def verify_email_page(
    token: LinkToken, request: Request, members: Members
) -> LinkPreview | Response:
    return link_pages.shown(request, await members.preview_verification(token))


@router.post(
    "/members/verify-email",
    dependencies=IP_WRITE,
    summary="Verify a member's email address (the signed link sent to it; no login).",
    responses=PAGE,
    response_model=MemberProfile,
)
async def verify_email(
    token: LinkToken, request: Request, members: Members
) -> MemberProfile | Response:
    verified = await members.verify_email(token)
    return await link_pages.acted(request, verified, lambda: members.preview_verification(token))


GONE: dict[int | str, dict[str, Any]] = {
    404: {"description": "No community profile yet."},
    410: {"description": "The member erased their data (`DELETE /members/me`)."},
}


@router.get(
    "/members/me",
    summary="My profile (a merged member sees its survivor).",
    responses=GONE,
)
async def my_profile(principal: Member, members: Members) -> MemberProfile:
    return await members.own(principal.workspace, principal.subject)


@router.get(
    "/members/me/export",
    summary="Everything feedback holds about me, as one JSON document (GDPR access).",
    description=(
        "My profile with its linked handles, and per collection my documents as stored: "
        "submissions, comments, votes, follows, handle claims, activity, field event RSVPs, "
        "check-ins and follow-up invitations, what waited in moderation, suggestions credited "
        "to me. Nothing about another member. Answered as an attachment."
    ),
    responses=GONE,
)
async def export_my_data(principal: Member, data: OwnData, response: Response) -> MemberExport:
    export = await data.export(principal.workspace, principal.subject)
    name = f"community-data-{principal.workspace}-{export.exported_at:%Y%m%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return export


@router.delete(
    "/members/me",
    dependencies=MEMBER_WRITE,
    summary="Erase my community data (GDPR); asked again, the same erasure and nothing more.",
    description=(
        "The profile becomes the neutral label 'Former member' (name, email, consents "
        "removed), linked handles, pending claims, follows and activity are deleted, seats at "
        "events not over yet go to the next in line; submissions, comments, votes and past "
        "events' seats stay, anonymised under that label, so counts stay true. Every id "
        "merged into mine is erased too. "
        "`member.erased.v1` tells the other services. Afterwards `GET /members/me` answers 410."
    ),
    responses={404: {"description": "No community profile."}},
)
async def erase_my_data(principal: Member, data: OwnData) -> Erasure:
    return await data.erase(principal.workspace, principal.subject)


@router.patch(
    "/members/me",
    dependencies=MEMBER_WRITE,
    summary="Change my display name, email, language or consents (nothing else).",
)
async def change_my_profile(
    body: ProfileChange, principal: Member, members: Members
) -> MemberProfile:
    return await members.change_profile(principal, body)


@router.get("/members/me/activity", summary="My activity timeline and engagement score.")
async def my_activity(
    principal: Member,
    activity: Activities,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Timeline:
    return await activity.timeline(
        principal.workspace, principal.subject, cursor=cursor, limit=limit
    )


@router.post(
    "/members/me/identities",
    dependencies=MEMBER_WRITE,
    status_code=202,
    summary="Claim one of my platform handles; it is linked once I post the code from it.",
    description=(
        "Answers a one-time `code` (valid 24 hours). Post a message containing it from that "
        "handle, mentioning the brand where the workspace's sources listen; when ingest "
        "collects that mention the handle is linked (see `GET /members/me`). A code posted "
        "from another handle proves nothing. One handle per platform per member, one member "
        "per handle: a claim that could never be linked is refused at once (409)."
    ),
)
async def claim_my_identity(body: IdentityLink, principal: Member, proofs: Proofs) -> IdentityClaim:
    return await proofs.claim(principal.workspace, principal.subject, body.platform, body.handle)


@router.delete(
    "/members/me/identities/{platform}",
    dependencies=MEMBER_WRITE,
    summary="Unlink my handle on a platform.",
)
async def unlink_my_identity(
    platform: Platform, principal: Member, identities: Identities
) -> MemberProfile:
    return await identities.unlink(principal.workspace, principal.subject, platform)


@router.get("/members", summary="Members (canonical ones), newest first, with engagement.")
async def list_members(
    principal: Manager,
    activity: Activities,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> MemberPage:
    return await activity.members(principal.workspace, cursor=cursor, limit=limit)


@router.get(
    "/members/merge-suggestions",
    summary="Members that look like one person (same verified email, same handle).",
)
async def merge_suggestions(
    principal: Manager,
    merges: Merges,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> MergeSuggestionPage:
    return await merges.suggestions(principal.workspace, cursor=cursor, limit=limit)


@router.get("/members/merges", summary="Merges, newest first (undone ones included).")
async def list_merges(
    principal: Manager, merges: Merges, limit: PageSize = DEFAULT_PAGE_SIZE
) -> list[Merge]:
    return await merges.history(principal.workspace, limit=limit)


@router.post(
    "/members/merges",
    status_code=201,
    summary="Confirm that two members are one person: fold one into the other.",
    responses={409: {"description": "Both have an identity on the same platform, or ..."}},
)
async def merge_members(body: MergeRequest, principal: Manager, merges: Merges) -> Merge:
    return await merges.merge(principal, body.survivor_member_id, body.merged_member_id)


@router.post("/members/merges/{merge_id}/undo", summary="Undo a merge (idempotent).")
async def undo_merge(merge_id: MemberId, principal: Manager, merges: Merges) -> Merge:
    return await merges.unmerge(principal, merge_id)


@router.get("/members/engagement-weights", summary="Points per activity kind.")
async def get_weights(principal: Manager, activity: Activities) -> EngagementWeights:
    return await activity.weights(principal.workspace)


@router.put("/members/engagement-weights", summary="Set the points per activity kind.")
async def set_weights(
    body: EngagementWeights, principal: Manager, activity: Activities
) -> EngagementWeights:
    return await activity.set_weights(principal, body)


@router.get("/members/{member_id}", summary="A member (a merged id answers its survivor).")
async def get_member(member_id: MemberId, principal: Manager, members: Members) -> MemberProfile:
    return await members.find(principal.workspace, member_id)


@router.get("/members/{member_id}/activity", summary="A member's timeline and engagement.")
async def member_activity(
    member_id: MemberId,
    principal: Manager,
    activity: Activities,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> Timeline:
    return await activity.timeline(principal.workspace, member_id, cursor=cursor, limit=limit)


@router.put("/members/{member_id}/trust", summary="Set a member's trust level (or block).")
async def set_trust(
    member_id: MemberId, body: TrustChange, principal: Manager, trust: Trust
) -> MemberProfile:
    return await trust.change(principal, member_id, body)


@router.post(
    "/members/{member_id}/identities",
    summary="Link a handle to a member (staff, for a handle they checked another way).",
)
async def link_identity(
    member_id: MemberId, body: IdentityLink, principal: Manager, identities: Identities
) -> MemberProfile:
    return await identities.link(principal.workspace, member_id, body.platform, body.handle)


@router.delete("/members/{member_id}/identities/{platform}", summary="Unlink a member's handle.")
async def unlink_identity(
    member_id: MemberId, platform: Platform, principal: Manager, identities: Identities
) -> MemberProfile:
    return await identities.unlink(principal.workspace, member_id, platform)
