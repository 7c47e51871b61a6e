"""Feedback's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.handlers import kafka
from ensemble_feedback.handlers.http import router
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.storage import INDEXES, SocialMentionRepository
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.web import create_service_app

VERSION = "0.1.0"


def create_app(settings: FeedbackSettings | None = None) -> FastAPI:
    settings = settings or FeedbackSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        social = SocialMentionService(SocialMentionRepository(infra.database["social_mentions"]))
        kafka.register(infra, social)
        app.state.social = social
        yield []

    return create_service_app(
        service="feedback",
        version=VERSION,
        description="The community side: members, submissions, votes, moderation, field events.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[router],
    )
