"""Insights' own Prometheus metrics (served at /metrics with the shared ones)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

STAGED = Counter("insights_staged_facts_total", "Facts staged by the consumers.")
FOLDED = Counter("insights_folded_facts_total", "Facts counted by the projection (new ones).")
LAG = Histogram(
    "insights_visible_lag_seconds",
    "From an event's time to its figures being readable.",
    buckets=(0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300, 3600),
)
ROUND_SECONDS = Histogram("insights_round_seconds", "Time to fold and apply one round.")
