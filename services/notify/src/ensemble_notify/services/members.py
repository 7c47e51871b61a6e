"""The community members directory: feedback's member.* events projected for notify.

A `member.erased` event removes the member and everything addressed to them (deliveries, their
attempts and outcomes, queued and held items, digests, in-app items, preferences) and leaves a
tombstone, so a late event about them is never projected again.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_notify.models.members import Member, member_recipient
from ensemble_notify.storage.member_erasure import ErasedMembers
from ensemble_notify.storage.members import MemberRepository
from ensemble_shared.errors import NotFound
from ensemble_shared.events import Event, MemberData, MemberErasedV1

PROJECTED = frozenset({"member.registered.v1", "member.updated.v1"})


class MemberDirectory:
    def __init__(self, members: MemberRepository, erased: ErasedMembers) -> None:
        self._members = members
        self._erased = erased

    async def project(self, events: Sequence[Event]) -> None:
        """Insert a version per registration or update; merges need nothing here (feedback
        already names canonical members in audiences). Erasures are applied after the batch's
        versions, and no version of an erased member is kept."""
        candidates = [
            Member(
                workspace=event.workspace,
                as_of=event.time,
                event_id=event.id,
                **event.data.model_dump(include=set(Member.model_fields)),
            )
            for event in events
            if event.type in PROJECTED and isinstance(event.data, MemberData)
        ]
        by_workspace: dict[str, set[str]] = {}
        for version in candidates:
            by_workspace.setdefault(version.workspace, set()).add(version.member_id)
        gone = {
            (workspace, m)
            for workspace, ids in by_workspace.items()
            for m in await self._erased.among(workspace, ids)
        }
        await self._members.add([v for v in candidates if (v.workspace, v.member_id) not in gone])
        for event in events:
            if isinstance(event, MemberErasedV1):
                await self.erase(event)

    async def erase(self, event: MemberErasedV1) -> dict[str, int]:
        """Forget the member (every id of the person): idempotent, a redelivery finds nothing."""
        ids = sorted({event.data.member_id, *event.data.erased_member_ids})
        recipients = [member_recipient(m) for m in ids]
        return await self._erased.erase(event.workspace, ids, recipients, event.time)

    async def get(self, workspace: str, member_id: str) -> Member:
        found = await self._members.latest(workspace, [member_id])
        if member_id not in found:
            raise NotFound(f"no member {member_id!r}")
        return found[member_id]

    async def many(self, workspace: str, member_ids: Sequence[str]) -> dict[str, Member]:
        return await self._members.latest(workspace, member_ids)
