"""Insights' composition root: `create_app()` wires settings, clients, the projection and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version
from typing import Any

from fastapi import FastAPI

from ensemble_insights.config import InsightsSettings
from ensemble_insights.handlers import admin, http, kafka, reports
from ensemble_insights.handlers.kafka import Accept
from ensemble_insights.runtime import Runner
from ensemble_shared import outbox as outbox_module
from ensemble_shared.kafka import EventPublisher, RetryPolicy
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.topics import INSIGHTS
from ensemble_shared.web import create_service_app


def create_app(settings: InsightsSettings | None = None) -> FastAPI:
    settings = settings or InsightsSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        publisher = EventPublisher(infra.broker, infra.topics, [INSIGHTS])
        outbox = Outbox(publisher, infra.topics, infra.database)
        retry = RetryPolicy.from_settings(settings.kafka)

        def subscribe(generation: int, accept: Accept) -> list[Any]:
            return kafka.register(
                infra.broker,
                infra.topics,
                generation=generation,
                accept=accept,
                retry=retry,
                max_records=settings.kafka.max_records,
            )

        runner = Runner(infra, settings, infra.client[settings.log_database], outbox, subscribe)
        await runner.prepare()
        app.state.runner = runner
        try:
            yield [
                runner.fold,
                runner.watch,
                runner.reports_due,
                OutboxRelay.from_settings(outbox, publisher, settings).run,
            ]
        finally:
            await runner.close()

    return create_service_app(
        service="insights",
        version=version("ensemble-insights"),
        description="Analytics rebuilt from the event history: series, breakdowns, reports.",
        settings=settings,
        indexes=dict(outbox_module.INDEXES),
        wire=wire,
        routers=[http.router, admin.router, reports.router],
    )
