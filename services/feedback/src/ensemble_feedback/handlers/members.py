"""Members' HTTP API: public sign-up and signed links, the member's own profile, staff views."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from ensemble_feedback.handlers.limits import ip_write_limit, member_write_limit
from ensemble_feedback.models.members import (
    EngagementWeights,
    IdentityLink,
    MemberPage,
    MemberProfile,
    Merge,
    MergeRequest,
    MergeSuggestionPage,
    Platform,
    ProfileChange,
    SignedUp,
    SignUp,
    Timeline,
    TrustChange,
    Unsubscribed,
)
from ensemble_feedback.services.activity import ActivityService
from ensemble_feedback.services.members import MemberService
from ensemble_shared.web.auth import Manager, Member


def _state(name: str) -> Any:
    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


Members = Annotated[MemberService, Depends(_state("members"))]
Activities = Annotated[ActivityService, Depends(_state("activity"))]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")]
Cursor = Annotated[
    str | None, Query(max_length=500, description="`next_cursor` of the previous page.")
]
Workspace = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
MemberId = Annotated[str, Path(min_length=1, max_length=100)]
IpLimited = [Depends(ip_write_limit)]  # public writes without a login (429 over the limit)
MemberLimited = [Depends(member_write_limit)]  # a member's own writes
LinkToken = Annotated[str, Query(min_length=1, max_length=2000, description="From the link.")]

router = APIRouter(tags=["members"])


@router.post(
    "/workspaces/{workspace}/members",
    dependencies=IpLimited,
    status_code=201,
    summary="Sign up as a community member (public); answers a member token.",
    responses={422: {"description": "Invalid or unknown fields (trust, counters...)."}},
)
async def sign_up(workspace: Workspace, body: SignUp, members: Members) -> SignedUp:
    profile, token, ttl = await members.sign_up(workspace, body)
    return SignedUp(member=profile, token=token, expires_in=ttl)


@router.get(
    "/unsubscribe",
    dependencies=IpLimited,
    summary="One-click unsubscribe from one topic (the signed link in messages; no login).",
    responses={
        400: {"description": "Not a link this service made."},
        401: {"description": "Altered or forged link."},
    },
)
async def unsubscribe(token: LinkToken, members: Members) -> Unsubscribed:
    return await members.unsubscribe(token)


@router.post(
    "/unsubscribe",
    dependencies=IpLimited,
    summary="RFC 8058 one-click unsubscribe (List-Unsubscribe-Post), same link.",
)
async def unsubscribe_one_click(token: LinkToken, members: Members) -> Unsubscribed:
    return await members.unsubscribe(token)


@router.get(
    "/members/verify-email",
    dependencies=IpLimited,
    summary="Verify a member's email address (the signed link sent to it; no login).",
)
async def verify_email(token: LinkToken, members: Members) -> MemberProfile:
    return await members.verify_email(token)


@router.get("/members/me", summary="My profile (a merged member sees its survivor).")
async def my_profile(principal: Member, members: Members) -> MemberProfile:
    return await members.profile(principal.workspace, principal.subject)


@router.patch(
    "/members/me",
    dependencies=MemberLimited,
    summary="Change my display name, email, language or consents (nothing else).",
)
async def change_my_profile(
    body: ProfileChange, principal: Member, members: Members
) -> MemberProfile:
    return await members.change_profile(principal.workspace, principal.subject, body)


@router.get("/members/me/activity", summary="My activity timeline and engagement score.")
async def my_activity(
    principal: Member, activity: Activities, cursor: Cursor = None, limit: Limit = 50
) -> Timeline:
    return await activity.timeline(
        principal.workspace, principal.subject, cursor=cursor, limit=limit
    )


@router.post(
    "/members/me/identities",
    dependencies=MemberLimited,
    summary="Link one of my platform handles (one per platform; a handle has one owner).",
)
async def link_my_identity(
    body: IdentityLink, principal: Member, members: Members
) -> MemberProfile:
    return await members.link_identity(
        principal.workspace, principal.subject, body.platform, body.handle
    )


@router.delete(
    "/members/me/identities/{platform}",
    dependencies=MemberLimited,
    summary="Unlink my handle on a platform.",
)
async def unlink_my_identity(
    platform: Platform, principal: Member, members: Members
) -> MemberProfile:
    return await members.unlink_identity(principal.workspace, principal.subject, platform)


@router.get("/members", summary="Members (canonical ones), newest first, with engagement.")
async def list_members(
    principal: Manager, activity: Activities, cursor: Cursor = None, limit: Limit = 50
) -> MemberPage:
    return await activity.directory(principal.workspace, cursor=cursor, limit=limit)


@router.get(
    "/members/merge-suggestions",
    summary="Members that look like one person (same verified email, same handle).",
)
async def merge_suggestions(
    principal: Manager, members: Members, cursor: Cursor = None, limit: Limit = 50
) -> MergeSuggestionPage:
    return await members.suggestions(principal.workspace, cursor=cursor, limit=limit)


@router.get("/members/merges", summary="Merges, newest first (undone ones included).")
async def list_merges(principal: Manager, members: Members, limit: Limit = 50) -> list[Merge]:
    return await members.merges(principal.workspace, limit=limit)


@router.post(
    "/members/merges",
    status_code=201,
    summary="Confirm that two members are one person: fold one into the other.",
    responses={409: {"description": "Both have an identity on the same platform, or ..."}},
)
async def merge_members(body: MergeRequest, principal: Manager, members: Members) -> Merge:
    return await members.merge(
        principal.workspace, body.survivor_member_id, body.merged_member_id, principal.subject
    )


@router.post("/members/merges/{merge_id}/undo", summary="Undo a merge (idempotent).")
async def undo_merge(merge_id: MemberId, principal: Manager, members: Members) -> Merge:
    return await members.unmerge(principal.workspace, merge_id, principal.subject)


@router.get("/members/engagement-weights", summary="Points per activity kind.")
async def get_weights(principal: Manager, members: Members) -> EngagementWeights:
    return await members.weights(principal.workspace)


@router.put("/members/engagement-weights", summary="Set the points per activity kind.")
async def set_weights(
    body: EngagementWeights, principal: Manager, members: Members
) -> EngagementWeights:
    return await members.set_weights(principal.workspace, body, principal.subject)


@router.get("/members/{member_id}", summary="A member (a merged id answers its survivor).")
async def get_member(member_id: MemberId, principal: Manager, members: Members) -> MemberProfile:
    return await members.profile(principal.workspace, member_id)


@router.get("/members/{member_id}/activity", summary="A member's timeline and engagement.")
async def member_activity(
    member_id: MemberId,
    principal: Manager,
    activity: Activities,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Timeline:
    return await activity.timeline(principal.workspace, member_id, cursor=cursor, limit=limit)


@router.put("/members/{member_id}/trust", summary="Set a member's trust level (or block).")
async def set_trust(
    member_id: MemberId, body: TrustChange, principal: Manager, members: Members
) -> MemberProfile:
    return await members.set_trust(
        principal.workspace, member_id, body.level, principal.subject, reason=body.reason
    )


@router.post("/members/{member_id}/identities", summary="Link a handle to a member (staff).")
async def link_identity(
    member_id: MemberId, body: IdentityLink, principal: Manager, members: Members
) -> MemberProfile:
    return await members.link_identity(principal.workspace, member_id, body.platform, body.handle)


@router.delete("/members/{member_id}/identities/{platform}", summary="Unlink a member's handle.")
async def unlink_identity(
    member_id: MemberId, platform: Platform, principal: Manager, members: Members
) -> MemberProfile:
    return await members.unlink_identity(principal.workspace, member_id, platform)
