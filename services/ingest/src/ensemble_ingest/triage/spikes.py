"""The spike rule: is a bucket's mention count far above the buckets before it?

The counting itself is shared by replicas through the store (services/spikes.py); this is the
pure verdict each evaluation applies.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


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
