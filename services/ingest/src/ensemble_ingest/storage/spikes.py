"""Spike detection's data: one observation per mention (with its topics), and the spikes found."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ensemble_shared.events import Event
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new

OBSERVATIONS = "spike_observations"
SPIKES = "spikes"


@dataclass(frozen=True)
class Observation:
    mention_id: str
    workspace: str
    topics: tuple[str, ...]
    bucket: datetime
    negative: bool


@dataclass(frozen=True)
class BucketCount:
    workspace: str
    topic: str
    bucket: datetime
    negative: bool
    count: int


class SpikeStore:
    INDEXES = {
        OBSERVATIONS: [Index([("bucket", ASCENDING)], name="by_bucket")],
        SPIKES: [Index([("workspace", ASCENDING), ("bucket_start", DESCENDING)], name="recent")],
    }

    def __init__(self, observations: Collection, spikes: Collection, outbox: Outbox) -> None:
        self._observations = observations
        self._spikes = spikes
        self._outbox = outbox

    async def observe(self, observations: Sequence[Observation]) -> None:
        """Idempotent: a mention counts once however often it is re-driven."""
        await insert_new(
            self._observations,
            [
                {
                    "_id": o.mention_id,
                    "workspace": o.workspace,
                    "topics": list(o.topics),
                    "bucket": o.bucket,
                    "negative": o.negative,
                }
                for o in observations
            ],
        )

    async def counts(self, since: datetime, until: datetime) -> list[BucketCount]:
        """Counts per (workspace, topic, bucket, negative) for buckets in [since, until).

        Grouped by the whole topic list, then spread over topics here: FerretDB 1.24's `$unwind`
        drops every other field of the document.
        """
        cursor = self._observations.aggregate(
            [
                {"$match": {"bucket": {"$gte": since, "$lt": until}}},
                {
                    "$group": {
                        "_id": {
                            "workspace": "$workspace",
                            "topics": "$topics",
                            "bucket": "$bucket",
                            "negative": "$negative",
                        },
                        "count": {"$sum": 1},
                    }
                },
            ]
        )
        totals: dict[tuple[str, str, datetime, bool], int] = {}
        async for row in cursor:
            group = row["_id"]
            for topic in group["topics"]:
                key = (group["workspace"], topic, group["bucket"], group["negative"])
                totals[key] = totals.get(key, 0) + row["count"]
        return [BucketCount(w, t, b, n, count) for (w, t, b, n), count in totals.items()]

    async def record(self, spike_id: str, spike: Document, event: Event) -> bool:
        """Each spike is recorded and announced once, whichever replica finds it first."""
        return await self._outbox.insert_one(self._spikes, {"_id": spike_id, **spike}, [event])

    async def prune(self, before: datetime) -> None:
        await self._observations.delete_many({"bucket": {"$lt": before}})
