"""Ingest's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.handlers.http import router
from ensemble_ingest.models.mentions import GenericWebhook
from ensemble_ingest.services.mentions import MentionService
from ensemble_ingest.services.sources import SourceService
from ensemble_ingest.storage import INDEXES, MentionRepository, SourceRepository
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.logs import configure_logging
from ensemble_shared.runtime import open_infrastructure
from ensemble_shared.storage.outbox import Outbox, OutboxRelay
from ensemble_shared.topics import MENTIONS
from ensemble_shared.web import install_common
from ensemble_shared.web.openapi import include_schemas

VERSION = "0.1.0"


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    configure_logging("ingest", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_infrastructure(settings, service="ingest") as infra:
            publisher = EventPublisher(infra.broker, infra.topics, [MENTIONS])
            outbox = Outbox(publisher, infra.topics, infra.database)
            mentions = MentionRepository(infra.database["mentions"], outbox)
            relay = OutboxRelay(
                outbox,
                publisher,
                grace=timedelta(seconds=settings.outbox_grace_seconds),
                interval=settings.outbox_interval_seconds,
            )
            app.state.infra = infra
            app.state.sources = SourceService(SourceRepository(infra.database["sources"]))
            app.state.mentions = MentionService(mentions)
            await infra.start(indexes=INDEXES, background=[relay.run])
            yield

    app = FastAPI(
        title="Ensemble ingest",
        version=VERSION,
        description="Social mentions in: signed webhooks, canonical mentions, deduplication.",
        lifespan=lifespan,
    )
    install_common(app, http=settings.http, version=VERSION)
    app.include_router(router)
    include_schemas(app, GenericWebhook)
    return app
