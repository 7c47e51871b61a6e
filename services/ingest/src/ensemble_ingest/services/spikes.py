"""Spike detection across replicas: every replica counts what it stores; any may evaluate.

Counting is an insert per mention (with its topics) into a bucket, so it is idempotent and exact
whichever replica stored the mention. Evaluating a closed bucket is deterministic and a spike's
id is (workspace, topic, negative-only, bucket): replicas evaluating the same bucket agree, and
the unique insert lets exactly one of them record and announce it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from ensemble_ingest.models.mentions import Mention
from ensemble_ingest.storage.spikes import BucketCount, Observation, SpikeStore
from ensemble_ingest.triage.spikes import bucket_verdict
from ensemble_shared.events import MentionSpikeDetectedV1, Source, SpikeData, envelope, utcnow

ALL = "*"
EVALUATED_BUCKETS = 3  # closed buckets looked at each run: a replica down briefly misses none


class SpikeDetection:
    def __init__(
        self,
        store: SpikeStore,
        *,
        bucket: timedelta,
        window: int,
        k: float,
        min_count: int,
    ) -> None:
        self._store = store
        self._bucket = bucket
        self._window = window
        self._k = k
        self._min_count = min_count

    def bucket_of(self, at: datetime) -> datetime:
        seconds = self._bucket.total_seconds()
        return datetime.fromtimestamp(at.timestamp() // seconds * seconds, tz=UTC)

    async def observe(self, mentions: Sequence[Mention]) -> None:
        observations = [
            Observation(
                mention_id=m.id,
                workspace=m.workspace,
                topics=(ALL, *m.triage.tags),
                bucket=self.bucket_of(m.received_at),
                negative=m.triage.sentiment == "negative",
            )
            for m in mentions
        ]
        await self._store.observe(observations)

    async def evaluate_once(self, now: datetime | None = None) -> int:
        """Evaluate the latest closed buckets; returns how many spikes this call announced."""
        current = self.bucket_of(now or utcnow())
        oldest = current - self._bucket * (EVALUATED_BUCKETS + self._window)
        counts = await self._store.counts(oldest, current)
        series = _series(counts)
        announced = 0
        for closed in range(1, EVALUATED_BUCKETS + 1):
            bucket = current - self._bucket * closed
            history_buckets = [bucket - self._bucket * i for i in range(self._window, 0, -1)]
            for (workspace, topic, negative_only), per_bucket in series.items():
                history = [per_bucket.get(b, 0) for b in history_buckets]
                count = per_bucket.get(bucket, 0)
                verdict = bucket_verdict(history, count, k=self._k, min_count=self._min_count)
                if verdict is None:
                    continue
                data = SpikeData(
                    topic=topic,
                    negative_only=negative_only,
                    bucket_start=bucket,
                    bucket_seconds=int(self._bucket.total_seconds()),
                    count=count,
                    mean=verdict.mean,
                    stddev=verdict.stddev,
                    threshold=verdict.threshold,
                )
                event = MentionSpikeDetectedV1(
                    **envelope(Source.INGEST, workspace, f"{workspace}:{topic}"), data=data
                )
                spike_id = f"{workspace}|{topic}|{int(negative_only)}|{bucket.isoformat()}"
                document = {"workspace": workspace, **data.model_dump()}
                if await self._store.record(spike_id, document, event):
                    announced += 1
        await self._store.prune(oldest)
        return announced


def _series(counts: Sequence[BucketCount]) -> dict[tuple[str, str, bool], dict[datetime, int]]:
    """Per (workspace, topic): all mentions, and apart the negative ones."""
    series: dict[tuple[str, str, bool], dict[datetime, int]] = defaultdict(lambda: defaultdict(int))
    for row in counts:
        bucket = row.bucket if row.bucket.tzinfo else row.bucket.replace(tzinfo=UTC)
        series[(row.workspace, row.topic, False)][bucket] += row.count
        if row.negative:
            series[(row.workspace, row.topic, True)][bucket] += row.count
    return series
