"""Ingest's own Prometheus metrics: the health of each pulled source."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SOURCE_ITEMS = Counter(
    "ensemble_source_items_total", "Items fetched from a pulled source.", ["workspace", "source"]
)
SOURCE_ERRORS = Counter(
    "ensemble_source_errors_total", "Failed reads of a pulled source.", ["workspace", "source"]
)
SOURCE_LAG = Gauge(
    "ensemble_source_lag_seconds",
    "Age of the newest item at its fetch: how far behind the platform we are.",
    ["workspace", "source"],
)
SOURCE_LAST_SUCCESS = Gauge(
    "ensemble_source_last_success_timestamp_seconds",
    "When the source was last read successfully.",
    ["workspace", "source"],
)
