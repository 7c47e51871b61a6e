"""Ingest's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.connectors.registry import WEBHOOK_CONNECTORS, parse_raw
from ensemble_ingest.handlers import kafka
from ensemble_ingest.handlers.http import router
from ensemble_ingest.models.mentions import GenericWebhook
from ensemble_ingest.services.inbox import InboxService
from ensemble_ingest.services.pipeline import IngestPipeline
from ensemble_ingest.services.pulling import PullRunner
from ensemble_ingest.services.raw import RawService
from ensemble_ingest.services.sources import SourceService
from ensemble_ingest.services.spikes import SpikeDetection
from ensemble_ingest.services.triage import TriageProvider
from ensemble_ingest.services.webhooks import WebhookService
from ensemble_ingest.storage import INDEXES, MentionRepository, RawArchive, SourceRepository
from ensemble_ingest.storage.spikes import SpikeStore
from ensemble_ingest.storage.triage import TriageSettingsRepository
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.storage.claims import Claims
from ensemble_shared.topics import MENTIONS
from ensemble_shared.web import create_service_app

VERSION = "0.2.0"


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        db = infra.database
        owner = f"{socket.gethostname()}:{new_id()}"
        publisher = EventPublisher(infra.broker, infra.topics, [MENTIONS])
        outbox = Outbox(publisher, infra.topics, db)
        mentions = MentionRepository(db["mentions"], outbox)
        raws = RawArchive(db["raw_payloads"], db["raw_outcomes"], db["raw_pending"])
        source_repository = SourceRepository(db["sources"], db["source_states"])
        sources = SourceService(source_repository)
        triage = TriageProvider(
            TriageSettingsRepository(db["triage_settings"]), ttl=settings.triage_cache_seconds
        )
        spikes = SpikeDetection(
            SpikeStore(db["spike_observations"], db["spikes"], outbox),
            bucket=timedelta(seconds=settings.spike_bucket_seconds),
            window=settings.spike_window,
            k=settings.spike_k,
            min_count=settings.spike_min_count,
        )
        pipeline = IngestPipeline(
            raws=raws, mentions=mentions, triage=triage, parse=parse_raw, observers=[spikes]
        )
        raw_service = RawService(raws, pipeline, source_repository)
        kafka.register(infra, raw_service)
        app.state.sources = sources
        app.state.webhooks = WebhookService(sources, pipeline, WEBHOOK_CONNECTORS)
        app.state.inbox = InboxService(mentions)
        app.state.raws = raw_service
        app.state.triage = triage
        async with httpx.AsyncClient(timeout=30, follow_redirects=True) as http:
            runner = PullRunner(
                sources=source_repository,
                pipeline=pipeline,
                claims=Claims(db["source_claims"], db["source_claim_results"]),
                http=http,
                owner=owner,
                lease=timedelta(seconds=settings.pull_lease_seconds),
                poll_interval=settings.poll_interval_seconds,
            )

            async def pull() -> None:
                await runner.run(every=settings.pull_scan_seconds)

            async def redrive() -> None:
                await repeat(
                    lambda: raw_service.redrive(timedelta(seconds=settings.redrive_after_seconds)),
                    every=settings.redrive_interval_seconds,
                    what="raw re-drive",
                )

            async def evaluate_spikes() -> None:
                await repeat(
                    spikes.evaluate_once,
                    every=max(5.0, settings.spike_bucket_seconds / 4),
                    what="spike evaluation",
                )

            yield [
                OutboxRelay.from_settings(outbox, publisher, settings).run,
                pull,
                redrive,
                evaluate_spikes,
            ]

    return create_service_app(
        service="ingest",
        version=VERSION,
        description=(
            "Social listening in: platform webhooks and pulled sources, raw archive, canonical "
            "mentions, triage, spikes, and the unified inbox."
        ),
        settings=settings,
        indexes={**INDEXES, **SpikeStore.INDEXES},
        wire=wire,
        routers=[router],
        schemas=[GenericWebhook],
    )
