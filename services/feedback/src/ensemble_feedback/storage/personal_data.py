"""What feedback holds about one member across its collections: read whole for their export
(GDPR access), removed or blanked for their erasure.

Both are rare, so plain filtered reads and `delete_many` are fine here even though FerretDB
scans a collection for them (the hot paths never do). Contributions (submissions, comments,
votes, RSVPs, check-ins) are kept on erasure: they name the member only by their id, whose
profile no longer says who they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ensemble_feedback.models.members import Member
from ensemble_feedback.storage.activity import COLLECTION as ACTIVITY
from ensemble_feedback.storage.comments import COMMENTS
from ensemble_feedback.storage.field_events import ACTS, CHECK_INS, FOLLOWUPS
from ensemble_feedback.storage.follows import FOLLOWS
from ensemble_feedback.storage.handle_claims import CLAIMS
from ensemble_feedback.storage.handles import HANDLES
from ensemble_feedback.storage.members import MEMBERS, document_of
from ensemble_feedback.storage.moderation import DECISIONS, QUEUE
from ensemble_feedback.storage.submissions import SUBMISSIONS
from ensemble_feedback.storage.suggestions import OUTCOMES, SUGGESTIONS
from ensemble_feedback.storage.votes import VOTES
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import Database, Document

# collection -> the field naming the member in it
HELD: dict[str, str] = {
    SUBMISSIONS: "author_member_id",
    COMMENTS: "author_member_id",
    VOTES: "member_id",
    FOLLOWS: "member_id",
    HANDLES: "member_id",
    CLAIMS: "member_id",
    ACTIVITY: "member_id",
    ACTS: "member_id",
    CHECK_INS: "member_id",
    FOLLOWUPS: "member_id",
    QUEUE: "member_id",
    DECISIONS: "member_id",
    SUGGESTIONS: "member_id",
    OUTCOMES: "member_id",
}
# What is personal rather than a contribution: removed on erasure. Handles and pending claims
# say who someone is elsewhere; follows and activity are their own traces, not the board's.
ERASED = (HANDLES, CLAIMS, FOLLOWS, ACTIVITY)


def _plain(document: Document, member_ids: Sequence[str]) -> Document:
    """A stored document as exported: without its outbox entries, and without what names
    other members: a roster act keeps only the member's own check-in code, and one made by
    someone else (whose cancellation gave them a seat) does not say by whom."""
    kept = {k: v for k, v in document.items() if k != FIELD}
    if isinstance(kept.get("codes"), list):
        kept["codes"] = [c for c in kept["codes"] if c.get("member_id") in member_ids]
        if kept.get("member_id") not in member_ids:
            kept.update(member_id=None, by=None, into=None)
    return kept


def _naming(name: str, member_ids: Sequence[str]) -> dict[str, Any]:
    """The filter of a collection's documents about these members (a roster act also when
    it gave them a seat: their code is in it)."""
    wanted = {"$in": list(member_ids)}
    if name == ACTS:
        return {"$or": [{"member_id": wanted}, {"codes.member_id": wanted}]}
    return {HELD[name]: wanted}


class PersonalDataRepository:
    def __init__(self, database: Database, outbox: Outbox) -> None:
        self._database = database
        self._outbox = outbox

    async def records(self, workspace: str, member_ids: Sequence[str]) -> dict[str, list[Document]]:
        """Every document of these members' records, by collection (in the store's order)."""
        found: dict[str, list[Document]] = {}
        for name in HELD:
            query = {"workspace": workspace, **_naming(name, member_ids)}
            cursor = self._database[name].find(query, {FIELD: 0})
            found[name] = [_plain(d, member_ids) async for d in cursor]
        return found

    async def forget(self, workspace: str, member_ids: Sequence[str]) -> dict[str, int]:
        """Delete the members' personal records (not their contributions); how many each."""
        removed: dict[str, int] = {}
        for name in ERASED:
            query = {"workspace": workspace, HELD[name]: {"$in": list(member_ids)}}
            result = await self._database[name].delete_many(query)
            removed[name] = int(result.deleted_count)
        return removed

    async def blank(self, member: Member, events: Sequence[Event], *, previous: Member) -> bool:
        """Replace the member's document by its erased form carrying only `events`: the old
        document's outbox entries (which held every address and name it ever had) go with it.
        False when someone changed the member since `previous` was read."""
        collection = self._database[MEMBERS]
        staged = self._outbox.stage(document_of(member), events)

        async def write() -> list[str]:
            result = await collection.replace_one(
                {"_id": member.member_id, "version": previous.version}, staged
            )
            return [member.member_id] if result.modified_count else []

        return bool(await self._outbox.write(collection, [staged], write))
