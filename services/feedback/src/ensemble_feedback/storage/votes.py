"""Vote chains: each submission's votes as an insert-only chain of entries.

A vote appends to its submission's chain at `{sub}#{seq}`: the unique `_id` orders concurrent
writers (another replica's entry at that seq refuses ours), and FerretDB inserts and `_id` reads
stay cheap where an update would scan the collection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ensemble_feedback.models.votes import VoteEntry
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import (
    ASCENDING,
    DUPLICATE_KEY,
    BulkWriteError,
    Database,
    Document,
    Index,
)

VOTES = "submission_votes"


def _vote_id(submission_id: str, seq: int) -> str:
    return f"{submission_id}#{seq:010d}"


def _entry(document: Document) -> VoteEntry:
    return VoteEntry.model_validate(document)


class VoteRepository:
    INDEXES = {VOTES: [Index([("submission_id", ASCENDING), ("seq", ASCENDING)], name="chain")]}

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.collection = database[VOTES]
        self._outbox = outbox

    async def chains(self, submission_ids: Sequence[str]) -> dict[str, list[VoteEntry]]:
        """Whole chains, in order (one query: used once per submission per process)."""
        chains: dict[str, list[VoteEntry]] = {s: [] for s in submission_ids}
        cursor = self.collection.find(
            {"submission_id": {"$in": list(submission_ids)}}, {FIELD: 0}
        ).sort([("submission_id", ASCENDING), ("seq", ASCENDING)])
        async for document in cursor:
            chains[document["submission_id"]].append(_entry(document))
        return chains

    async def next_entries(self, heads: Mapping[str, int]) -> list[VoteEntry]:
        """The entry right after each chain's `heads[submission_id]` seq, where one exists: one
        query for all (FerretDB scans for an `_id` it does not hold, so probing chains one by
        one cost a scan each)."""
        ids = [_vote_id(submission_id, seq + 1) for submission_id, seq in heads.items()]
        found = self.collection.find({"_id": {"$in": ids}}, {FIELD: 0})
        return [_entry(document) for document in await found.to_list(len(ids))]

    async def entry(self, submission_id: str, seq: int) -> VoteEntry | None:
        document = await self.collection.find_one({"_id": _vote_id(submission_id, seq)}, {FIELD: 0})
        return _entry(document) if document else None

    async def append(
        self, entries: Sequence[tuple[VoteEntry, Sequence[Event]]], workspace: str
    ) -> int:
        """Append consecutive entries with their events; returns how many were written before
        another writer's entry took a seq (those after it are not written)."""
        documents = [
            self._outbox.stage(
                {"_id": _vote_id(e.submission_id, e.seq), "workspace": workspace, **e.model_dump()},
                events,
            )
            for e, events in entries
        ]

        async def write() -> list[str]:
            try:
                await self.collection.insert_many(documents, ordered=True)
            except BulkWriteError as exc:
                errors = exc.details.get("writeErrors", [])
                if any(e.get("code") != DUPLICATE_KEY for e in errors):
                    raise
                first = min(e["index"] for e in errors)
                return [d["_id"] for d in documents[:first]]
            return [d["_id"] for d in documents]

        written = await self._outbox.write(self.collection, documents, write)
        return len(written)

    async def voted_by(self, workspace: str, member_ids: Sequence[str]) -> list[str]:
        """Submissions any of these identities ever voted on (a scan: after member merges)."""
        ids = await self.collection.distinct(
            "submission_id", {"workspace": workspace, "member_id": {"$in": list(member_ids)}}
        )
        return [str(i) for i in ids]
