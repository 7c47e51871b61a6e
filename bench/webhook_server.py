"""The baselines of the webhook benchmark, in a process started like ingest's:
- `/hook`: Starlette, the same validation and the same pipeline call as ingest's signed-webhook
  endpoint, nothing else (no FastAPI, no middleware, no source lookup in the store);
- `/batch`: a JSON array of mentions through `IngestPipeline.ingest_items` (the batched path
  pulled sources take);
- `/insert`: the same array stored with one `insert_many`, nothing else (the store's raw rate).
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.connectors.base import MentionChange, MentionUpsert, SignatureRefused
from ensemble_ingest.connectors.registry import WEBHOOK_CONNECTORS, parse_raw
from ensemble_ingest.models.mentions import GenericWebhook
from ensemble_ingest.models.raw import RawPayload
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


def _parse(source: Source, raw: RawPayload) -> list[MentionChange]:
    """Webhooks as ingest parses them; `/batch` items as generic webhooks' `data`."""
    if raw.kind == "item":
        return [MentionUpsert(mention=GenericWebhook.model_validate(raw.item).data)]
    return parse_raw(source, raw)


def create_app() -> Starlette:
    settings = IngestSettings()
    source = Source(
        id=os.environ["BENCH_SOURCE_ID"],
        workspace="bench",
        name="bench",
        config=GenericConfig(secrets=[os.environ["BENCH_SECRET"]]),
    )
    connector = WEBHOOK_CONNECTORS["generic"]
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with open_infrastructure(settings, service="bare") as infra:
            db = infra.database
            state["database"] = db
            outbox = Outbox(
                EventPublisher(infra.broker, infra.topics, [MENTIONS]), infra.topics, db
            )
            state["pipeline"] = IngestPipeline(
                raws=RawArchive(db["raw_payloads"], db["raw_outcomes"], db["raw_pending"]),
                mentions=MentionRepository(db["mentions"], outbox),
                triage=TriageProvider(TriageSettingsRepository(db["triage_settings"])),
                parse=_parse,
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

    async def batch(request: Request) -> Response:
        items = json.loads(await request.body())
        await state["pipeline"].ingest_items(source, items, correlation_id=new_id())
        return JSONResponse({"count": len(items)}, status_code=202)

    async def insert(request: Request) -> Response:
        items = json.loads(await request.body())
        await state["database"]["bench_raw"].insert_many(items, ordered=False)
        return JSONResponse({"count": len(items)}, status_code=202)

    return Starlette(
        routes=[
            Route("/hook", hook, methods=["POST"]),
            Route("/batch", batch, methods=["POST"]),
            Route("/insert", insert, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
