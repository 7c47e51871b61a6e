"""A member's platform identities: one member per handle, one handle per platform per member
(merged members included, as merging them would be refused otherwise)."""

from __future__ import annotations

from ensemble_feedback.models.members import MemberProfile, handle_key
from ensemble_feedback.services.members import MemberService
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.storage.handles import HandleRepository
from ensemble_feedback.storage.members import MemberRepository
from ensemble_shared.errors import Conflict, Invalid, NotFound


class IdentityService:
    def __init__(
        self,
        members: MemberService,
        stored: MemberRepository,
        handles: HandleRepository,
        merges: MergeCache,
    ) -> None:
        self._members = members
        self._stored = stored
        self._handles = handles
        self._merges = merges

    async def check_linkable(
        self, workspace: str, member_id: str, platform: str, handle: str
    ) -> bool:
        """Whether linking would be new (False: linked to this member already); Conflict,
        Invalid or NotFound when it could not be made."""
        if not handle_key(platform, handle):
            raise Invalid("handle: empty once the @ is removed")
        state = await self._merges.state(workspace)
        root = state.canonical(member_id)
        if await self._stored.get(workspace, root) is None:
            raise NotFound(f"no member {member_id}")
        owner = await self._handles.owner(workspace, platform, handle)
        if owner is not None:
            if state.canonical(owner) == root:
                return False
            raise Conflict(f"the {platform} handle {handle!r} is linked to another member")
        identities = await self._handles.of_members(workspace, state.group(root))
        held = [i for ids in identities.values() for i in ids if i.platform == platform]
        if held:
            raise Conflict(
                f"this member already has a {platform} identity ({held[0].handle}); unlink it first"
            )
        return True

    async def link(
        self, workspace: str, member_id: str, platform: str, handle: str
    ) -> MemberProfile:
        """Link a platform handle to the member: once proven (`HandleProofs`), or by staff."""
        root = (await self._merges.state(workspace)).canonical(member_id)
        if not await self.check_linkable(workspace, member_id, platform, handle):
            return await self._members.find(workspace, root)
        if not await self._handles.claim(workspace, member_id, platform, handle):
            raise Conflict(f"the {platform} handle {handle!r} was linked meanwhile")
        return await self._members.find(workspace, root)

    async def unlink(self, workspace: str, member_id: str, platform: str) -> MemberProfile:
        group = (await self._merges.state(workspace)).group(member_id)
        identities = await self._handles.of_members(workspace, group)
        owners = [m for m, ids in identities.items() if any(i.platform == platform for i in ids)]
        if not owners:
            raise NotFound(f"no {platform} identity linked")
        for owner in owners:
            await self._handles.release(workspace, owner, platform)
        return await self._members.find(workspace, member_id)
