"""Insights against ingest at full rate, a rebuild of a large history, and dashboard reads.

Three measurements, one run, one broker and store (FerretDB when provisioned locally):

1. live: ingest's real pipeline (`IngestPipeline.ingest_items`, triage with 20 rules, spike
   detection, outbox; batches of 500, two in flight, as in bench/ingest.py) stores and
   announces `mentions` mentions while insights runs in-process (its app and lifespan) and
   consumes them. The ingest rate is mentions stored and announced per second. The lag of
   the k-th mention is the time it became countable in insights (polled every 0.1 s) minus
   the time ingest had acknowledged k mentions; p50/p99/max are reported.
   Then insights rebuilds (a new generation reads the same stream from its earliest offset)
   and its consumption rate, in mentions per second from the rebuild to the last mention
   counted, is set against the ingest rate: >= 1.0 means it keeps up with ingest at full rate.
2. rebuild: `rebuild_events` events of every stream over 90 days (3 workspaces) are produced
   first; a fresh insights then reads them all from the earliest offsets; events per second
   from its start to the last figure counted.
3. reads: on that store (90 days of figures), the console's queries over 90 days with the
   previous 90 for comparison, through the HTTP app: overview, series with and without a
   filter, breakdowns (by platform, by author), durations, members, an hourly week, stocks.
   p50 and p99 per kind and overall.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.ingest import RULES, FixedTriage, _items, _parse
from bench.insights_history import WORKSPACES, produce, synthetic
from bench.report import Arm, Target, show, write
from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.models.sources import GenericConfig, Source
from ensemble_ingest.services.pipeline import IngestPipeline
from ensemble_ingest.storage import INDEXES, MentionRepository, RawArchive
from ensemble_ingest.triage import Triage
from ensemble_insights.config import InsightsSettings
from ensemble_insights.main import create_app
from ensemble_insights.models.api import Period
from ensemble_insights.runtime import Runner
from ensemble_insights.services.metrics import LAG
from ensemble_shared.auth import Role
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.outbox import Outbox
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import create_client, ensure_indexes
from ensemble_shared.topics import MENTIONS, Topics, ensure_topics
from support.apps import running

SECRET = "bench-secret-" + "x" * 40
ISSUER = LocalIssuer()
BATCH, IN_FLIGHT = 500, 2


def _settings(infra: Infra, prefix: str) -> InsightsSettings:
    return InsightsSettings(
        kafka=KafkaSettings(bootstrap_servers=infra.kafka_bootstrap, topic_prefix=prefix),
        mongo=MongoSettings(url=infra.mongodb_url),
        auth=ISSUER.settings(),
        secret_key=SECRET,
        database=f"{prefix.rstrip('.')}_insights",
        log_database=f"{prefix.rstrip('.')}_insights_log",
        lease_seconds=60,
        generation_poll_seconds=1,
        log_level="WARNING",
    )


def _lag_buckets() -> dict[float, float]:
    """Cumulative counts of insights' own lag histogram (event time to readable), by bound."""
    found: dict[float, float] = {}
    for metric in LAG.collect():
        for sample in metric.samples:
            if sample.name.endswith("_bucket"):
                found[float(sample.labels["le"])] = sample.value
    return found


def _bucket_p99(before: dict[float, float], after: dict[float, float]) -> float:
    """The histogram bound under which 99 % of the lags observed between two reads fall."""
    counts = {bound: after[bound] - before.get(bound, 0.0) for bound in sorted(after)}
    total = counts[float("inf")]
    for bound, cumulative in counts.items():
        if total and cumulative >= 0.99 * total:
            return bound
    return float("inf")


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)] if ordered else 0.0


async def _until(probe: Callable[[], Awaitable[bool]], wait: float, what: str) -> None:
    deadline = time.monotonic() + wait
    while not await probe():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not reached in {wait:.0f}s")
        await asyncio.sleep(0.5)


