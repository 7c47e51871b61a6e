"""Durable timers in MongoDB: a small pending set, claims by unique-key insert, one result each.

- `timers`: occurrences not known to be finished, `{_id: timer id + "@" + due time}`. The only
  collection anything is deleted from, in batches, once an occurrence's result is stored: it
  stays as small as the work outstanding, so the scan by `due_at` stays cheap.
- `timer_claims`: `{_id: occurrence + "#" + attempt}` with a lease, as `ensemble_shared.storage.
  claims.Claims.take` writes them (inserted here many per round trip): exactly one replica wins
  attempt N; if it dies, attempt N+1 is claimable once the lease has run out.
- `timer_results`: `{_id: occurrence}` how it ended (fired, cancelled, failed): inserted once.
- `timer_cancellations`: one insert per cancel; occurrences scheduled before it do not fire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from ensemble_scheduler.models.timers import (
    ClaimView,
    Finished,
    Occurrence,
    claim_id,
    latest_attempts,
)
from ensemble_shared.events import new_id
from ensemble_shared.storage import ASCENDING, Collection, Document, Index
from ensemble_shared.storage.claims import Claims
from ensemble_shared.storage.idempotency import insert_new

PENDING = "timers"
CLAIMS = "timer_claims"
RESULTS = "timer_results"
CANCELLATIONS = "timer_cancellations"


class TimerRepository:
    INDEXES = {
        PENDING: [
            Index([("due_at", ASCENDING)], name="by_due"),
            Index([("timer_id", ASCENDING)], name="by_timer"),
        ],
        CLAIMS: [Index([("occurrence", ASCENDING)], name="by_occurrence")],
        RESULTS: [Index([("timer_id", ASCENDING)], name="by_timer")],
        CANCELLATIONS: [Index([("timer_id", ASCENDING)], name="by_timer")],
    }

    def __init__(
        self,
        pending: Collection,
        claims: Collection,
        results: Collection,
        cancellations: Collection,
    ) -> None:
        self.pending = pending
        self.results = results
        self.cancellations = cancellations
        self.claims = Claims(claims, results)

    # --- scheduling ------------------------------------------------------------------------

    async def insert(self, occurrences: Sequence[Occurrence]) -> list[str]:
        """Add occurrences not seen before; returns the ids added. An occurrence that already
        finished is not added again (its pending entry is gone, its result is not)."""
        if not occurrences:
            return []
        done = await self.finished_among([o.id for o in occurrences])
        documents = [_document(o) for o in occurrences if o.id not in done]
        return [str(i) for i in await insert_new(self.pending, documents)]

    async def cancel(self, workspace: str, timer_id: str, *, at: datetime) -> None:
        await self.cancellations.insert_one(
            {"_id": new_id(), "workspace": workspace, "timer_id": timer_id, "at": at}
        )

    async def cancelled_since(self, occurrences: Sequence[Occurrence]) -> set[str]:
        """Occurrences a cancellation of their timer came after (in the same workspace)."""
        if not occurrences:
            return set()
        latest: dict[tuple[str, str], datetime] = {}
        cursor = self.cancellations.find(
            {"timer_id": {"$in": sorted({o.timer_id for o in occurrences})}},
            {"workspace": 1, "timer_id": 1, "at": 1},
        )
        async for doc in cursor:
            key = (doc["workspace"], doc["timer_id"])
            latest[key] = max(latest.get(key, doc["at"]), doc["at"])
        return {
            o.id
            for o in occurrences
            if (at := latest.get((o.workspace, o.timer_id))) is not None and o.scheduled_at <= at
        }

    # --- scanning --------------------------------------------------------------------------

    async def due(self, now: datetime, *, limit: int, skip: int = 0) -> list[Occurrence]:
        cursor = self.pending.find({"due_at": {"$lte": now}}).sort("due_at", ASCENDING)
        if skip:
            cursor = cursor.skip(skip)
        return [_occurrence(d) for d in await cursor.limit(limit).to_list(limit)]

    async def finished_among(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        if not wanted:
            return set()
        cursor = self.results.find({"_id": {"$in": wanted}}, {"_id": 1})
        return {d["_id"] async for d in cursor}

    async def latest_claims(self, ids: Iterable[str]) -> dict[str, ClaimView]:
        """The highest attempt claimed so far on each occurrence that has one."""
        wanted = list(ids)
        if not wanted:
            return {}
        cursor = self.claims.claims.find(
            {"occurrence": {"$in": wanted}},
            {"occurrence": 1, "attempt": 1, "owner": 1, "lease_until": 1},
        )
        return latest_attempts([ClaimView.model_validate(doc) async for doc in cursor])

    async def claim(
        self,
        attempts: Sequence[tuple[Occurrence, int]],
        *,
        owner: str,
        lease: timedelta,
        now: datetime,
    ) -> list[tuple[Occurrence, int]]:
        """Try to claim each (occurrence, attempt) in one round trip; returns those won.

        The documents are `Claims.take`'s, many per insert: the unique `_id` admits one winner
        per attempt whichever replica inserts first. An occurrence claimed ahead of its due
        time has its lease counted from the due time: no claim expires before its occurrence
        has been due for a lease, which is what lets scanners skip reading fresh claims."""
        documents: list[Document] = [
            {
                "_id": claim_id(occurrence.id, attempt),
                "occurrence": occurrence.id,
                "attempt": attempt,
                "owner": owner,
                "claimed_at": now,
                "lease_until": max(now, occurrence.due_at) + lease,
            }
            for occurrence, attempt in attempts
        ]
        won = set(await insert_new(self.claims.claims, documents))
        return [(o, a) for o, a in attempts if claim_id(o.id, a) in won]

    async def finish(self, records: Sequence[Finished]) -> list[str]:
        """Store each result once; returns the occurrences whose result this call stored."""
        documents = [{"_id": r.occurrence, **r.model_dump(exclude={"occurrence"})} for r in records]
        return [str(i) for i in await insert_new(self.results, documents)]

    async def forget(self, ids: Sequence[str]) -> None:
        """Drop finished occurrences from the pending set (one delete, one scan, per batch)."""
        if ids:
            await self.pending.delete_many({"_id": {"$in": list(ids)}})

    # --- reading ---------------------------------------------------------------------------

    async def counts(self, workspace: str, now: datetime) -> dict[str, Any]:
        mine = {"workspace": workspace}
        overdue = (
            await self.pending.find({**mine, "due_at": {"$lte": now}}, {"due_at": 1})
            .sort("due_at", ASCENDING)
            .limit(1)
            .to_list(1)
        )
        return {
            "pending": await self.pending.count_documents(mine),
            "overdue": await self.pending.count_documents({**mine, "due_at": {"$lte": now}}),
            "oldest_overdue_at": overdue[0]["due_at"] if overdue else None,
            "finished": await self.results.count_documents(mine),
        }


def _document(occurrence: Occurrence) -> Document:
    return {"_id": occurrence.id, **occurrence.model_dump(exclude={"id"})}


def _occurrence(document: Document) -> Occurrence:
    return Occurrence.model_validate({**document, "id": document["_id"]})
