"""Feedback's app: `create_app()` builds the services once at start-up (wiring.py), subscribes
them to Kafka and mounts the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.metadata import version

from fastapi import FastAPI

from ensemble_feedback import wiring
from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.handlers import (
    field_events,
    kafka,
    members,
    moderation,
    public_board,
    public_field_events,
    social,
    submissions,
    suggestions,
)
from ensemble_feedback.storage import INDEXES
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.web import create_service_app

ROUTERS = [
    social.router,
    members.router,
    submissions.router,
    public_board.router,
    moderation.router,
    field_events.router,
    public_field_events.router,
    suggestions.router,
]


def create_app(settings: FeedbackSettings | None = None) -> FastAPI:
    settings = settings or FeedbackSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        services = wiring.build(infra, settings)
        kafka.subscribe(infra, services)
        app.state.services = services
        yield services.loops

    return create_service_app(
        service="feedback",
        version=version("ensemble-feedback"),
        description="The community side: members, submissions, votes, moderation, field events.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=ROUTERS,
    )
