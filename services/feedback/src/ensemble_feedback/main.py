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
from ensemble_feedback.handlers import submissions as submission_handlers
from ensemble_feedback.handlers.field_events import router as field_events_router
from ensemble_feedback.handlers.http import router as social_router
from ensemble_feedback.handlers.members import router as members_router
from ensemble_feedback.handlers.moderation import router as moderation_router
from ensemble_feedback.handlers.submissions import router as submissions_router
from ensemble_feedback.handlers.suggestions import router as suggestions_router
from ensemble_feedback.services.activity import ActivityService
from ensemble_feedback.services.field_events import FieldEventService
from ensemble_feedback.services.members import MemberService, SignedLinks
from ensemble_feedback.services.moderation import ModerationService
from ensemble_feedback.services.ratelimits import WriteLimiter
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.services.submissions import Ports, Repositories, SubmissionService
from ensemble_feedback.services.suggestions import SuggestionService
from ensemble_feedback.storage import INDEXES, SocialMentionRepository
from ensemble_feedback.storage import activity as activity_storage
from ensemble_feedback.storage import members as member_storage
from ensemble_feedback.storage import submissions as submission_storage
from ensemble_feedback.storage.activity import ActivityRepository
from ensemble_feedback.storage.field_events import FieldEventRepository
from ensemble_feedback.storage.members import (
    HandleRepository,
    MemberRepository,
    MergeLogRepository,
    SettingsRepository,
)
from ensemble_feedback.storage.moderation import DECISIONS, POSTINGS, QUEUE, ModerationRepository
from ensemble_feedback.storage.submissions import (
    CommentRepository,
    Decisions,
    FollowRepository,
    SubmissionRepository,
    VoteRepository,
)
from ensemble_feedback.storage.suggestions import SuggestionRepository
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.topics import FIELD_EVENTS, MEMBERS, SUBMISSIONS
from ensemble_shared.web import create_service_app

VERSION = "0.2.0"

ROUTERS: list[APIRouter] = [social_router]
# --- routers: members ---
ROUTERS.append(members_router)
# --- routers: submissions ---
ROUTERS.append(submissions_router)
# --- routers: moderation ---
ROUTERS.append(moderation_router)
# --- routers: field events ---
ROUTERS.append(field_events_router)
# --- routers: suggestions ---
ROUTERS.append(suggestions_router)


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
        members = MemberService(
            MemberRepository(db[member_storage.MEMBERS], outbox),
            HandleRepository(db[member_storage.HANDLES]),
            MergeLogRepository(db[member_storage.MERGES], outbox),
            SettingsRepository(db[member_storage.SETTINGS]),
            infra.tokens,
            SignedLinks(settings.auth.secret.get_secret_value()),
        )
        app.state.members = members  # the MemberDirectory other areas code against
        app.state.activity = ActivityService(
            ActivityRepository(db[activity_storage.COLLECTION]),
            SocialMentionRepository(db["social_mentions"]),
            members,
        )  # the ActivityLog
        # --- wire: moderation ---
        app.state.write_limiter = WriteLimiter(
            member_limits=settings.rate_limit_member_writes,
            ip_limits=settings.rate_limit_ip_writes,
            storage_uri=settings.rate_limit_storage,
            trusted_proxies=settings.trusted_proxies,
        )
        # Members come from "wire: members" above; the board sets `moderation.content` below.
        app.state.moderation = ModerationService(
            ModerationRepository(db[QUEUE], db[DECISIONS], db[POSTINGS]),
            app.state.members,
            auto_trust_after=settings.moderation_auto_trust_after,
            duplicate_window_seconds=settings.moderation_duplicate_window_seconds,
        )
        loops.append(
            lambda: repeat(
                app.state.moderation.forget_old_fingerprints,
                every=max(60.0, settings.moderation_duplicate_window_seconds / 2),
                what="fingerprint purge",
            )
        )
        # --- wire: submissions ---
        the_board = SubmissionService(
            Repositories(
                submissions=SubmissionRepository(
                    db[submission_storage.SUBMISSIONS], db[submission_storage.REVISIONS], outbox
                ),
                votes=VoteRepository(db[submission_storage.VOTES], outbox),
                comments=CommentRepository(db[submission_storage.COMMENTS], outbox),
                follows=FollowRepository(db[submission_storage.FOLLOWS]),
                decisions=Decisions(db[submission_storage.DECISIONS]),
            ),
            Ports(
                directory=app.state.members,
                activity=app.state.activity,
                moderator=app.state.moderation,
            ),
        )
        app.state.submissions = app.state.board = the_board  # Board for suggestions
        app.state.moderation.content = the_board  # HeldContent for moderation
        submission_handlers.register(infra, the_board)
        # --- wire: field events ---
        field_events = FieldEventService(
            FieldEventRepository(db, outbox), app.state.members, app.state.activity
        )
        app.state.field_events = field_events
        loops.append(field_events.run_followups)
        # --- wire: suggestions ---
        app.state.suggestions = SuggestionService(
            SuggestionRepository(db, outbox), app.state.board, app.state.members, app.state.activity
        )
        kafka.register_suggestions(infra, app.state.suggestions)
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
