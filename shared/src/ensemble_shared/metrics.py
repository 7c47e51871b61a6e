"""Prometheus metrics shared by every service (served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

CONSUMED = Counter(
    "ensemble_consumer_events_total",
    "Events read from Kafka, by what became of them.",
    ["group", "topic", "outcome"],
)
BATCH_SECONDS = Histogram(
    "ensemble_consumer_batch_seconds",
    "Time to handle and commit one consumed batch.",
    ["group", "topic"],
)
TRANSIENT_WAITS = Counter(
    "ensemble_consumer_transient_waits_total",
    "Times a consumer waited for the store or broker to come back.",
    ["group"],
)
REWOUND = Counter(
    "ensemble_consumer_batches_rewound_total",
    "Batches read again from their first record instead of being committed.",
    ["group", "topic"],
)
PUBLISHED = Counter("ensemble_events_published_total", "Events acknowledged by Kafka.", ["topic"])
OUTBOX_RELAYED = Counter(
    "ensemble_outbox_relayed_total",
    "Outbox events published by the background sweep (the fast path missed them).",
    ["collection"],
)
HTTP_REQUESTS = Histogram(
    "ensemble_http_request_seconds",
    "HTTP requests by route and status.",
    ["method", "route", "status"],
)
