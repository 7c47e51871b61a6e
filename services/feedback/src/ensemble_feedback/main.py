"""Feedback's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.handlers import kafka
from ensemble_feedback.handlers.http import router
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.storage import INDEXES, SocialMentionRepository
from ensemble_shared.kafka import RetryPolicy
from ensemble_shared.logs import configure_logging
from ensemble_shared.runtime import open_infrastructure
from ensemble_shared.web import install_common

VERSION = "0.1.0"


def create_app(settings: FeedbackSettings | None = None) -> FastAPI:
    settings = settings or FeedbackSettings()
    configure_logging("feedback", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_infrastructure(settings, service="feedback") as infra:
            social = SocialMentionService(
                SocialMentionRepository(infra.database["social_mentions"])
            )
            kafka.register(
                infra.broker, infra.topics, social, RetryPolicy.from_settings(settings.kafka)
            )
            app.state.infra = infra
            app.state.social = social
            await infra.start(indexes=INDEXES)
            yield

    app = FastAPI(
        title="Ensemble feedback",
        version=VERSION,
        description="The community side: members, submissions, votes, moderation, field events.",
        lifespan=lifespan,
    )
    install_common(app, http=settings.http, version=VERSION)
    app.include_router(router)
    return app
