"""The spike rule each evaluation applies to a bucket and the buckets before it."""

from __future__ import annotations

import math

from ensemble_ingest.triage.spikes import BucketVerdict, bucket_verdict

K, MIN = 3.0, 10


def test_the_verdict_on_a_bucket_names_mean_stddev_and_threshold() -> None:
    verdict = bucket_verdict([4, 6, 4, 6], 30, k=3.0, min_count=10)
    assert verdict == BucketVerdict(mean=5.0, stddev=math.sqrt(5.0), threshold=5 + 3 * math.sqrt(5))
    assert bucket_verdict([4, 6, 4, 6], 9, k=3.0, min_count=10) is None  # under min_count
    assert bucket_verdict([20, 20, 20], 21, k=3.0, min_count=10) is None  # within noise
    assert bucket_verdict([], 100, k=3.0, min_count=10) is None


def test_a_flat_series_never_fires_on_its_own_level() -> None:
    assert all(bucket_verdict([20] * 12, count, k=K, min_count=MIN) is None for count in (20, 25))


def test_a_noisy_but_steady_series_does_not_fire_on_its_usual_peaks() -> None:
    history = [12, 28, 15, 25, 18, 22] * 2
    assert bucket_verdict(history, max(history), k=K, min_count=MIN) is None


def test_a_burst_far_above_the_history_fires() -> None:
    verdict = bucket_verdict([20] * 12, 200, k=K, min_count=MIN)
    assert verdict is not None
    assert verdict.threshold < 200


def test_missing_buckets_count_as_zeros_and_lower_the_bar() -> None:
    with_gaps = bucket_verdict([0, 0, 0, 10], 20, k=K, min_count=MIN)
    assert with_gaps is not None
    assert with_gaps.mean == 2.5
