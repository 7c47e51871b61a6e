"""Suggestions, the decisions on them and what confirming did: three insert-only collections,
each keyed by suggestion id, so a suggestion, a decision and an outcome each exist at most once."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ensemble_feedback.models.suggestions import (
    Decision,
    DecisionRecord,
    Outcome,
    Suggestion,
)
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, older_than

SUGGESTIONS = "suggestions"
DECISIONS = "suggestion_decisions"
OUTCOMES = "suggestion_outcomes"


def _suggestion(document: Document) -> Suggestion:
    return Suggestion.model_validate({**document, "id": document["_id"]})


def _decision(document: Document) -> DecisionRecord:
    return DecisionRecord.model_validate({**document, "suggestion_id": document["_id"]})


def _outcome(document: Document) -> Outcome:
    return Outcome.model_validate({**document, "suggestion_id": document["_id"]})


class SuggestionRepository:
    INDEXES = {
        SUGGESTIONS: [
            Index(
                [("workspace", ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)],
                name="newest",
            )
        ],
        DECISIONS: [
            Index(
                [
                    ("workspace", ASCENDING),
                    ("decision", ASCENDING),
                    ("at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="by_decision",
            )
        ],
    }

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.suggestions: Collection = database[SUGGESTIONS]
        self.decisions: Collection = database[DECISIONS]
        self.outcomes: Collection = database[OUTCOMES]
        self._outbox = outbox

    async def existing(self, ids: Iterable[str]) -> set[str]:
        found = self.suggestions.find({"_id": {"$in": list(ids)}}, {"_id": 1})
        return {d["_id"] async for d in found}

    async def add_new(self, staged: Sequence[tuple[Suggestion, Sequence[Event]]]) -> set[str]:
        """Store suggestions not seen before, each with its events; returns the new ids."""
        documents = [
            self._outbox.stage(
                {
                    "_id": s.id,
                    **s.model_dump(mode="json", exclude={"id", "created_at"}),
                    "created_at": s.created_at,
                },
                events,
            )
            for s, events in staged
        ]
        return await self._outbox.insert(self.suggestions, documents)

    async def get(self, workspace: str, suggestion_id: str) -> Suggestion | None:
        document = await find_owned(self.suggestions, suggestion_id, workspace, {FIELD: 0})
        return _suggestion(document) if document else None

    async def newest(
        self, workspace: str, *, after: Position | None, limit: int
    ) -> list[Suggestion]:
        found = self.suggestions.find(
            {"workspace": workspace, **older_than("created_at", after)}, {FIELD: 0}
        ).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return [_suggestion(d) for d in await found.limit(limit).to_list(limit)]

    async def by_ids(self, ids: Iterable[str]) -> dict[str, Suggestion]:
        found = self.suggestions.find({"_id": {"$in": list(ids)}}, {FIELD: 0})
        return {d["_id"]: _suggestion(d) async for d in found}

    # --- decisions ---

    async def decide(self, record: DecisionRecord) -> bool:
        """Record the decision; False when one was recorded first (it stands)."""
        document = {"_id": record.suggestion_id, **record.model_dump(exclude={"suggestion_id"})}
        return bool(await insert_new(self.decisions, [document]))

    async def decision(self, suggestion_id: str) -> DecisionRecord | None:
        document = await self.decisions.find_one({"_id": suggestion_id})
        return _decision(document) if document else None

    async def decisions_of(self, ids: Iterable[str]) -> dict[str, DecisionRecord]:
        found = self.decisions.find({"_id": {"$in": list(ids)}})
        return {d["_id"]: _decision(d) async for d in found}

    async def decided(
        self, workspace: str, decision: Decision, *, after: Position | None, limit: int
    ) -> list[DecisionRecord]:
        found = self.decisions.find(
            {"workspace": workspace, "decision": decision, **older_than("at", after)}
        ).sort([("at", DESCENDING), ("_id", DESCENDING)])
        return [_decision(d) for d in await found.limit(limit).to_list(limit)]

    # --- outcomes ---

    async def record_outcome(self, outcome: Outcome) -> bool:
        """Record what confirming did; False when a concurrent confirm recorded it first."""
        document = {"_id": outcome.suggestion_id, **outcome.model_dump(exclude={"suggestion_id"})}
        return bool(await insert_new(self.outcomes, [document]))

    async def outcome(self, suggestion_id: str) -> Outcome | None:
        document = await self.outcomes.find_one({"_id": suggestion_id})
        return _outcome(document) if document else None

    async def outcomes_of(self, ids: Iterable[str]) -> dict[str, Outcome]:
        found = self.outcomes.find({"_id": {"$in": list(ids)}})
        return {d["_id"]: _outcome(d) async for d in found}
