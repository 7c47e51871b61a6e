"""Publishing facts, insert-only, each under its natural key so a race or a replay writes once:

- attempt `{content}:p{n}`: claimed before the platform is called (one caller per attempt);
- attempt outcome `{content}:p{n}`: refused or absent (an attempt without one is in flight);
- publication `{content}`: the post id, the first insert wins, content.published rides on it;
- gate failure `{content}:s{sequence}`: publish_failed for a scheduling, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_scheduler.models.publishing import Attempt, AttemptOutcomeKind, PublicationResult
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index
from ensemble_shared.storage.lookups import find_owned

ATTEMPTS = "publication_attempts"
OUTCOMES = "publication_outcomes"
RESULTS = "publications"
GATE = "publication_gate_failures"


def attempt_key(content_id: str, number: int) -> str:
    return f"{content_id}:p{number:04d}"


def gate_key(content_id: str, sequence: int) -> str:
    """One gate failure per scheduling of an item."""
    return f"{content_id}:s{sequence:04d}"


class PublicationRepository:
    INDEXES = {
        ATTEMPTS: [
            Index([("content_id", ASCENDING), ("number", DESCENDING)], name="by_item"),
            Index([("started_at", ASCENDING)], name="by_start"),
        ],
    }

    def __init__(
        self,
        attempts: Collection,
        outcomes: Collection,
        results: Collection,
        gate: Collection,
        outbox: Outbox,
    ) -> None:
        self.attempts = attempts
        self.outcomes = outcomes
        self.results = results
        self.gate = gate
        self._outbox = outbox

    async def claim_attempt(self, attempt: Attempt) -> bool:
        """True for the one caller that may call the platform for this attempt."""
        document = {"_id": attempt_key(attempt.content_id, attempt.number), **attempt.model_dump()}
        return await self._outbox.insert_one(self.attempts, document)

    async def attempts_of(self, content_id: str) -> list[Attempt]:
        cursor = self.attempts.find({"content_id": content_id}).sort("number", ASCENDING)
        return [Attempt.model_validate(d) async for d in cursor]

    async def insert_outcome(
        self,
        attempt: Attempt,
        outcome: AttemptOutcomeKind,
        reason: str,
        *,
        at: datetime,
        events: Sequence[Event] = (),
    ) -> bool:
        document = {
            "_id": attempt_key(attempt.content_id, attempt.number),
            "content_id": attempt.content_id,
            "workspace": attempt.workspace,
            "outcome": outcome,
            "reason": reason,
            "at": at,
        }
        return await self._outbox.insert_one(self.outcomes, document, events)

    async def outcomes_of(self, content_id: str) -> dict[int, tuple[str, str]]:
        """attempt number → (outcome, reason)."""
        cursor = self.outcomes.find({"content_id": content_id})
        return {int(d["_id"].rsplit(":p", 1)[1]): (d["outcome"], d["reason"]) async for d in cursor}

    async def insert_result(self, result: PublicationResult, events: Sequence[Event]) -> bool:
        """False when the item was published already (its events are then not sent again)."""
        document = {"_id": result.content_id, **result.model_dump()}
        return await self._outbox.insert_one(self.results, document, events)

    async def result(self, workspace: str, content_id: str) -> PublicationResult | None:
        document = await find_owned(self.results, content_id, workspace, {FIELD: 0})
        return PublicationResult.model_validate(document) if document else None

    async def in_flight(
        self, workspace: str, *, started_before: datetime, since: datetime
    ) -> list[Attempt]:
        """The workspace's attempts started in [since, started_before) with no outcome and no
        publication."""
        cursor = self.attempts.find(
            {"workspace": workspace, "started_at": {"$gte": since, "$lt": started_before}}
        ).sort("started_at", ASCENDING)
        stuck: list[Attempt] = []
        async for document in cursor:
            key = document["_id"]
            if await self.outcomes.find_one({"_id": key}, {"_id": 1}) is not None:
                continue
            if await self.results.find_one({"_id": document["content_id"]}, {"_id": 1}):
                continue
            stuck.append(Attempt.model_validate(document))
        return stuck

    async def insert_gate_failure(
        self, workspace: str, content_id: str, sequence: int, reason: str, events: Sequence[Event]
    ) -> bool:
        document = {
            "_id": gate_key(content_id, sequence),
            "workspace": workspace,
            "content_id": content_id,
            "reason": reason,
        }
        return await self._outbox.insert_one(self.gate, document, events)

    async def gate_failed(self, content_id: str, sequence: int) -> bool:
        return (
            await self.gate.find_one({"_id": gate_key(content_id, sequence)}, {"_id": 1})
            is not None
        )
