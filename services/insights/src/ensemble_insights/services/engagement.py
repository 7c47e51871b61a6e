"""Engagement scores of the members active in a period, weighed as feedback weighs them.

The counts are the period's activities per member and kind (`member_engagement` series); the
weights are the workspace's as feedback last announced them (the `now` entry the fold keeps),
the defaults until it announced any. Feedback's own score counts a member's whole history
(their merge group's, mentions and suggestions included); this one counts what the member did
in the period, of the kinds insights sees in events.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from ensemble_insights.models.catalog import ENGAGEMENT, WEIGHTS
from ensemble_insights.models.rollups import Content
from ensemble_insights.models.series import parse
from ensemble_shared.engagement import EngagementWeights, engagement

BUCKETS: tuple[tuple[str, float, float | None], ...] = (
    ("0-5", 0, 5),
    ("5-10", 5, 10),
    ("10-20", 10, 20),
    ("20-50", 20, 50),
    ("50+", 50, None),
)
"""Score ranges, lower bound included, upper bound excluded."""


def weights_of(now: Content) -> EngagementWeights:
    found = now.get("e", {}).get(WEIGHTS)
    if not found:
        return EngagementWeights()
    return EngagementWeights.announced(found["weights"])


def engagement_series(names: Iterable[str]) -> list[str]:
    return [s for s in names if s.startswith(f"{ENGAGEMENT}|")]


def scores(totals: Mapping[str, int], weights: EngagementWeights) -> dict[str, float]:
    """Each member's score from the period's totals of `member_engagement` series (other
    series among `totals` are left aside)."""
    per_member: dict[str, dict[str, int]] = defaultdict(dict)
    for series in engagement_series(totals):
        amount = totals[series]
        _, dims = parse(series)
        if amount and "member" in dims and "kind" in dims:
            per_member[dims["member"]][dims["kind"]] = amount
    return {member: engagement(kinds, weights) for member, kinds in per_member.items()}


def score_ranges(found: Mapping[str, float]) -> dict[str, int]:
    """Members per score range (every range listed, empty ones at 0)."""
    return {
        label: sum(1 for s in found.values() if s >= low and (high is None or s < high))
        for label, low, high in BUCKETS
    }
