"""The `MemberDirectory` other areas ask who a member really is: merged ids resolved through
the per-process merge cache (services/merge_cache.py), trust through the trust cache
(services/trust.py), consents and linked handles read from the store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ensemble_feedback.models.members import INGEST_PLATFORMS, Identity, TrustLevel
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.services.ports import MemberDirectory
from ensemble_feedback.services.trust import TrustService
from ensemble_feedback.storage.handles import HandleRepository
from ensemble_feedback.storage.members import MemberRepository
from ensemble_shared.errors import Forbidden


async def refuse_blocked(members: MemberDirectory, workspace: str, member_id: str) -> None:
    """Forbidden (403) when the member (any identity merged into it) is blocked."""
    if await members.trust(workspace, member_id) == TrustLevel.BLOCKED:
        raise Forbidden("this member is blocked")


class Directory:
    def __init__(
        self,
        members: MemberRepository,
        handles: HandleRepository,
        merges: MergeCache,
        trust: TrustService,
    ) -> None:
        self._members = members
        self._handles = handles
        self._merges = merges
        self._trust = trust

    async def canonical(
        self, workspace: str, member_ids: Iterable[str], *, fresh: bool = False
    ) -> dict[str, str]:
        state = await self._merges.state(workspace, fresh=fresh)
        return {m: state.canonical(m) for m in member_ids}

    async def group(self, workspace: str, member_id: str) -> list[str]:
        """The member's canonical id first, then every id merged into it."""
        return (await self._merges.state(workspace)).group(member_id)

    async def identities(self, workspace: str, member_ids: Iterable[str]) -> list[Identity]:
        found = await self._handles.of_members(workspace, member_ids)
        return [i for ids in found.values() for i in ids]

    async def trust(self, workspace: str, member_id: str) -> TrustLevel:
        return await self._trust.trust(workspace, member_id)

    async def consenting(self, workspace: str, member_ids: Iterable[str], topic: str) -> set[str]:
        state = await self._merges.state(workspace)
        roots = {state.canonical(m) for m in member_ids}
        members = await self._members.get_many(workspace, roots)
        return {m.member_id for m in members.values() if topic in m.consents}

    async def by_handle(self, workspace: str, platform: str, handle: str) -> str | None:
        """`platform` may be ours or ingest's name for it (`meta` = facebook or instagram)."""
        for candidate in INGEST_PLATFORMS.get(platform, (platform,)):
            owner = await self._handles.owner(workspace, candidate, handle)
            if owner is not None:
                return (await self._merges.state(workspace)).canonical(owner)
        return None


if TYPE_CHECKING:  # mypy proves the directory is what other areas code against
    _directory: type[MemberDirectory] = Directory
