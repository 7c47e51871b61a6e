"""Spike detection per (workspace, topic), negative mentions tracked apart."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from ensemble_ingest.triage.spikes import BucketVerdict, Spike, SpikeDetector, bucket_verdict

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BUCKET = timedelta(minutes=5)


def bucket_start(index: int) -> datetime:
    return START + index * BUCKET


def feed(
    detector: SpikeDetector,
    counts: Sequence[int | tuple[int, int]],
    *,
    workspace: str = "acme",
    topic: str = "*",
    first_bucket: int = 0,
) -> list[Spike]:
    """Observes, bucket after bucket, `n` mentions or `(n, negative among them)`."""
    spikes: list[Spike] = []
    for offset, entry in enumerate(counts):
        total, negative = (entry, 0) if isinstance(entry, int) else entry
        at = bucket_start(first_bucket + offset) + timedelta(seconds=30)
        for n in range(total):
            spikes += detector.observe(workspace, topic, at, negative=n < negative)
    return spikes


def test_a_flat_series_never_fires() -> None:
    detector = SpikeDetector()
    spikes = feed(detector, [20] * 40)
    spikes += detector.flush(bucket_start(41))
    assert spikes == []


def test_a_noisy_but_steady_series_never_fires() -> None:
    detector = SpikeDetector()
    spikes = feed(detector, [18, 22, 20, 25, 15, 21, 19, 24, 16, 20] * 4)
    assert spikes + detector.flush(bucket_start(41)) == []


def test_a_burst_fires_once() -> None:
    detector = SpikeDetector()
    spikes = feed(detector, [20] * 12 + [80] + [20] * 12)
    spikes += detector.flush(bucket_start(26))
    assert spikes == [
        Spike(
            workspace="acme",
            topic="*",
            negative_only=False,
            bucket_start=bucket_start(12),
            count=80,
            mean=20.0,
            stddev=math.sqrt(20.0),
            threshold=20.0 + 3.0 * math.sqrt(20.0),
        )
    ]


def test_a_spike_is_reported_when_its_bucket_closes() -> None:
    detector = SpikeDetector()
    assert feed(detector, [20] * 12 + [80]) == []  # bucket 12 is still open
    assert len(feed(detector, [1], first_bucket=13)) == 1


def test_a_negative_burst_fires_the_negative_only_spike() -> None:
    detector = SpikeDetector()
    spikes = feed(detector, [(20, 2)] * 12 + [(22, 18)] + [(20, 2)] * 3)
    assert [(s.negative_only, s.count, s.bucket_start) for s in spikes] == [
        (True, 18, bucket_start(12))
    ]


def test_a_burst_of_complaints_fires_both_spikes() -> None:
    detector = SpikeDetector()
    spikes = feed(detector, [(20, 2)] * 12 + [(90, 80)] + [(20, 2)])
    assert sorted((s.negative_only, s.count) for s in spikes) == [(False, 90), (True, 80)]


def test_a_small_burst_below_min_count_does_not_fire() -> None:
    quiet = [1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]
    for burst, fires in ((8, False), (12, True)):
        detector = SpikeDetector(min_count=10)
        spikes = feed(detector, [*quiet, burst]) + detector.flush(bucket_start(13))
        assert bool(spikes) is fires


def test_a_new_topic_needs_some_history_before_firing() -> None:
    detector = SpikeDetector(min_history=3)
    assert feed(detector, [100, 5], topic="brand new") == []
    assert feed(detector, [5, 5, 100, 5], topic="two buckets old") == []
    assert len(feed(detector, [5, 5, 5, 100, 5], topic="three buckets old")) == 1


def test_missing_buckets_count_as_zero() -> None:
    detector = SpikeDetector()
    feed(detector, [10, 10, 10, 10])
    spikes = feed(detector, [30, 1], first_bucket=12)  # buckets 4..11 saw nothing
    assert [s.count for s in spikes] == [30]
    assert spikes[0].mean == pytest.approx(40 / 12)


def test_flush_closes_the_buckets_that_have_ended() -> None:
    detector = SpikeDetector()
    feed(detector, [20] * 12 + [80])
    assert detector.flush(bucket_start(12) + timedelta(minutes=4)) == []  # not over yet
    assert len(detector.flush(bucket_start(13))) == 1
    assert detector.flush(bucket_start(14)) == []


def test_a_late_mention_can_push_a_closed_bucket_over_once() -> None:
    detector = SpikeDetector()
    feed(detector, [20] * 12 + [33, 20])  # 33 is just under 20 + 3·√20 ≈ 33.4
    late = bucket_start(12) + timedelta(minutes=1)
    spikes = detector.observe("acme", "*", late, negative=False)
    assert [(s.count, s.bucket_start) for s in spikes] == [(34, bucket_start(12))]
    assert detector.observe("acme", "*", late, negative=False) == []


def test_workspaces_and_topics_are_counted_apart() -> None:
    detector = SpikeDetector()
    feed(detector, [20] * 12, workspace="acme", topic="*")
    feed(detector, [20] * 12, workspace="acme", topic="refund")
    feed(detector, [20] * 12, workspace="globex", topic="*")
    spikes = feed(detector, [80, 20], workspace="acme", topic="refund", first_bucket=12)
    spikes += detector.flush(bucket_start(14))
    assert [(s.workspace, s.topic) for s in spikes] == [("acme", "refund")]


def test_a_naive_datetime_is_taken_as_utc() -> None:
    detector = SpikeDetector()
    naive = START.replace(tzinfo=None)
    for offset in range(12):
        for _ in range(20):
            detector.observe("acme", "*", naive + offset * BUCKET, negative=False)
    for _ in range(80):
        detector.observe("acme", "*", naive + 12 * BUCKET, negative=False)
    assert [s.bucket_start for s in detector.flush(bucket_start(13))] == [bucket_start(12)]


def test_the_state_survives_a_json_round_trip_and_the_series_goes_on() -> None:
    series: list[int | tuple[int, int]] = [*[(20, 2)] * 12, (80, 3), (20, 2), (22, 18)]
    uninterrupted = SpikeDetector()
    expected = feed(uninterrupted, series) + uninterrupted.flush(bucket_start(20))

    first = SpikeDetector()
    spikes = feed(first, series[:13])
    restored = SpikeDetector.from_state(json.loads(json.dumps(first.to_state())))
    spikes += feed(restored, series[13:], first_bucket=13)
    spikes += restored.flush(bucket_start(20))
    assert spikes == expected
    assert len(expected) == 2
    assert restored.to_state() == uninterrupted.to_state()


def test_the_state_keeps_the_settings() -> None:
    detector = SpikeDetector(bucket=timedelta(minutes=1), window=6, k=2.5, min_count=4)
    restored = SpikeDetector.from_state(detector.to_state())
    settings = (restored.bucket, restored.window, restored.k, restored.min_count)
    assert settings == (timedelta(minutes=1), 6, 2.5, 4)


def test_a_spike_that_fired_before_saving_does_not_fire_again_after() -> None:
    detector = SpikeDetector()
    assert len(feed(detector, [20] * 12 + [80, 20])) == 1
    restored = SpikeDetector.from_state(detector.to_state())
    late = restored.observe("acme", "*", bucket_start(12), negative=False)
    assert late == []


@pytest.mark.parametrize(
    "state",
    [{}, {"version": 2}, {**SpikeDetector().to_state(), "series": [{"workspace": "acme"}]}],
)
def test_a_malformed_state_is_refused(state: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        SpikeDetector.from_state(state)


@pytest.mark.parametrize(
    "settings",
    [
        {"bucket": timedelta(0)},
        {"window": 0},
        {"min_history": 13},
        {"k": -1.0},
        {"min_count": 0},
    ],
)
def test_nonsensical_settings_are_refused(settings: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"need|positive"):
        SpikeDetector(**settings)  # type: ignore[arg-type]


def test_the_verdict_on_a_bucket_names_mean_stddev_and_threshold() -> None:
    verdict = bucket_verdict([4, 6, 4, 6], 30, k=3.0, min_count=10)
    assert verdict == BucketVerdict(mean=5.0, stddev=math.sqrt(5.0), threshold=5 + 3 * math.sqrt(5))
    assert bucket_verdict([4, 6, 4, 6], 9, k=3.0, min_count=10) is None  # under min_count
    assert bucket_verdict([20, 20, 20], 21, k=3.0, min_count=10) is None  # within noise
    assert bucket_verdict([], 100, k=3.0, min_count=10) is None


def test_a_mention_later_than_the_window_is_not_checked_again() -> None:
    detector = SpikeDetector()
    feed(detector, [20] * 30)
    old_bucket = bucket_start(29 - 13) + timedelta(seconds=1)  # bucket 29 is the latest
    spikes = [
        s for _ in range(100) for s in detector.observe("acme", "*", old_bucket, negative=False)
    ]
    assert spikes == []
