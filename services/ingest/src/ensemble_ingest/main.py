"""Ingest's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.handlers.http import router
from ensemble_ingest.models.mentions import GenericWebhook
from ensemble_ingest.services.mentions import MentionService
from ensemble_ingest.services.sources import SourceService
from ensemble_ingest.storage import INDEXES, MentionRepository, SourceRepository
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.storage.outbox import Outbox, OutboxRelay
from ensemble_shared.topics import MENTIONS
from ensemble_shared.web import create_service_app

VERSION = "0.1.0"


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        publisher = EventPublisher(infra.broker, infra.topics, [MENTIONS])
        outbox = Outbox(publisher, infra.topics, infra.database)
        relay = OutboxRelay.from_settings(outbox, publisher, settings)
        app.state.sources = SourceService(SourceRepository(infra.database["sources"]))
        app.state.mentions = MentionService(MentionRepository(infra.database["mentions"], outbox))
        yield [relay.run]

    return create_service_app(
        service="ingest",
        version=VERSION,
        description="Social mentions in: signed webhooks, canonical mentions, deduplication.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[router],
        schemas=[GenericWebhook],
    )