async def live(infra: Infra, mentions: int) -> dict[str, float]:
    """Ingest at full rate with insights consuming; lag per mention; then a rebuild's rate."""
    prefix = f"bench{new_id()[:8]}."
    topics = Topics(prefix)
    await ensure_topics(infra.kafka_bootstrap, topics)
    client = create_client(MongoSettings(url=infra.mongodb_url))
    ingest_db = client[f"{prefix.rstrip('.')}_ingest"]
    await ensure_indexes(ingest_db, INDEXES)
    broker = create_broker(KafkaSettings(bootstrap_servers=infra.kafka_bootstrap), client_id="b")
    publisher = EventPublisher(broker, topics, [MENTIONS])
    settings = _settings(infra, prefix)
    app = create_app(settings)
    source = Source(workspace="bench", name="bench", config=GenericConfig(secrets=["whsec_AA=="]))
    items = _items(mentions, new_id()[:6])
    pipeline = IngestPipeline(
        raws=RawArchive(
            ingest_db["raw_payloads"], ingest_db["raw_outcomes"], ingest_db["raw_pending"]
        ),
        mentions=MentionRepository(ingest_db["mentions"], Outbox(publisher, topics, ingest_db)),
        triage=FixedTriage(Triage(RULES)),
        parse=_parse,
        observers=[],
    )
    today = datetime.now(UTC).date()
    period = Period(start=today - timedelta(days=2), end=today + timedelta(days=1))
    acked: list[tuple[float, int]] = []
    seen: list[tuple[float, int]] = []
    try:
        async with broker:
            await broker.start()
            async with running(app):
                runner: Runner = app.state.runner

                async def visible() -> int:
                    series = await runner.projection().queries.series("bench", "mentions", period)
                    return int(series.total or 0)

                async def poll() -> None:
                    while True:
                        count = await visible()
                        seen.append((time.perf_counter(), count))
                        await asyncio.sleep(0.1)

                poller = asyncio.create_task(poll())
                histogram = _lag_buckets()
                slots = asyncio.Semaphore(IN_FLIGHT)
                done = 0

                async def one(batch: list[dict[str, Any]]) -> None:
                    nonlocal done
                    async with slots:
                        await pipeline.ingest_items(source, batch, correlation_id=new_id())
                        done += len(batch)
                        acked.append((time.perf_counter(), done))

                started = time.perf_counter()
                await asyncio.gather(
                    *(one(items[s : s + BATCH]) for s in range(0, mentions, BATCH))
                )
                ingest_seconds = time.perf_counter() - started
                await _until(lambda: _reached(seen, mentions), 600, "all mentions counted")
                poller.cancel()
                lags = _lags(acked, seen, mentions)
                event_lag_p99 = _bucket_p99(histogram, _lag_buckets())

                rebuilt_at = time.perf_counter()
                await runner.rebuild(by="bench")
                await _until(lambda: _equals(visible, mentions), 900, "the rebuild")
                rebuild_seconds = time.perf_counter() - rebuilt_at
    finally:
        for name in (ingest_db.name, settings.database, settings.log_database):
            await client.drop_database(name)
        client.close()
    return {
        "ingest_rate": mentions / ingest_seconds,
        "consume_rate": mentions / rebuild_seconds,
        "lag_p50": _percentile(lags, 0.5),
        "lag_p99": _percentile(lags, 0.99),
        "lag_max": max(lags),
        "event_lag_p99": event_lag_p99,
    }


async def _reached(seen: list[tuple[float, int]], wanted: int) -> bool:
    return bool(seen) and seen[-1][1] >= wanted


async def _equals(probe: Callable[[], Awaitable[int]], wanted: int) -> bool:
    return await probe() >= wanted


def _lags(acked: list[tuple[float, int]], seen: list[tuple[float, int]], total: int) -> list[float]:
    """Per mention k (every 10th): first time k were counted minus when k were acknowledged."""
    lags = []
    for k in range(1, total + 1, 10):
        at_ack = next(t for t, n in acked if n >= k)
        at_seen = next(t for t, n in seen if n >= k)
        lags.append(max(at_seen - at_ack, 0.0))
    return lags


async def rebuild_and_read(infra: Infra, events: int, reads: int) -> dict[str, Any]:
    """Produce a 90-day history, fold it all from scratch, then time the console's reads."""
    prefix = f"bench{new_id()[:8]}."
    topics = Topics(prefix)
    await ensure_topics(infra.kafka_bootstrap, topics)
    counted: Counter[str] = Counter()

    def counting() -> Any:
        for event in synthetic(events):
            if event.type == "mention.received.v1":
                counted[event.workspace] += 1
            yield event

    produced_at = time.perf_counter()
    produced = await produce(infra.kafka_bootstrap, topics, counting())
    produce_seconds = time.perf_counter() - produced_at
    settings = _settings(infra, prefix)
    app = create_app(settings)
    client = create_client(MongoSettings(url=infra.mongodb_url))
    today = datetime.now(UTC).date()
    everything = Period(start=today - timedelta(days=100), end=today)
    try:
        started = time.perf_counter()
        async with running(app) as http:
            runner: Runner = app.state.runner

            async def all_counted() -> bool:
                queries = runner.projection().queries
                for ws in WORKSPACES:
                    total = (await queries.series(ws, "mentions", everything)).total
                    if int(total or 0) != counted[ws]:
                        return False
                return True

            await _until(all_counted, 3600, "the rebuild of the whole history")
            rebuild_seconds = time.perf_counter() - started
            latencies = await _reads(http, today, reads)
    finally:
        await client.drop_database(settings.database)
        await client.drop_database(settings.log_database)
        client.close()
    return {
        "events": produced,
        "produce_rate": produced / produce_seconds,
        "rebuild_rate": produced / rebuild_seconds,
        "rebuild_seconds": rebuild_seconds,
        "latencies": latencies,
    }


