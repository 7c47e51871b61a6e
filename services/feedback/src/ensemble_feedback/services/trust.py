"""Trust levels: what moderation reads on every member write and sets on a block.

`trust()` runs on every vote too, so each identity's level is cached for `TTL` seconds: a change
made here drops it at once, another replica's block is seen here within `TTL`. A merge never
launders a block: a member is blocked when any identity merged into it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from ensemble_feedback.models.members import Member, MemberProfile, TrustChange, TrustLevel
from ensemble_feedback.services.members import MemberService
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.storage.members import MemberRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import NotFound

TTL = 1.0  # seconds an identity's level is taken as current


class TrustService:
    """Implements `TrustLevels` (services/ports.py); `trust` also answers for `Directory`."""

    def __init__(
        self,
        members: MemberService,
        stored: MemberRepository,
        merges: MergeCache,
    ) -> None:
        self._members = members
        self._stored = stored
        self._merges = merges
        self._levels: dict[tuple[str, str], tuple[TrustLevel, float]] = {}

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        """The canonical member's level, but BLOCKED if any merged identity is blocked."""
        group = (await self._merges.state(workspace)).group(member_id)
        levels = await self._levels_of(workspace, group)
        if group[0] not in levels:
            raise NotFound(f"no member {member_id}")
        if any(level == TrustLevel.BLOCKED for level in levels.values()):
            return TrustLevel.BLOCKED
        return levels[group[0]]

    async def change(
        self, principal: Principal, member_id: str, change: TrustChange
    ) -> MemberProfile:
        """A manager sets a member's level."""
        return await self.set_trust(
            principal.workspace, member_id, change.level, principal.subject, reason=change.reason
        )

    async def set_trust(
        self,
        workspace: str,
        member_id: str,
        level: TrustLevel,
        by: str,
        *,
        reason: str | None = None,
    ) -> MemberProfile:
        """Set the trust level of the member's canonical identity (moderation blocks and
        unblocks through here). Lifting a block lifts it on every merged identity too."""
        state = await self._merges.state(workspace)
        root = state.canonical(member_id)

        def apply(member: Member) -> tuple[Member, bool] | None:
            if member.trust == level and member.trust_reason == reason:
                return None
            update = {"trust": level, "trust_reason": reason, "trust_by": by}
            return member.model_copy(update=update), False

        await self._members.update(workspace, root, apply, canonical=False)
        self._levels.pop((workspace, root), None)
        if level != TrustLevel.BLOCKED:
            others = await self._stored.get_many(workspace, state.group(root)[1:])
            for other in others.values():
                if other.trust == TrustLevel.BLOCKED:
                    await self._members.update(
                        workspace, other.member_id, _lift_block(by), canonical=False
                    )
                    self._levels.pop((workspace, other.member_id), None)
        return await self._members.find(workspace, root)

    async def _levels_of(self, workspace: str, member_ids: list[str]) -> dict[str, TrustLevel]:
        """Each identity's own level, read at most once per `TTL` (the group is not cached:
        a merge or unmerge counts at once)."""
        now = time.monotonic()
        levels: dict[str, TrustLevel] = {}
        stale: list[str] = []
        for member_id in member_ids:
            cached = self._levels.get((workspace, member_id))
            if cached is not None and now - cached[1] < TTL:
                levels[member_id] = cached[0]
            else:
                stale.append(member_id)
        if stale:
            found = await self._stored.get_many(workspace, stale)
            for member_id, member in found.items():
                self._levels[(workspace, member_id)] = (member.trust, now)
                levels[member_id] = member.trust
        return levels


def _lift_block(by: str) -> Callable[[Member], tuple[Member, bool] | None]:
    def lift(member: Member) -> tuple[Member, bool] | None:
        if member.trust != TrustLevel.BLOCKED:
            return None
        return member.model_copy(update={"trust": TrustLevel.NEW, "trust_by": by}), False

    return lift
