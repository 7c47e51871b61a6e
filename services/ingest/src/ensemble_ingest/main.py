"""Ingest's app: `create_app()`; the object graph it runs is built in `wiring`."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import FastAPI

from ensemble_ingest.config import IngestSettings
from ensemble_ingest.handlers import views
from ensemble_ingest.handlers.http import router
from ensemble_ingest.models.mentions import GenericWebhook
from ensemble_ingest.storage import INDEXES
from ensemble_ingest.wiring import wiring
from ensemble_shared.web import create_service_app


def create_app(settings: IngestSettings | None = None) -> FastAPI:
    settings = settings or IngestSettings()
    return create_service_app(
        service="ingest",
        version=version("ensemble-ingest"),
        description=(
            "Social listening in: platform webhooks and pulled sources, raw archive, canonical "
            "mentions, triage, spikes, and the unified inbox."
        ),
        settings=settings,
        indexes=INDEXES,
        wire=wiring(settings),
        routers=[router, views.router],
        schemas=[GenericWebhook],
    )
