"""Feedback's composition root: `create_app()` wires settings, clients, services and routes.

Each area (members, submissions, moderation, field events, suggestions) wires itself in its
own block below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from ensemble_feedback.config import FeedbackSettings
from ensemble_feedback.handlers import kafka
from ensemble_feedback.handlers.http import router as social_router
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.storage import INDEXES, SocialMentionRepository
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.storage.outbox import Outbox, OutboxRelay
from ensemble_shared.topics import FIELD_EVENTS, MEMBERS, SUBMISSIONS
from ensemble_shared.web import create_service_app

VERSION = "0.2.0"

ROUTERS: list[APIRouter] = [social_router]
# --- routers: members ---
# --- routers: submissions ---
# --- routers: moderation ---
# --- routers: field events ---
# --- routers: suggestions ---


def create_app(settings: FeedbackSettings | None = None) -> FastAPI:
    settings = settings or FeedbackSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        db = infra.database
        publisher = EventPublisher(infra.broker, infra.topics, [SUBMISSIONS, MEMBERS, FIELD_EVENTS])
        outbox = Outbox(publisher, infra.topics, db)
        loops: list[Loop] = [OutboxRelay.from_settings(outbox, publisher, settings).run]
        social = SocialMentionService(SocialMentionRepository(db["social_mentions"]))
        kafka.register(infra, social)
        app.state.social = social
        # --- wire: members ---
        # --- wire: moderation ---
        # --- wire: submissions ---
        # --- wire: field events ---
        # --- wire: suggestions ---
        yield loops

    return create_service_app(
        service="feedback",
        version=VERSION,
        description="The community side: members, submissions, votes, moderation, field events.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=ROUTERS,
    )
