"""The community members directory: feedback's member.* events projected for notify."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_notify.models.members import Member
from ensemble_notify.storage.members import MemberRepository
from ensemble_shared.errors import NotFound
from ensemble_shared.events import Event, MemberData

PROJECTED = frozenset({"member.registered.v1", "member.updated.v1"})


class MemberDirectory:
    def __init__(self, members: MemberRepository) -> None:
        self._members = members

    async def project(self, events: Sequence[Event]) -> None:
        """Insert a version per registration or update; merges need nothing here (feedback
        already names canonical members in audiences)."""
        versions = [
            Member(
                workspace=event.workspace,
                as_of=event.time,
                event_id=event.id,
                **event.data.model_dump(include=set(Member.model_fields)),
            )
            for event in events
            if event.type in PROJECTED and isinstance(event.data, MemberData)
        ]
        await self._members.add(versions)

    async def get(self, workspace: str, member_id: str) -> Member:
        found = await self._members.latest(workspace, [member_id])
        if member_id not in found:
            raise NotFound(f"no member {member_id!r}")
        return found[member_id]

    async def many(self, workspace: str, member_ids: Sequence[str]) -> dict[str, Member]:
        return await self._members.latest(workspace, member_ids)
