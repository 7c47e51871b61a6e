"""Scheduler's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.handlers import kafka
from ensemble_scheduler.handlers.http import router
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.storage import INDEXES, ReplyTargetRepository
from ensemble_shared.kafka import RetryPolicy
from ensemble_shared.logs import configure_logging
from ensemble_shared.runtime import open_infrastructure
from ensemble_shared.web import install_common

VERSION = "0.1.0"


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()
    configure_logging("scheduler", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_infrastructure(settings, service="scheduler") as infra:
            targets = ReplyTargetService(ReplyTargetRepository(infra.database["reply_targets"]))
            kafka.register(
                infra.broker, infra.topics, targets, RetryPolicy.from_settings(settings.kafka)
            )
            app.state.infra = infra
            app.state.reply_targets = targets
            await infra.start(indexes=INDEXES)
            yield

    app = FastAPI(
        title="Ensemble scheduler",
        version=VERSION,
        description="Internal collaboration: approvals with deadlines, the calendar, publishing.",
        lifespan=lifespan,
    )
    install_common(app, http=settings.http, version=VERSION)
    app.include_router(router)
    return app
