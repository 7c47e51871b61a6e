"""Feedback's API as the community portal calls it: the public board, ideas and roadmap
(no sign-in: feedback's `/workspaces/{workspace}/…` routes), and a member's own writes
with their member token (submit, vote, follow, comment, their profile)."""

from __future__ import annotations

from typing import Any

from ensemble_console.clients.base import ApiError, Caller, Origin, WorkspaceClient
from ensemble_console.models.feedback import CommunityMember, Timeline
from ensemble_console.models.portal import (
    Followed,
    Idea,
    IdeaComment,
    IdeaPage,
    Moderated,
    Roadmap,
    SimilarIdea,
    Submitted,
    Thread,
    Voted,
)
from ensemble_console.models.portal_me import HandleClaim


class PortalClient(WorkspaceClient):
    service = "feedback"

    # --- public reads ------------------------------------------------------------------------

    async def board(
        self, origin: Origin, workspace: str, *, limit: int = 50, **params: Any
    ) -> IdeaPage:
        """`sort` (new, top, trending), `status`, `kind`, `q`, `cursor` (new only)."""
        path = f"/workspaces/{workspace}/board"
        answer = await self.call("GET", path, origin=origin, params={**params, "limit": limit})
        return self.parse(IdeaPage, answer)

    async def idea(self, origin: Origin, workspace: str, idea_id: str) -> Idea:
        """404 when it is not on the public board (held, rejected, unknown)."""
        answer = await self.call("GET", f"/workspaces/{workspace}/board/{idea_id}", origin=origin)
        return self.parse(Idea, answer)

    async def comments(self, origin: Origin, workspace: str, idea_id: str) -> Thread:
        path = f"/workspaces/{workspace}/board/{idea_id}/comments"
        answer = await self.call("GET", path, origin=origin, params={"limit": 200})
        return self.parse(Thread, answer)

    async def roadmap(self, origin: Origin, workspace: str) -> Roadmap:
        answer = await self.call("GET", f"/workspaces/{workspace}/roadmap", origin=origin)
        return self.parse(Roadmap, answer)

    # --- a member's own ----------------------------------------------------------------------

    async def own_idea(self, caller: Caller, workspace: str, idea_id: str) -> Idea:
        """As its author sees it: their held or rejected idea too."""
        answer = await self.as_person(caller, workspace, "GET", f"/submissions/{idea_id}")
        return self.parse(Idea, answer)

    async def outcome(self, caller: Caller, workspace: str, idea_id: str) -> Moderated:
        """Held, rejected with the moderator's reason, approved, or published at once."""
        path = f"/moderation/mine/submissions/{idea_id}"
        return self.parse(Moderated, await self.as_person(caller, workspace, "GET", path))

    async def ensure_profile(
        self, caller: Caller, workspace: str, name: str, language: str
    ) -> None:
        """A member's community profile, created on their first write (feedback refuses the
        writes of someone it has no profile of)."""
        try:
            await self.as_person(caller, workspace, "GET", "/members/me")
        except ApiError as exc:
            if exc.status != 404:
                raise
            body = {"display_name": name, "language": language}
            try:
                await self.as_person(
                    caller, workspace, "POST", f"/workspaces/{workspace}/members", json=body
                )
            except ApiError as again:
                if again.status != 409:  # made meanwhile, by another tab
                    raise

    # --- the member's own data (routes/portal_me.py) ---

    async def my_profile(self, caller: Caller, workspace: str) -> CommunityMember:
        """404 before their first write made a profile, 410 once they erased it."""
        return self.parse(
            CommunityMember, await self.as_person(caller, workspace, "GET", "/members/me")
        )

    async def change_my_profile(
        self, caller: Caller, workspace: str, change: dict[str, Any]
    ) -> CommunityMember:
        answer = await self.as_person(caller, workspace, "PATCH", "/members/me", json=change)
        return self.parse(CommunityMember, answer)

    async def my_activity(self, caller: Caller, workspace: str) -> Timeline:
        params = {"limit": 20}
        answer = await self.as_person(
            caller, workspace, "GET", "/members/me/activity", params=params
        )
        return self.parse(Timeline, answer)

    async def claim_handle(
        self, caller: Caller, workspace: str, platform: str, handle: str
    ) -> HandleClaim:
        """409 when the handle could never be linked to them (taken, or a platform held)."""
        body = {"platform": platform, "handle": handle}
        answer = await self.as_person(
            caller, workspace, "POST", "/members/me/identities", json=body
        )
        return self.parse(HandleClaim, answer)

    async def unlink_handle(self, caller: Caller, workspace: str, platform: str) -> None:
        path = f"/members/me/identities/{platform}"
        await self.as_person(caller, workspace, "DELETE", path)

    async def my_data(self, caller: Caller, workspace: str) -> dict[str, Any]:
        """Everything feedback holds about the member, as its JSON document."""
        answer: dict[str, Any] = await self.as_person(
            caller, workspace, "GET", "/members/me/export"
        )
        return answer

    async def erase_me(self, caller: Caller, workspace: str) -> None:
        """Idempotent: asked again, feedback answers the same."""
        await self.as_person(caller, workspace, "DELETE", "/members/me")

    async def similar(self, caller: Caller, workspace: str, text: str) -> list[SimilarIdea]:
        params = {"text": text, "limit": 5}
        answer = await self.as_person(
            caller, workspace, "GET", "/submissions/similar", params=params
        )
        return self.parse_list(SimilarIdea, answer)

    async def submit(self, caller: Caller, workspace: str, body: dict[str, Any]) -> Submitted:
        """422 when feedback refuses the text (moderation's strong spam), 403 when blocked."""
        answer = await self.as_person(caller, workspace, "POST", "/submissions", json=body)
        return self.parse(Submitted, answer)

    async def vote(self, caller: Caller, workspace: str, idea_id: str, on: bool) -> Voted:
        """409 while the idea waits in moderation or once merged."""
        method = "POST" if on else "DELETE"
        path = f"/submissions/{idea_id}/vote"
        return self.parse(Voted, await self.as_person(caller, workspace, method, path))

    async def follow(self, caller: Caller, workspace: str, idea_id: str, on: bool) -> Followed:
        method = "POST" if on else "DELETE"
        path = f"/submissions/{idea_id}/follow"
        return self.parse(Followed, await self.as_person(caller, workspace, method, path))

    async def comment(self, caller: Caller, workspace: str, idea_id: str, text: str) -> IdeaComment:
        """A new member's comment waits in moderation (`published` false)."""
        path = f"/submissions/{idea_id}/comments"
        answer = await self.as_person(caller, workspace, "POST", path, json={"body": text})
        return self.parse(IdeaComment, answer)
