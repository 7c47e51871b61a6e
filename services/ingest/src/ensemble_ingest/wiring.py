"""Ingest's object graph: every repository and service built once, collaborators passed in.

`build` reads top to bottom as the dependency order: the outbox, the repositories, then each
service given what it uses. `wire` is the lifespan step `create_service_app` runs: it builds
the graph on the process's infrastructure, subscribes, and hands back the background loops.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
from fastapi import FastAPI

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.connectors.instagram_mentions import InstagramMentions
from ensemble_ingest.connectors.registry import WEBHOOK_CONNECTORS, parse_raw
from ensemble_ingest.handlers import kafka
from ensemble_ingest.services.inbox import InboxService
from ensemble_ingest.services.pipeline import IngestPipeline
from ensemble_ingest.services.pulling import PullRunner
from ensemble_ingest.services.raw import RawService
from ensemble_ingest.services.sources import SourceService
from ensemble_ingest.services.spikes import SpikeDetection
from ensemble_ingest.services.triage import TriageProvider
from ensemble_ingest.services.views import ViewService
from ensemble_ingest.services.webhooks import WebhookService
from ensemble_ingest.storage import mentions, raw, sources, spikes, triage, views
from ensemble_ingest.storage.mentions import MentionRepository
from ensemble_ingest.storage.raw import RawArchive
from ensemble_ingest.storage.sources import SourceRepository
from ensemble_ingest.storage.spikes import SpikeStore
from ensemble_ingest.storage.triage import TriageSettingsRepository
from ensemble_ingest.storage.views import ViewRepository
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbound import outbound_client
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import Database
from ensemble_shared.storage.claims import Claims
from ensemble_shared.topics import MENTIONS
from ensemble_shared.web.app import Wiring

CLAIMS = "source_claims"
CLAIM_RESULTS = "source_claim_results"


@dataclass(frozen=True)
class Repositories:
    """Ingest's collections, each behind one repository."""

    mentions: MentionRepository
    raws: RawArchive
    sources: SourceRepository
    triage_settings: TriageSettingsRepository
    spikes: SpikeStore
    claims: Claims  # which replica reads which pulled source, per lease period
    views: ViewRepository

    @classmethod
    def on(cls, database: Database, outbox: Outbox, sealer: Sealer) -> Repositories:
        return cls(
            mentions=MentionRepository(database[mentions.COLLECTION], outbox),
            raws=RawArchive(database[raw.PAYLOADS], database[raw.OUTCOMES], database[raw.PENDING]),
            sources=SourceRepository(database[sources.SOURCES], database[sources.STATES], sealer),
            triage_settings=TriageSettingsRepository(database[triage.COLLECTION]),
            spikes=SpikeStore(database[spikes.OBSERVATIONS], database[spikes.SPIKES], outbox),
            claims=Claims(database[CLAIMS], database[CLAIM_RESULTS]),
            views=ViewRepository(database[views.COLLECTION]),
        )


@dataclass(frozen=True)
class Ingest:
    """One ingest process: its repositories and services, built once by `build`."""

    repositories: Repositories
    relay: OutboxRelay
    sources: SourceService
    triage: TriageProvider
    spikes: SpikeDetection
    pipeline: IngestPipeline
    raws: RawService
    webhooks: WebhookService
    inbox: InboxService
    views: ViewService
    pulls: PullRunner


def build(
    infra: Infrastructure, settings: IngestSettings, http: httpx.AsyncClient, *, owner: str
) -> Ingest:
    """The graph on this process's store and broker; `http` is lent to pulled connectors and
    `owner` names this replica in the claims on pulled sources."""
    publisher = EventPublisher(infra.broker, infra.topics, [MENTIONS])
    outbox = Outbox(publisher, infra.topics, infra.database)
    stored = Repositories.on(infra.database, outbox, settings.sealer())
    source_service = SourceService(stored.sources, settings.outbound)
    triage_provider = TriageProvider(stored.triage_settings, ttl=settings.triage_cache_seconds)
    spike_detection = SpikeDetection(
        stored.spikes,
        bucket=timedelta(seconds=settings.spike_bucket_seconds),
        window=settings.spike_window,
        k=settings.spike_k,
        min_count=settings.spike_min_count,
    )
    pipeline = IngestPipeline(
        raws=stored.raws,
        mentions=stored.mentions,
        triage=triage_provider,
        parse=parse_raw,
        observers=[spike_detection],
        complete=InstagramMentions(http).complete,
    )
    return Ingest(
        repositories=stored,
        relay=OutboxRelay.from_settings(outbox, publisher, settings),
        sources=source_service,
        triage=triage_provider,
        spikes=spike_detection,
        pipeline=pipeline,
        raws=RawService(stored.raws, pipeline, stored.sources),
        webhooks=WebhookService(source_service, pipeline, WEBHOOK_CONNECTORS),
        inbox=InboxService(stored.mentions),
        views=ViewService(stored.views),
        pulls=PullRunner(
            sources=stored.sources,
            pipeline=pipeline,
            claims=stored.claims,
            http=http,
            owner=owner,
            lease=timedelta(seconds=settings.pull_lease_seconds),
            poll_interval=settings.poll_interval_seconds,
        ),
    )


RESEAL_SECONDS = 3600.0
"""Sources' secrets are resealed under the first sealing key at start, then hourly."""


def loops(ingest: Ingest, settings: IngestSettings) -> list[Loop]:
    """What runs in the background: the outbox relay, the pulls, the re-drive sweep, spikes,
    resealing, and the one-off marking of workspaces that held mentions before markers."""

    async def pull() -> None:
        await ingest.pulls.run(every=settings.pull_scan_seconds)

    async def redrive() -> None:
        await repeat(
            lambda: ingest.raws.redrive(timedelta(seconds=settings.redrive_after_seconds)),
            every=settings.redrive_interval_seconds,
            what="raw re-drive",
        )

    async def evaluate_spikes() -> None:
        await repeat(
            ingest.spikes.evaluate_once,
            every=max(5.0, settings.spike_bucket_seconds / 4),
            what="spike evaluation",
        )

    async def reseal() -> None:
        await repeat(ingest.repositories.sources.reseal, every=RESEAL_SECONDS, what="resealing")

    async def mark_workspaces() -> None:
        # Once per database (a scan of the mentions), then one keyed read an hour.
        await repeat(
            ingest.repositories.mentions.mark_workspaces,
            every=RESEAL_SECONDS,
            what="marking the workspaces of stored mentions",
        )

    return [ingest.relay.run, pull, redrive, evaluate_spikes, reseal, mark_workspaces]


def wiring(settings: IngestSettings) -> Wiring:
    """The lifespan step: build the graph, subscribe, serve it to the routes (`app.state.ingest`)
    and start the loops; the HTTP client lent to connectors closes after them."""

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        async with outbound_client(settings.outbound, timeout=30, follow_redirects=True) as http:
            ingest = build(infra, settings, http, owner=f"{socket.gethostname()}:{new_id()}")
            kafka.register(infra, ingest.raws)
            app.state.ingest = ingest
            try:
                yield loops(ingest, settings)
            finally:
                ingest.pipeline.close()

    return wire
