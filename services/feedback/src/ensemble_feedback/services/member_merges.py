"""Member merges: suggestions of members that look like one person, confirming a merge and
undoing it.

A merge or an unmerge is the next entry of the workspace's merge log, announced by its event in
the same insert; losing the race for that entry's number re-reads the log and tries again.
"""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_feedback.models.merges import (
    Merge,
    MergeEntry,
    MergeSuggestion,
    MergeSuggestionPage,
    suggest_merges,
)
from ensemble_feedback.services.members import RETRIES
from ensemble_feedback.services.merge_cache import MergeCache
from ensemble_feedback.storage.handles import HandleRepository
from ensemble_feedback.storage.members import MemberRepository
from ensemble_feedback.storage.merge_log import MergeLogRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Invalid, NotFound
from ensemble_shared.events import (
    MemberMergeData,
    MemberMergedV1,
    MemberUnmergedV1,
    Source,
    envelope,
    new_id,
    utcnow,
)


def _after_pair(cursor: str | None) -> str | None:
    """The last pair of the previous page (`a|b`); Invalid (422) for a made-up cursor."""
    if cursor is None:
        return None
    first, bar, second = cursor.partition("|")
    if not (first and bar and second) or "|" in second:
        raise Invalid("cursor: not a cursor this API returned")
    return cursor


class MemberMergeService:
    def __init__(
        self,
        members: MemberRepository,
        handles: HandleRepository,
        log: MergeLogRepository,
        merges: MergeCache,
    ) -> None:
        self._members = members
        self._handles = handles
        self._log = log
        self._merges = merges

    async def suggestions(
        self, workspace: str, *, cursor: str | None, limit: int
    ) -> MergeSuggestionPage:
        """Members that look like one person; ordered by pair, `cursor` = the last pair."""
        after = _after_pair(cursor)
        state = await self._merges.state(workspace)
        emails = await self._members.verified_emails(workspace)
        stems = await self._handles.shared_stems(workspace)
        involved = {m for ms in emails.values() for m in ms}
        involved |= {m for owners in stems.values() for m, _ in owners}
        involved = {g for m in involved for g in state.group(m)}
        platforms = await self._platforms(workspace, involved)
        found: list[MergeSuggestion] = suggest_merges(
            state, emails=emails, stems=stems, platforms=platforms
        )
        if after:
            found = [s for s in found if "|".join(s.member_ids) > after]
        page = found[:limit]
        more = len(found) > limit
        return MergeSuggestionPage(
            items=page, next_cursor="|".join(page[-1].member_ids) if more and page else None
        )

    async def history(self, workspace: str, *, limit: int) -> list[Merge]:
        """Merges, newest first (undone ones included)."""
        state = await self._merges.state(workspace)
        return sorted(state.merges.values(), key=lambda m: m.at, reverse=True)[:limit]

    async def merge(self, principal: Principal, survivor: str, merged: str) -> Merge:
        """Fold `merged` (and whatever was merged into it) into `survivor`."""
        workspace, by = principal.workspace, principal.subject
        found = await self._members.get_many(workspace, [survivor, merged])
        for member_id in (survivor, merged):
            if member_id not in found:
                raise NotFound(f"no member {member_id}")
        merge_id = new_id()
        for _ in range(RETRIES):
            state = await self._merges.state(workspace, fresh=True)
            involved = state.group(survivor) + state.group(merged)
            state.check_merge(survivor, merged, await self._platforms(workspace, involved))
            entry = MergeEntry(
                seq=state.head + 1,
                kind="merge",
                merge_id=merge_id,
                survivor=survivor,
                merged=merged,
                by=by,
                at=utcnow(),
            )
            if await self._append(workspace, entry):
                return (await self._merges.state(workspace, fresh=True)).merges[merge_id]
        raise Conflict("merges kept changing meanwhile; try again")

    async def unmerge(self, principal: Principal, merge_id: str) -> Merge:
        """Undo a merge (idempotent)."""
        workspace = principal.workspace
        for _ in range(RETRIES):
            state = await self._merges.state(workspace, fresh=True)
            merge = state.merges.get(merge_id)
            if merge is None:
                raise NotFound(f"no merge {merge_id}")
            if merge.undone_at is not None:
                return merge
            entry = MergeEntry(
                seq=state.head + 1,
                kind="unmerge",
                merge_id=merge_id,
                survivor=merge.survivor_member_id,
                merged=merge.merged_member_id,
                by=principal.subject,
                at=utcnow(),
            )
            if await self._append(workspace, entry):
                return (await self._merges.state(workspace, fresh=True)).merges[merge_id]
        raise Conflict("merges kept changing meanwhile; try again")

    async def _append(self, workspace: str, entry: MergeEntry) -> bool:
        """Write the entry with its event; False when another entry took its number."""
        event_type = MemberMergedV1 if entry.kind == "merge" else MemberUnmergedV1
        event = event_type(
            **envelope(Source.FEEDBACK, workspace, entry.merged),
            data=MemberMergeData(
                merge_id=entry.merge_id,
                survivor_member_id=entry.survivor,
                merged_member_id=entry.merged,
                by=entry.by,
            ),
        )
        return await self._log.append(workspace, entry, [event])

    async def _platforms(
        self, workspace: str, member_ids: Iterable[str]
    ) -> dict[str, dict[str, str]]:
        identities = await self._handles.of_members(workspace, member_ids)
        return {m: {i.platform: i.handle for i in ids} for m, ids in identities.items()}
