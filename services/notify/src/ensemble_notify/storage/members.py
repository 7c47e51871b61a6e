"""Members projected from feedback's events: one version per event, inserted, never updated.

The member directory can grow to many thousands; updating in place would scan it on FerretDB.
Each member.* event inserts a version under its event id (a redelivery is a duplicate key),
and reads take the latest by the event's time, so events arriving out of order still leave
the newest version in force.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ensemble_notify.models.members import Member
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new

COLLECTION = "members"


def _member(document: Document) -> Member:
    return Member.model_validate(document)


class MemberRepository:
    INDEXES = {
        COLLECTION: [
            Index(
                [("workspace", ASCENDING), ("member_id", ASCENDING), ("as_of", DESCENDING)],
                name="by_member",
            )
        ]
    }

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def add(self, versions: Sequence[Member]) -> list[str]:
        documents = [{"_id": m.event_id, **m.model_dump()} for m in versions]
        ids: list[str] = await insert_new(self.collection, documents)
        return ids

    async def latest(self, workspace: str, member_ids: Iterable[str]) -> dict[str, Member]:
        """The newest version of each member, one query."""
        wanted = sorted(set(member_ids))
        if not wanted:
            return {}
        cursor = self.collection.find({"workspace": workspace, "member_id": {"$in": wanted}})
        found: dict[str, Member] = {}
        async for document in cursor:
            member = _member(document)
            current = found.get(member.member_id)
            if current is None or (member.as_of, member.event_id) > (
                current.as_of,
                current.event_id,
            ):
                found[member.member_id] = member
        return found