async def _reads(http: Any, today: date, rounds: int) -> dict[str, list[float]]:
    headers = ISSUER.bearer(WORKSPACES[0], Role.MANAGER, subject="bench", ttl=timedelta(hours=2))
    start, end = (today - timedelta(days=90)).isoformat(), (today - timedelta(days=1)).isoformat()
    week = (today - timedelta(days=8)).isoformat()
    span = {"start": start, "end": end}
    kinds: dict[str, tuple[str, dict[str, str]]] = {
        "overview": ("/insights/overview", span),
        "series": ("/insights/series", {**span, "metric": "mentions", "compare": "true"}),
        "series_filtered": (
            "/insights/series",
            {**span, "metric": "mentions", "filter": "sentiment:negative", "compare": "true"},
        ),
        "breakdown": (
            "/insights/breakdown",
            {**span, "metric": "mentions", "by": "platform", "compare": "true"},
        ),
        "durations": ("/insights/series", {**span, "metric": "reply_time", "compare": "true"}),
        "top_authors": (
            "/insights/breakdown",
            {**span, "metric": "author_mentions", "by": "author"},
        ),
        "members": ("/insights/members", span),
        "hourly_week": (
            "/insights/series",
            {"start": week, "end": end, "metric": "mentions", "granularity": "hour"},
        ),
        "stocks": ("/insights/stocks", {}),
    }
    latencies: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(rounds):
        for kind, (path, params) in kinds.items():
            began = time.perf_counter()
            response = await http.get(path, params=params, headers=headers)
            latencies[kind].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, response.text
    return latencies


async def run(infra: Infra, *, mentions: int, rebuild_events: int, reads: int) -> bool:
    logging.getLogger("ensemble_insights").setLevel(logging.WARNING)
    first = await live(infra, mentions)
    second = await rebuild_and_read(infra, rebuild_events, reads)
    every = [ms for values in second["latencies"].values() for ms in values]
    arms = [
        Arm("ingest", "mentions stored and announced by ingest's pipeline", [first["ingest_rate"]]),
        Arm(
            "insights_consume",
            "mentions counted by a rebuild of the same stream",
            [first["consume_rate"]],
        ),
        Arm(
            "rebuild",
            f"events of every stream folded from scratch ({second['events']:,})",
            [second["rebuild_rate"]],
        ),
        Arm("produce", "the same events produced to Kafka (context)", [second["produce_rate"]]),
    ]
    derived: dict[str, float] = {
        "live lag p50 s": first["lag_p50"],
        "live lag p99 s": first["lag_p99"],
        "live lag max s": first["lag_max"],
        "event time to readable p99 s (histogram bound)": first["event_lag_p99"],
        "rebuild seconds": second["rebuild_seconds"],
        "reads p50 ms (all)": statistics.median(every),
        "reads p99 ms (all)": _percentile(every, 0.99),
    }
    for kind, values in second["latencies"].items():
        derived[f"reads p50 ms {kind}"] = statistics.median(values)
        derived[f"reads p99 ms {kind}"] = _percentile(values, 0.99)
    targets = [
        Target(
            "insights consumption / ingest rate", first["consume_rate"] / first["ingest_rate"], 1.0
        ),
        Target("5 s / live lag p99", 5.0 / max(first["lag_p99"], 1e-9), 1.0),
        Target("200 ms / 90-day reads p99", 200.0 / max(_percentile(every, 0.99), 1e-9), 1.0),
    ]
    settings = {
        "store": infra.store,
        "kafka": f"{infra.kafka_bootstrap} ({infra.mode})",
        "live mentions": mentions,
        "rebuild events": second["events"],
        "reads per kind": reads,
        "workspaces": ", ".join(WORKSPACES),
    }
    show(
        "Insights: keeping up with ingest, rebuilding, reading 90 days",
        settings,
        arms,
        derived,
        targets,
    )
    path = write("insights", settings, arms, derived, targets)
    print(f"written: {path}")
    return all(t.met for t in targets)
