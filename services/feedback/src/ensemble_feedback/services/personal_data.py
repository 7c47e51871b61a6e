"""A member's rights over their own data (GDPR): take it all away as JSON, or erase it.

Erasure blanks the profile of every id of the person (a merge group is one person) to a
neutral label, deletes what is personal (linked handles, pending claims, follows, activity),
gives their seats at events not over yet to the next in line, and keeps contributions under
that label. One `member.erased` event, riding in the erased
document like every member event, tells notify (and anyone listening) to drop what they keep.
Asked again, it changes nothing and answers the same.
"""

from __future__ import annotations

from datetime import datetime

from ensemble_feedback.models.members import Member
from ensemble_feedback.models.personal_data import ERASED_NAME, Erasure, MemberExport
from ensemble_feedback.services.field_events import FieldEventService
from ensemble_feedback.services.members import RETRIES, MemberService
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.storage.members import MemberRepository
from ensemble_feedback.storage.personal_data import PersonalDataRepository
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.events import (
    Event,
    MemberErasedV1,
    MemberErasureData,
    Source,
    envelope,
    utcnow,
)


def erased(member: Member, at: datetime) -> Member:
    """The member with nothing left that says who they were."""
    return member.model_copy(
        update={
            "display_name": ERASED_NAME,
            "email": None,
            "email_verified": False,
            "consents": (),
            "trust_reason": None,
            "erased_at": at,
            "left_at": member.left_at or at,
            "version": member.version + 1,
            "updated_at": at,
        }
    )


class PersonalData:
    def __init__(
        self,
        members: MemberService,
        stored: MemberRepository,
        records: PersonalDataRepository,
        merges: MergeCache,
        field_events: FieldEventService,
    ) -> None:
        self._members = members
        self._stored = stored
        self._records = records
        self._merges = merges
        self._field_events = field_events

    async def export(self, workspace: str, member_id: str) -> MemberExport:
        """Everything held about the member and the ids merged into them; Gone once erased."""
        profile = await self._members.own(workspace, member_id)
        group = (await self._merges.state(workspace)).group(profile.member_id)
        return MemberExport(
            workspace=workspace,
            member_id=profile.member_id,
            exported_at=utcnow(),
            profile=profile,
            records=await self._records.records(workspace, group),
        )

    async def erase(self, workspace: str, member_id: str) -> Erasure:
        state = await self._merges.state(workspace)
        root = state.canonical(member_id)
        group = state.group(root)
        if await self._stored.get(workspace, root) is None:
            raise NotFound(f"no member {member_id}")
        event = MemberErasedV1(
            **envelope(Source.FEEDBACK, workspace, root),
            data=MemberErasureData(member_id=root, erased_member_ids=tuple(group)),
        )
        at = event.time
        for one in group:
            stamped = await self._blank(workspace, one, [event] if one == root else [])
            if one == root and stamped is not None:
                at = stamped  # erased before: the time it was
        # After the profiles: a crash in between leaves records a second DELETE removes.
        removed = await self._records.forget(workspace, group)
        for one in group:
            given = await self._field_events.give_back(workspace, one)
            removed["field_event_seats"] = removed.get("field_event_seats", 0) + len(given)
        return Erasure(member_id=root, erased_member_ids=group, erased_at=at, removed=removed)

    async def _blank(self, workspace: str, member_id: str, events: list[Event]) -> datetime | None:
        """Erase one stored member (retried on a lost race); when it was erased already,
        nothing is written or sent. Returns when it was erased."""
        for _ in range(RETRIES):
            member = await self._stored.get(workspace, member_id)
            if member is None:
                return None
            if member.erased_at is not None:
                return member.erased_at
            at = events[0].time if events else utcnow()
            if await self._records.blank(erased(member, at), events, previous=member):
                return at
        raise Conflict("the member changed meanwhile; try again")
