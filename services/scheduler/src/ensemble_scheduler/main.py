"""Scheduler's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.handlers import kafka
from ensemble_scheduler.handlers.http import router
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.storage import INDEXES, ReplyTargetRepository
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.web import create_service_app

VERSION = "0.1.0"


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        targets = ReplyTargetService(ReplyTargetRepository(infra.database["reply_targets"]))
        kafka.register(infra, targets)
        app.state.reply_targets = targets
        yield []

    return create_service_app(
        service="scheduler",
        version=VERSION,
        description="Internal collaboration: approvals with deadlines, the calendar, publishing.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[router],
    )
