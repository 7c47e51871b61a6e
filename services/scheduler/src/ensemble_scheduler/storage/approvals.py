"""Approval facts, insert-only: requests, decisions, step outcomes, step-opened notices.

Every natural key is an `_id`, so each fact is written at most once whoever races for it:
- decision `{approval}:{step}:{round}:{approver}`: one approver decides a round of a step once.
  A signed link names exactly one approver of one round of one step, so this key is also the
  link's: the decision itself spends the link (it carries the link id), in one write, and a
  failure before that write leaves the link usable;
- outcome `{approval}:{step}:{round}`: a round of a step ends once, one way;
- notice `{approval}:opened:{step}:{round}`: each opening is announced once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_scheduler.models.approvals import ApprovalRecord, DecisionRecord, OutcomeRecord
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index

REQUESTS = "approvals"
DECISIONS = "approval_decisions"
OUTCOMES = "approval_outcomes"
NOTICES = "approval_notices"


def approval_key(content_id: str, number: int) -> str:
    return f"{content_id}:a{number:04d}"


def next_approval_key(approval_id: str) -> str:
    """The key the item's next request would take (its existence means this one was replaced)."""
    content_id, number = approval_id.rsplit(":a", 1)
    return approval_key(content_id, int(number) + 1)


class ApprovalRepository:
    INDEXES = {
        REQUESTS: [Index([("content_id", ASCENDING), ("number", DESCENDING)], name="by_item")],
        DECISIONS: [Index([("approval_id", ASCENDING)], name="by_approval")],
        OUTCOMES: [Index([("approval_id", ASCENDING)], name="by_approval")],
    }

    def __init__(
        self,
        requests: Collection,
        decisions: Collection,
        outcomes: Collection,
        notices: Collection,
        outbox: Outbox,
    ) -> None:
        self.requests = requests
        self.decisions = decisions
        self.outcomes = outcomes
        self.notices = notices
        self._outbox = outbox

    async def insert_request(self, record: ApprovalRecord, events: Sequence[Event]) -> bool:
        """False when that request number is taken (a concurrent request won)."""
        document = {"_id": record.id, **record.model_dump(mode="json", exclude={"id"})}
        document["requested_at"] = record.requested_at
        return await self._outbox.insert_one(self.requests, document, events)

    async def latest_request(self, workspace: str, content_id: str) -> ApprovalRecord | None:
        document = await self.requests.find_one(
            {"content_id": content_id, "workspace": workspace},
            {FIELD: 0},
            sort=[("number", DESCENDING)],
        )
        return (
            ApprovalRecord.model_validate({**document, "id": document["_id"]}) if document else None
        )

    async def latest_requests(
        self, workspace: str, content_ids: Sequence[str]
    ) -> dict[str, ApprovalRecord]:
        """`latest_request` of several items in one read (items never submitted are absent)."""
        if not content_ids:
            return {}
        cursor = self.requests.find(
            {"workspace": workspace, "content_id": {"$in": list(content_ids)}}, {FIELD: 0}
        )
        latest: dict[str, ApprovalRecord] = {}
        async for document in cursor:
            record = ApprovalRecord.model_validate({**document, "id": document["_id"]})
            known = latest.get(record.content_id)
            if known is None or record.number > known.number:
                latest[record.content_id] = record
        return latest

    async def requests_by_id(self, workspace: str, ids: Sequence[str]) -> list[ApprovalRecord]:
        """The workspace's requests among `ids` (absent ones are left out): one read."""
        cursor = self.requests.find({"_id": {"$in": list(ids)}}, {FIELD: 0})
        found = [
            ApprovalRecord.model_validate({**document, "id": document["_id"]})
            async for document in cursor
        ]
        return [record for record in found if record.workspace == workspace]

    async def latest_request_ids(self) -> dict[str, list[str]]:
        """Workspace -> the id of each item's latest request: one read of every request ever
        made (what a one-off rebuild of a projection reads, never a page)."""
        latest: dict[str, tuple[str, int, str]] = {}
        cursor = self.requests.find({}, {"workspace": 1, "content_id": 1, "number": 1})
        async for document in cursor:
            known = latest.get(document["content_id"])
            if known is None or document["number"] > known[1]:
                latest[document["content_id"]] = (
                    document["workspace"],
                    document["number"],
                    document["_id"],
                )
        found: dict[str, list[str]] = {}
        for workspace, _, approval_id in latest.values():
            found.setdefault(workspace, []).append(approval_id)
        return found

    async def insert_decision(
        self, record: DecisionRecord, *, workspace: str, content_id: str, events: Sequence[Event]
    ) -> bool:
        """False when this approver already decided this round of this step."""
        key = f"{record.approval_id}:{record.step}:{record.round}:{record.approver}"
        document = {
            "_id": key,
            "workspace": workspace,
            "content_id": content_id,
            **record.model_dump(),
        }
        return await self._outbox.insert_one(self.decisions, document, events)

    async def decisions_of(self, approval_id: str) -> list[DecisionRecord]:
        cursor = self.decisions.find({"approval_id": approval_id}, {FIELD: 0})
        return [DecisionRecord.model_validate(d) async for d in cursor]

    async def decisions_of_many(self, approval_ids: Sequence[str]) -> list[DecisionRecord]:
        """`decisions_of` for several workflows in one read."""
        cursor = self.decisions.find({"approval_id": {"$in": list(approval_ids)}}, {FIELD: 0})
        return [DecisionRecord.model_validate(d) async for d in cursor]

    async def insert_outcome(
        self, record: OutcomeRecord, *, workspace: str, content_id: str, events: Sequence[Event]
    ) -> bool:
        """False when this round of this step already has its outcome (someone else's)."""
        document = {
            "_id": f"{record.approval_id}:{record.step}:{record.round}",
            "workspace": workspace,
            "content_id": content_id,
            **record.model_dump(),
        }
        return await self._outbox.insert_one(self.outcomes, document, events)

    async def outcomes_of(self, approval_id: str) -> list[OutcomeRecord]:
        cursor = self.outcomes.find({"approval_id": approval_id}, {FIELD: 0})
        return [OutcomeRecord.model_validate(d) async for d in cursor]

    async def outcomes_of_many(self, approval_ids: Sequence[str]) -> list[OutcomeRecord]:
        """`outcomes_of` for several workflows in one read."""
        cursor = self.outcomes.find({"approval_id": {"$in": list(approval_ids)}}, {FIELD: 0})
        return [OutcomeRecord.model_validate(d) async for d in cursor]

    async def approved_versions(self, workspace: str, content_id: str) -> set[int]:
        """Versions of an item some step approved, across all its requests (a decision page
        shows what changed since the newest of them)."""
        cursor = self.outcomes.find(
            {"content_id": content_id, "workspace": workspace, "outcome": "approved"},
            {"version": 1},
        )
        return {int(document["version"]) async for document in cursor}

    async def insert_notice(
        self, approval_id: str, step: str, round_: int, *, at: datetime, events: Sequence[Event]
    ) -> bool:
        document = {
            "_id": f"{approval_id}:opened:{step}:{round_}",
            "approval_id": approval_id,
            "at": at,
        }
        return await self._outbox.insert_one(self.notices, document, events)

    async def notice_exists(self, approval_id: str, step: str, round_: int) -> bool:
        key = f"{approval_id}:opened:{step}:{round_}"
        return await self.notices.find_one({"_id": key}, {"_id": 1}) is not None
