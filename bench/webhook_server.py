"""The bare baseline for the webhook benchmark: Starlette, one route, the same validation and
the same pipeline call as ingest's signed-webhook endpoint, nothing else (no FastAPI, no
middleware, no source lookup in the store)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.connectors.base import SignatureRefused
from ensemble_ingest.connectors.registry import WEBHOOK_CONNECTORS, parse_raw
from ensemble_ingest.models.sources import GenericConfig, Source
from ensemble_ingest.services.pipeline import IngestPipeline, PayloadRejected
from ensemble_ingest.services.triage import TriageProvider
from ensemble_ingest.storage import INDEXES, MentionRepository, RawArchive
from ensemble_ingest.storage.triage import TriageSettingsRepository
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox
from ensemble_shared.runtime import open_infrastructure
from ensemble_shared.topics import MENTIONS


def create_app() -> Starlette:
    settings = IngestSettings()
    source = Source(
        id=os.environ["BENCH_SOURCE_ID"],
        workspace="bench",
        name="bench",
        config=GenericConfig(secrets=[os.environ["BENCH_SECRET"]]),
    )
    connector = WEBHOOK_CONNECTORS["generic"]
    state: dict[str, IngestPipeline] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_infrastructure(settings, service="bare") as infra:
            db = infra.database
            outbox = Outbox(
                EventPublisher(infra.broker, infra.topics, [MENTIONS]), infra.topics, db
            )
            state["pipeline"] = IngestPipeline(
                raws=RawArchive(db["raw_payloads"], db["raw_outcomes"], db["raw_pending"]),
                mentions=MentionRepository(db["mentions"], outbox),
                triage=TriageProvider(TriageSettingsRepository(db["triage_settings"])),
                parse=parse_raw,
            )
            await infra.start(indexes=INDEXES)
            yield

    async def hook(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            connector.verify(source.config, headers, body, utcnow())
        except SignatureRefused as exc:
            return JSONResponse({"error": str(exc)}, status_code=401)
        try:
            received = await state["pipeline"].receive_webhook(
                source, connector, headers, body, correlation_id=new_id()
            )
        except PayloadRejected as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
        return JSONResponse({"raw_id": received.raw_id}, status_code=202)

    return Starlette(routes=[Route("/hook", hook, methods=["POST"])], lifespan=lifespan)
