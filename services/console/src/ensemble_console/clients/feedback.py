"""Feedback's API: the signed unsubscribe links of community members (no account needed),
and the staff console's community screens (the board, moderation, members and their merges,
field events and check-in, suggestions from social mentions, engagement weights), one method
per route (see README "Adding a screen"); the community portal adds its calls here too.

Only the POST unsubscribes: the page never calls `GET /unsubscribe`."""

from __future__ import annotations

from ensemble_console.clients.base import Caller, Origin, WorkspaceClient
from ensemble_console.models.feedback import (
    CheckedIn,
    CommunityMember,
    CommunityMemberPage,
    EngagementWeights,
    FieldEvent,
    FieldEventPage,
    MemberMerge,
    MemberUnsubscribed,
    MemberUnsubscribeLink,
    MergedSubmissions,
    MergeSuggestionPage,
    QueuePage,
    RosterPage,
    Submission,
    SubmissionPage,
    Suggestion,
    SuggestionPage,
    Timeline,
)


class FeedbackClient(WorkspaceClient):
    service = "feedback"

    async def unsubscribe_link(self, token: str, origin: Origin) -> MemberUnsubscribeLink:
        """What the link stops (401 forged, 400 not a link, 404 member gone); reads only."""
        answer = await self.call("GET", "/unsubscribe/link", params={"token": token}, origin=origin)
        return self.parse(MemberUnsubscribeLink, answer)

    async def unsubscribe(self, token: str, origin: Origin) -> MemberUnsubscribed:
        """RFC 8058's one-click POST; idempotent."""
        answer = await self.call("POST", "/unsubscribe", params={"token": token}, origin=origin)
        return self.parse(MemberUnsubscribed, answer)

    # --- the board ---------------------------------------------------------------------------

    async def board(
        self,
        caller: Caller,
        workspace: str,
        *,
        status: str | None = None,
        kind: str | None = None,
        held: bool | None = None,
        cursor: str | None = None,
    ) -> SubmissionPage:
        """Newest first; `held=True` is what waits in moderation (staff only)."""
        params = {"status": status, "kind": kind, "cursor": cursor, "limit": 50}
        if held is not None:
            params["held"] = "true" if held else "false"
        answer = await self.as_person(caller, workspace, "GET", "/submissions", params=params)
        return self.parse(SubmissionPage, answer)

    async def change_status(
        self, caller: Caller, workspace: str, submission_id: str, status: str, reason: str | None
    ) -> Submission:
        """422 when the roadmap does not allow the move, or a decline has no reason."""
        path = f"/submissions/{submission_id}/status"
        body = {"status": status, "reason": reason}
        return self.parse(
            Submission, await self.as_person(caller, workspace, "POST", path, json=body)
        )

    async def merge_submission(
        self, caller: Caller, workspace: str, submission_id: str, target_id: str
    ) -> MergedSubmissions:
        path = f"/submissions/{submission_id}/merge"
        answer = await self.as_person(
            caller, workspace, "POST", path, json={"target_id": target_id}
        )
        return self.parse(MergedSubmissions, answer)

    # --- moderation --------------------------------------------------------------------------

    async def queue(self, caller: Caller, workspace: str, cursor: str | None) -> QueuePage:
        params = {"cursor": cursor, "limit": 50}
        answer = await self.as_person(caller, workspace, "GET", "/moderation/queue", params=params)
        return self.parse(QueuePage, answer)

    async def approve(self, caller: Caller, workspace: str, item_id: str) -> None:
        """409 when the item was already decided."""
        await self.as_person(caller, workspace, "POST", f"/moderation/items/{item_id}/approve")

    async def reject(self, caller: Caller, workspace: str, item_id: str, reason: str) -> None:
        path = f"/moderation/items/{item_id}/reject"
        await self.as_person(caller, workspace, "POST", path, json={"reason": reason})

    async def block(self, caller: Caller, workspace: str, member_id: str, reason: str) -> None:
        path = f"/moderation/members/{member_id}/block"
        await self.as_person(caller, workspace, "POST", path, json={"reason": reason})

    # --- members -----------------------------------------------------------------------------

    async def members(
        self, caller: Caller, workspace: str, cursor: str | None = None, limit: int = 50
    ) -> CommunityMemberPage:
        params = {"cursor": cursor, "limit": limit}
        answer = await self.as_person(caller, workspace, "GET", "/members", params=params)
        return self.parse(CommunityMemberPage, answer)

    async def member(self, caller: Caller, workspace: str, member_id: str) -> CommunityMember:
        """A merged id answers its survivor."""
        answer = await self.as_person(caller, workspace, "GET", f"/members/{member_id}")
        return self.parse(CommunityMember, answer)

    async def activity(
        self, caller: Caller, workspace: str, member_id: str, cursor: str | None
    ) -> Timeline:
        path = f"/members/{member_id}/activity"
        answer = await self.as_person(
            caller, workspace, "GET", path, params={"cursor": cursor, "limit": 50}
        )
        return self.parse(Timeline, answer)

    async def set_trust(
        self, caller: Caller, workspace: str, member_id: str, level: str, reason: str | None
    ) -> CommunityMember:
        """new (pre-moderated), trusted (published at once) or blocked."""
        path = f"/members/{member_id}/trust"
        body = {"level": level, "reason": reason}
        return self.parse(
            CommunityMember, await self.as_person(caller, workspace, "PUT", path, json=body)
        )

    async def link_handle(
        self, caller: Caller, workspace: str, member_id: str, platform: str, handle: str
    ) -> CommunityMember:
        """409 when the handle belongs to another member, or the member has one there."""
        path = f"/members/{member_id}/identities"
        body = {"platform": platform, "handle": handle}
        return self.parse(
            CommunityMember, await self.as_person(caller, workspace, "POST", path, json=body)
        )

    async def unlink_handle(
        self, caller: Caller, workspace: str, member_id: str, platform: str
    ) -> CommunityMember:
        path = f"/members/{member_id}/identities/{platform}"
        return self.parse(CommunityMember, await self.as_person(caller, workspace, "DELETE", path))

    async def merge_suggestions(self, caller: Caller, workspace: str) -> MergeSuggestionPage:
        answer = await self.as_person(
            caller, workspace, "GET", "/members/merge-suggestions", params={"limit": 50}
        )
        return self.parse(MergeSuggestionPage, answer)

    async def merges(self, caller: Caller, workspace: str) -> list[MemberMerge]:
        answer = await self.as_person(
            caller, workspace, "GET", "/members/merges", params={"limit": 20}
        )
        return self.parse_list(MemberMerge, answer)

    async def merge_members(
        self, caller: Caller, workspace: str, survivor: str, merged: str
    ) -> MemberMerge:
        """409 when both have a handle on one platform, or one is merged already."""
        body = {"survivor_member_id": survivor, "merged_member_id": merged}
        answer = await self.as_person(caller, workspace, "POST", "/members/merges", json=body)
        return self.parse(MemberMerge, answer)

    async def undo_merge(self, caller: Caller, workspace: str, merge_id: str) -> MemberMerge:
        path = f"/members/merges/{merge_id}/undo"
        return self.parse(MemberMerge, await self.as_person(caller, workspace, "POST", path))

    # --- field events ------------------------------------------------------------------------

    async def field_events(
        self, caller: Caller, workspace: str, cursor: str | None, upcoming: bool
    ) -> FieldEventPage:
        params = {"cursor": cursor, "limit": 50, "upcoming": "true" if upcoming else "false"}
        answer = await self.as_person(caller, workspace, "GET", "/field-events", params=params)
        return self.parse(FieldEventPage, answer)

    async def field_event(self, caller: Caller, workspace: str, event_id: str) -> FieldEvent:
        answer = await self.as_person(caller, workspace, "GET", f"/field-events/{event_id}")
        return self.parse(FieldEvent, answer)

    async def plan_event(
        self, caller: Caller, workspace: str, body: dict[str, object]
    ) -> FieldEvent:
        """422 when a field is refused (ends before it starts, unknown time zone...)."""
        answer = await self.as_person(caller, workspace, "POST", "/field-events", json=body)
        return self.parse(FieldEvent, answer)

    async def change_event(
        self, caller: Caller, workspace: str, event_id: str, body: dict[str, object]
    ) -> FieldEvent:
        """409 for a cancelled event or fewer seats than those taken; 422 for a refused field."""
        path = f"/field-events/{event_id}"
        return self.parse(
            FieldEvent, await self.as_person(caller, workspace, "PATCH", path, json=body)
        )

    async def cancel_event(self, caller: Caller, workspace: str, event_id: str) -> FieldEvent:
        """Cancels every RSVP too."""
        path = f"/field-events/{event_id}/cancel"
        return self.parse(FieldEvent, await self.as_person(caller, workspace, "POST", path))

    async def roster(
        self, caller: Caller, workspace: str, event_id: str, cursor: str | None
    ) -> RosterPage:
        """Seats in order, then the waitlist in order."""
        path = f"/field-events/{event_id}/rsvps"
        answer = await self.as_person(
            caller, workspace, "GET", path, params={"cursor": cursor, "limit": 200}
        )
        return self.parse(RosterPage, answer)

    async def check_in(self, caller: Caller, workspace: str, event_id: str, code: str) -> CheckedIn:
        """404 for an unknown code, 409 for a code already used."""
        path = f"/field-events/{event_id}/check-in"
        answer = await self.as_person(caller, workspace, "POST", path, json={"code": code})
        return self.parse(CheckedIn, answer)

    # --- suggestions from social mentions ----------------------------------------------------

    async def suggestions(
        self, caller: Caller, workspace: str, status: str | None, cursor: str | None
    ) -> SuggestionPage:
        params = {"status": status, "cursor": cursor, "limit": 50}
        answer = await self.as_person(caller, workspace, "GET", "/suggestions", params=params)
        return self.parse(SuggestionPage, answer)

    async def confirm_suggestion(
        self, caller: Caller, workspace: str, suggestion_id: str, title: str | None
    ) -> Suggestion:
        """409 when already decided, or a vote with no linked member."""
        path = f"/suggestions/{suggestion_id}/confirm"
        body = {"title": title} if title else None
        answer = await self.as_person(caller, workspace, "POST", path, json=body)
        return self.parse(Suggestion, answer)

    async def dismiss_suggestion(
        self, caller: Caller, workspace: str, suggestion_id: str, reason: str | None
    ) -> Suggestion:
        path = f"/suggestions/{suggestion_id}/dismiss"
        body = {"reason": reason} if reason else None
        answer = await self.as_person(caller, workspace, "POST", path, json=body)
        return self.parse(Suggestion, answer)

    async def engagement_weights(self, caller: Caller, workspace: str) -> EngagementWeights:
        answer = await self.as_person(caller, workspace, "GET", "/members/engagement-weights")
        return self.parse(EngagementWeights, answer)

    async def save_engagement_weights(
        self, caller: Caller, workspace: str, body: dict[str, str]
    ) -> EngagementWeights:
        """Managers; the weights as typed: 422 names one that is no number from 0 to 1000."""
        answer = await self.as_person(
            caller, workspace, "PUT", "/members/engagement-weights", json=body
        )
        return self.parse(EngagementWeights, answer)
