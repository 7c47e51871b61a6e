"""Detects spikes of mentions per (workspace, topic), negative mentions tracked apart."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_STATE_VERSION = 1
_ALL, _NEGATIVE = 0, 1


class Spike(BaseModel):
    """A closed time bucket that received far more mentions than the buckets before it."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    topic: str
    negative_only: bool = Field(description="Counts negative mentions only.")
    bucket_start: datetime
    count: int
    mean: float = Field(description="Mean count of the previous buckets.")
    stddev: float = Field(description="Their standard deviation, at least √mean.")
    threshold: float = Field(description="mean + k·stddev; the count exceeded it.")


@dataclass(frozen=True, slots=True)
class BucketVerdict:
    """Why a bucket is a spike: the history's mean and stddev, and the threshold it exceeded."""

    mean: float
    stddev: float
    threshold: float


def bucket_verdict(
    history: Sequence[int], count: int, *, k: float, min_count: int
) -> BucketVerdict | None:
    """Whether `count` is a spike after the bucket counts `history` (missing buckets as zeros).

    It is when it exceeds mean + k·stddev of the history and is at least `min_count`. The stddev
    is at least √mean, the noise of a Poisson count, so a flat series does not fire on a count
    one above its mean. An empty history proves nothing: None.
    """
    if count < min_count or not history:
        return None
    mean = sum(history) / len(history)
    variance = sum((c - mean) ** 2 for c in history) / len(history)
    stddev = max(math.sqrt(variance), math.sqrt(mean))
    threshold = mean + k * stddev
    return BucketVerdict(mean, stddev, threshold) if count > threshold else None


@dataclass(slots=True)
class _Series:
    """Counts of one (workspace, topic): bucket index -> [all mentions, negative ones]."""

    first: int  # the earliest bucket observed: history starts there
    latest: int  # the latest bucket observed
    open_from: int  # buckets before this one are closed (evaluated)
    counts: dict[int, list[int]] = field(default_factory=dict)
    fired: set[tuple[int, bool]] = field(default_factory=set)


