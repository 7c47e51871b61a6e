"""Submissions, their revisions, vote chains, comments and follows — insert-first storage.

FerretDB scans a whole collection on every update or delete, while inserts and `_id` reads are
cheap, so the hot paths only insert: a vote appends to its submission's chain (`{sub}#{seq}`,
the unique `_id` orders concurrent writers), a status change inserts a revision
(`{sub}@{version}`, the unique `_id` is the optimistic lock, and it carries the events) and only
then refreshes the submission document lists read from.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ensemble_feedback.models.submissions import Comment, Submission, VoteEntry
from ensemble_shared.events import Event, utcnow
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import (
    ASCENDING,
    DESCENDING,
    DUPLICATE_KEY,
    BulkWriteError,
    Collection,
    Document,
    DuplicateKeyError,
    Index,
)
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import decode_cursor

SUBMISSIONS = "submissions"
REVISIONS = "submission_revisions"
VOTES = "submission_votes"
COMMENTS = "submission_comments"
FOLLOWS = "submission_follows"
DECISIONS = "submission_decisions"


def _before(cursor: str | None, field: str) -> dict[str, Any]:
    if cursor is None:
        return {}
    at, last_id = decode_cursor(cursor)
    return {"$or": [{field: {"$lt": at}}, {field: at, "_id": {"$lt": last_id}}]}


def _submission_document(submission: Submission) -> Document:
    document = submission.model_dump(mode="json", exclude={"id", "created_at"})
    return {"_id": submission.id, **document, "created_at": submission.created_at}


def _submission(document: Document) -> Submission:
    return Submission.model_validate({**document, "id": document["_id"]})


def vote_id(submission_id: str, seq: int) -> str:
    return f"{submission_id}#{seq:010d}"


def _revision_id(submission_id: str, version: int) -> str:
    return f"{submission_id}@{version:06d}"


class SubmissionRepository:
    INDEXES = {
        SUBMISSIONS: [
            Index(
                [("workspace", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="board",
            ),
            Index([("workspace", ASCENDING), ("merged_into", ASCENDING)], name="merged_into"),
        ],
        REVISIONS: [Index([("submission_id", ASCENDING)], name="by_submission")],
    }

    def __init__(self, submissions: Collection, revisions: Collection, outbox: Outbox) -> None:
        self.collection = submissions
        self.revisions = revisions
        self._outbox = outbox

    async def insert(self, submission: Submission, events: Sequence[Event]) -> bool:
        """Store a new submission with its events; False when its id exists already."""
        return await self._outbox.insert_one(
            self.collection, _submission_document(submission), events
        )

    async def save(self, before: Submission, after: Submission, events: Sequence[Event]) -> bool:
        """Move `before` to `after` (version + 1) with its events; False on a lost race.

        The revision insert is the decision and carries the events; the submission document is
        then refreshed for lists. A crash in between is repaired by the next `get`.
        """
        assert after.version == before.version + 1
        revision = self._outbox.stage(
            {
                "_id": _revision_id(after.id, after.version),
                "submission_id": after.id,
                "version": after.version,
                "state": _submission_document(after),
                "at": utcnow(),
            },
            events,
        )
        written = await self._outbox.insert(self.revisions, [revision])
        if not written:
            return False
        await self._project(after)
        return True

    async def _project(self, submission: Submission) -> None:
        fields = {k: v for k, v in _submission_document(submission).items() if k != "_id"}
        await self.collection.update_one(
            {"_id": submission.id, "version": {"$lt": submission.version}}, {"$set": fields}
        )

    async def get(
        self, workspace: str, submission_id: str, *, roll_forward: bool = True
    ) -> Submission | None:
        """`roll_forward=False` skips the repair probe (hot paths that a stale projection
        cannot mislead: a merged source's vote chain is closed on its own)."""
        # `_id` alone, the workspace checked here: FerretDB scans for `{_id, workspace}`
        document = await self.collection.find_one({"_id": submission_id}, {FIELD: 0})
        if document is None or document["workspace"] != workspace:
            return None
        submission = _submission(document)
        if not roll_forward:
            return submission
        # Roll forward revisions a crash left unprojected (normally one missing `_id` read).
        while True:
            revision = await self.revisions.find_one(
                {"_id": _revision_id(submission.id, submission.version + 1)}, {FIELD: 0}
            )
            if revision is None:
                return submission
            submission = _submission(revision["state"])
            await self._project(submission)

    async def many(self, workspace: str, ids: Iterable[str]) -> list[Submission]:
        cursor = self.collection.find(
            {"_id": {"$in": list(ids)}, "workspace": workspace}, {FIELD: 0}
        )
        return [_submission(d) async for d in cursor]

    async def search(
        self, workspace: str, filters: dict[str, Any], cursor: str | None, *, limit: int
    ) -> list[Submission]:
        query: dict[str, Any] = {"workspace": workspace, **filters, **_before(cursor, "created_at")}
        found = self.collection.find(query, {FIELD: 0, "body": 0}).sort(
            [("created_at", DESCENDING), ("_id", DESCENDING)]
        )
        return [_submission(d) for d in await found.limit(limit).to_list(limit)]

    async def corpus(self, workspace: str, *, limit: int) -> list[tuple[str, str, str]]:
        """(id, title, body) of the board's live submissions, for similarity."""
        found = self.collection.find(
            {"workspace": workspace, "published": True, "discarded": False, "merged_into": None},
            {"title": 1, "body": 1},
        ).sort([("created_at", DESCENDING)])
        return [(d["_id"], d["title"], d.get("body", "")) for d in await found.to_list(limit)]

    async def merged_into(self, workspace: str, target_id: str) -> list[str]:
        """Submissions merged into `target_id`, directly or through a chain of merges."""
        found: list[str] = []
        frontier = [target_id]
        while frontier:
            cursor = self.collection.find(
                {"workspace": workspace, "merged_into": {"$in": frontier}}, {"_id": 1}
            )
            frontier = [d["_id"] async for d in cursor if d["_id"] not in found]
            found.extend(frontier)
        return found


class VoteRepository:
    INDEXES = {VOTES: [Index([("submission_id", ASCENDING), ("seq", ASCENDING)], name="chain")]}

    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    @staticmethod
    def _entry(document: Document) -> VoteEntry:
        return VoteEntry.model_validate(document)

    async def chains(self, submission_ids: Sequence[str]) -> dict[str, list[VoteEntry]]:
        """Whole chains, in order (one query: used once per submission per process)."""
        chains: dict[str, list[VoteEntry]] = {s: [] for s in submission_ids}
        cursor = self.collection.find(
            {"submission_id": {"$in": list(submission_ids)}}, {FIELD: 0}
        ).sort([("submission_id", ASCENDING), ("seq", ASCENDING)])
        async for document in cursor:
            chains[document["submission_id"]].append(self._entry(document))
        return chains

    async def entry(self, submission_id: str, seq: int) -> VoteEntry | None:
        document = await self.collection.find_one({"_id": vote_id(submission_id, seq)}, {FIELD: 0})
        return self._entry(document) if document else None

    async def append(
        self, entries: Sequence[tuple[VoteEntry, Sequence[Event]]], workspace: str
    ) -> int:
        """Append consecutive entries with their events; returns how many were written before
        another writer's entry took a seq (those after it are not written)."""
        documents = [
            self._outbox.stage(
                {
                    "_id": vote_id(e.submission_id, e.seq),
                    "workspace": workspace,
                    **e.model_dump(),
                },
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


def _comment(document: Document) -> Comment:
    return Comment.model_validate({**document, "id": document["_id"]})


class CommentRepository:
    INDEXES = {
        COMMENTS: [
            Index(
                [("submission_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="thread",
            )
        ]
    }

    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    async def insert(self, comment: Comment, events: Sequence[Event]) -> None:
        body = comment.model_dump(mode="json", exclude={"id", "created_at"})
        document = self._outbox.stage(
            {"_id": comment.id, **body, "created_at": comment.created_at}, events
        )
        await self._outbox.insert(self.collection, [document])

    async def get(self, workspace: str, comment_id: str) -> Comment | None:
        document = await find_owned(self.collection, comment_id, workspace, {FIELD: 0})
        return _comment(document) if document else None

    async def decide(
        self, comment: Comment, *, published: bool, discarded: bool, events: Sequence[Event]
    ) -> None:
        """Release or discard a held comment (rare, staff: an update is fine here)."""
        staged, fields = self._outbox.stage_update(comment.id, events)

        async def write() -> list[str]:
            await self.collection.update_one(
                {"_id": comment.id},
                {"$set": {"published": published, "discarded": discarded, **fields}},
            )
            return [comment.id]

        await self._outbox.write(self.collection, [staged], write)

    async def thread(
        self,
        submission_ids: Sequence[str],
        *,
        published_only: bool,
        cursor: str | None,
        limit: int,
    ) -> list[Comment]:
        query: dict[str, Any] = {"submission_id": {"$in": list(submission_ids)}}
        if published_only:
            query.update(published=True, discarded=False)
        if cursor is not None:
            at, last_id = decode_cursor(cursor)
            query["$or"] = [
                {"created_at": {"$gt": at}},
                {"created_at": at, "_id": {"$gt": last_id}},
            ]
        found = self.collection.find(query, {FIELD: 0}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [_comment(d) for d in await found.limit(limit).to_list(limit)]

    async def count(self, submission_ids: Sequence[str]) -> int:
        return await self.collection.count_documents(
            {"submission_id": {"$in": list(submission_ids)}}
        )


class FollowRepository:
    """Who follows a submission: one document per (submission, member), last choice wins."""

    INDEXES = {FOLLOWS: [Index([("submission_id", ASCENDING)], name="by_submission")]}

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def set(
        self, workspace: str, submission_id: str, member_id: str, following: bool
    ) -> None:
        document = {
            "workspace": workspace,
            "submission_id": submission_id,
            "member_id": member_id,
            "following": following,
            "at": utcnow(),
        }
        key = f"{submission_id}|{member_id}"
        try:
            await self.collection.insert_one({"_id": key, **document})
        except DuplicateKeyError:
            await self.collection.replace_one({"_id": key}, document)

    async def add_new(self, workspace: str, submission_id: str, member_ids: Iterable[str]) -> int:
        """Follow for those who never chose (an explicit unfollow stands); returns how many."""
        now = utcnow()
        documents: list[Document] = [
            {
                "_id": f"{submission_id}|{m}",
                "workspace": workspace,
                "submission_id": submission_id,
                "member_id": m,
                "following": True,
                "at": now,
            }
            for m in dict.fromkeys(member_ids)
        ]
        return len(await insert_new(self.collection, documents))

    async def choices(self, submission_ids: Sequence[str]) -> dict[str, bool]:
        """member id → following, over these submissions (a later choice wins)."""
        cursor = self.collection.find(
            {"submission_id": {"$in": list(submission_ids)}},
            {"member_id": 1, "following": 1, "at": 1},
        ).sort([("at", ASCENDING)])
        return {d["member_id"]: bool(d["following"]) async for d in cursor}


class Decisions:
    """One moderation decision per held item: a unique insert, so two managers deciding at the
    same time cannot both publish (and announce) it."""

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def take(self, kind: str, ref: str, decision: str, by: str) -> bool:
        try:
            await self.collection.insert_one(
                {"_id": f"{kind}:{ref}", "decision": decision, "by": by, "at": utcnow()}
            )
        except DuplicateKeyError:
            return False
        return True

    async def taken(self, kind: str, ref: str) -> str | None:
        document = await self.collection.find_one({"_id": f"{kind}:{ref}"})
        return str(document["decision"]) if document else None
