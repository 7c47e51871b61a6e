"""Submissions and their revisions — insert-first storage.

FerretDB scans a whole collection on every update or delete, while inserts and `_id` reads are
cheap: a status change (or any other change) inserts a revision (`{sub}@{version}`, the unique
`_id` is the optimistic lock, and it carries the events) and only then refreshes the submission
document lists read from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ensemble_feedback.models.submissions import Submission, SubmissionFilters
from ensemble_shared.events import Event, SubmissionStatus, utcnow
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Document, Index
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, older_than

SUBMISSIONS = "submissions"
REVISIONS = "submission_revisions"
NEWEST_FIRST = [("created_at", DESCENDING), ("_id", DESCENDING)]
VISIBLE = {"published": True, "discarded": False}  # on the public board


def _document(submission: Submission) -> Document:
    document = submission.model_dump(mode="json", exclude={"id", "created_at"})
    return {"_id": submission.id, **document, "created_at": submission.created_at}


def _submission(document: Document) -> Submission:
    return Submission.model_validate({**document, "id": document["_id"]})


def _revision_id(submission_id: str, version: int) -> str:
    return f"{submission_id}@{version:06d}"


def _board_filter(filters: SubmissionFilters, held: bool | None) -> dict[str, Any]:
    """`held`: None for the public board, True for what waits in moderation, False for what
    was published (discarded or not)."""
    query: dict[str, Any] = {}
    for name in ("kind", "status", "category"):
        if (value := getattr(filters, name)) is not None:
            query[name] = value
    if filters.tag is not None:
        query["tags"] = filters.tag.strip().lower()
    if filters.author is not None:
        query["author_member_id"] = filters.author
    if held is None:
        query.update(VISIBLE)
    else:
        query["published"] = not held
        if held:
            query["discarded"] = False
    return query


class SubmissionRepository:
    INDEXES = {
        SUBMISSIONS: [
            Index([("workspace", ASCENDING), *NEWEST_FIRST], name="board"),
            Index([("workspace", ASCENDING), ("merged_into", ASCENDING)], name="merged_into"),
        ],
        REVISIONS: [Index([("submission_id", ASCENDING)], name="by_submission")],
    }

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.collection = database[SUBMISSIONS]
        self.revisions = database[REVISIONS]
        self._outbox = outbox

    async def insert(self, submission: Submission, events: Sequence[Event]) -> bool:
        """Store a new submission with its events; False when its id exists already."""
        return await self._outbox.insert_one(self.collection, _document(submission), events)

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
                "state": _document(after),
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
        fields = {k: v for k, v in _document(submission).items() if k != "_id"}
        await self.collection.update_one(
            {"_id": submission.id, "version": {"$lt": submission.version}}, {"$set": fields}
        )

    async def get(
        self, workspace: str, submission_id: str, *, roll_forward: bool = True
    ) -> Submission | None:
        """`roll_forward=False` skips the repair probe (hot paths that a stale projection
        cannot mislead: a merged source's vote chain is closed on its own)."""
        document = await find_owned(self.collection, submission_id, workspace, {FIELD: 0})
        if document is None:
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

    async def revised_statuses(self, submission_id: str) -> list[tuple[SubmissionStatus, datetime]]:
        """Each revision's status and time, oldest first (its index: one read)."""
        found = self.revisions.find(
            {"submission_id": submission_id}, {"state": 1, "at": 1, "version": 1}
        ).sort([("version", ASCENDING)])
        return [(d["state"]["status"], d["at"]) async for d in found]

    async def search(
        self,
        workspace: str,
        filters: SubmissionFilters,
        *,
        held: bool | None,
        after: Position | None,
        limit: int,
    ) -> list[Submission]:
        """Newest first, without bodies; `held` as in `_board_filter`."""
        query = {
            "workspace": workspace,
            **_board_filter(filters, held),
            **older_than("created_at", after),
        }
        found = self.collection.find(query, {FIELD: 0, "body": 0}).sort(NEWEST_FIRST)
        return [_submission(d) for d in await found.limit(limit).to_list(limit)]

    async def visible_many(self, workspace: str, ids: Sequence[str]) -> list[Submission]:
        """Those of `ids` on the public board (any order), without bodies."""
        if not ids:
            return []
        query = {"workspace": workspace, "_id": {"$in": list(ids)}, **VISIBLE}
        found = self.collection.find(query, {FIELD: 0, "body": 0})
        return [_submission(d) for d in await found.to_list(len(ids))]

    async def on_roadmap(
        self, workspace: str, status: SubmissionStatus, *, limit: int
    ) -> list[Submission]:
        """The newest live (visible, unmerged) submissions in `status`, without bodies."""
        query = {"workspace": workspace, "status": status, **VISIBLE, "merged_into": None}
        found = self.collection.find(query, {FIELD: 0, "body": 0}).sort(NEWEST_FIRST)
        return [_submission(d) for d in await found.limit(limit).to_list(limit)]

    async def corpus(self, workspace: str, *, limit: int) -> list[tuple[str, str, str]]:
        """(id, title, body) of the board's live submissions, for similarity."""
        found = self.collection.find(
            {"workspace": workspace, **VISIBLE, "merged_into": None}, {"title": 1, "body": 1}
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

    async def threads(self, workspace: str, submission_id: str) -> list[str]:
        """The submission and every one merged into it: where its comments and follows live."""
        return [submission_id, *await self.merged_into(workspace, submission_id)]