class SpikeDetector:
    """Counts mentions in time buckets and reports a bucket whose count is a spike.

    When a bucket closes (a later bucket is observed, or `flush` passes its end), its count is
    compared with the previous `window` buckets, missing ones counting as zero (see
    `bucket_verdict`). A series needs `min_history` buckets of history before its first spike.
    A mention arriving late, in a closed bucket still inside the window, is counted and its
    bucket checked again; each bucket fires at most once per (workspace, topic, negative_only).
    Negative mentions are counted apart too, so a burst of complaints fires even when the total
    barely moves.

    Not thread-safe: one detector per consumer, persisted with `to_state` / `from_state`.
    """

    def __init__(
        self,
        bucket: timedelta = timedelta(minutes=5),
        window: int = 12,
        k: float = 3.0,
        min_count: int = 10,
        min_history: int = 3,
    ) -> None:
        if bucket <= timedelta(0):
            raise ValueError("bucket must be a positive duration")
        if window < 1 or not 1 <= min_history <= window:
            raise ValueError("need window >= 1 and 1 <= min_history <= window")
        if k < 0 or min_count < 1:
            raise ValueError("need k >= 0 and min_count >= 1")
        self.bucket = bucket
        self.window = window
        self.k = k
        self.min_count = min_count
        self.min_history = min_history
        self._series: dict[tuple[str, str], _Series] = {}

    def observe(self, workspace: str, topic: str, at: datetime, *, negative: bool) -> list[Spike]:
        """Counts one mention of `topic` at `at`; returns the spikes of buckets it closed."""
        index = self._index(at)
        key = (workspace, topic)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = _Series(first=index, latest=index, open_from=index)
        if index < self._oldest_kept(series):
            return []  # too late to count even as the history of a later bucket
        spikes = self._close(key, series, index) if index > series.open_from else []
        series.latest = max(series.latest, index)
        series.first = min(series.first, index)
        counts = series.counts.setdefault(index, [0, 0])
        counts[_ALL] += 1
        if negative:
            counts[_NEGATIVE] += 1
        if series.latest - self.window <= index < series.open_from:
            spikes.extend(self._evaluate(key, series, index))  # late, its history still kept
        self._prune(series)
        return spikes

    def flush(self, now: datetime) -> list[Spike]:
        """Closes every bucket that ended by `now`, returning their spikes."""
        current = self._index(now)
        spikes: list[Spike] = []
        for key, series in self._series.items():
            if current > series.open_from:
                spikes.extend(self._close(key, series, current))
        return spikes

    def _close(self, key: tuple[str, str], series: _Series, until: int) -> list[Spike]:
        """Closes the buckets from `series.open_from` up to `until` (excluded)."""
        closing = sorted(i for i in series.counts if series.open_from <= i < until)
        series.open_from = until
        spikes: list[Spike] = []
        for index in closing:
            spikes.extend(self._evaluate(key, series, index))
        return spikes

    def _evaluate(self, key: tuple[str, str], series: _Series, index: int) -> list[Spike]:
        start = max(series.first, index - self.window)
        if index - start < self.min_history:
            return []
        spikes = []
        for kind in (_ALL, _NEGATIVE):
            negative_only = kind == _NEGATIVE
            if (index, negative_only) in series.fired:
                continue
            count = series.counts[index][kind]
            history = [series.counts.get(i, (0, 0))[kind] for i in range(start, index)]
            verdict = bucket_verdict(history, count, k=self.k, min_count=self.min_count)
            if verdict is None:
                continue
            series.fired.add((index, negative_only))
            spikes.append(
                Spike(
                    workspace=key[0],
                    topic=key[1],
                    negative_only=negative_only,
                    bucket_start=_EPOCH + index * self.bucket,
                    count=count,
                    mean=verdict.mean,
                    stddev=verdict.stddev,
                    threshold=verdict.threshold,
                )
            )
        return spikes

    def _oldest_kept(self, series: _Series) -> int:
        """Buckets older than this are dropped: a bucket checked again late, up to `window`
        buckets behind the latest, needs its own `window` of history."""
        return series.latest - 2 * self.window

    def _prune(self, series: _Series) -> None:
        oldest = self._oldest_kept(series)
        if len(series.counts) > 2 * self.window + 1:
            for index in [i for i in series.counts if i < oldest]:
                del series.counts[index]
            series.fired = {entry for entry in series.fired if entry[0] >= oldest}

    def _index(self, at: datetime) -> int:
        """The bucket of an instant; a naive datetime is taken as UTC."""
        if at.tzinfo is None:
            at = at.replace(tzinfo=UTC)
        return (at - _EPOCH) // self.bucket

    def to_state(self) -> dict[str, Any]:
        """Everything the detector knows, as JSON-compatible data for `from_state`."""
        return _State(
            version=_STATE_VERSION,
            bucket_seconds=self.bucket.total_seconds(),
            window=self.window,
            k=self.k,
            min_count=self.min_count,
            min_history=self.min_history,
            series=[
                _SeriesState(
                    workspace=workspace,
                    topic=topic,
                    first=series.first,
                    latest=series.latest,
                    open_from=series.open_from,
                    counts=[(i, c[_ALL], c[_NEGATIVE]) for i, c in sorted(series.counts.items())],
                    fired=sorted(series.fired),
                )
                for (workspace, topic), series in self._series.items()
            ],
        ).model_dump(mode="json")

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> SpikeDetector:
        """A detector restored from `to_state`, settings included; ValueError if malformed."""
        parsed = _State.model_validate(state)
        detector = cls(
            bucket=timedelta(seconds=parsed.bucket_seconds),
            window=parsed.window,
            k=parsed.k,
            min_count=parsed.min_count,
            min_history=parsed.min_history,
        )
        for saved in parsed.series:
            detector._series[(saved.workspace, saved.topic)] = _Series(
                first=saved.first,
                latest=saved.latest,
                open_from=saved.open_from,
                counts={i: [count, negative] for i, count, negative in saved.counts},
                fired={(i, negative_only) for i, negative_only in saved.fired},
            )
        return detector


class _SeriesState(BaseModel):
    workspace: str
    topic: str
    first: int
    latest: int
    open_from: int
    counts: list[tuple[int, int, int]]
    fired: list[tuple[int, bool]]


class _State(BaseModel):
    version: int = Field(ge=_STATE_VERSION, le=_STATE_VERSION)
    bucket_seconds: float = Field(gt=0)
    window: int
    k: float
    min_count: int
    min_history: int
    series: list[_SeriesState]
