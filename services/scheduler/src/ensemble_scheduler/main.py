"""Scheduler's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.handlers import approvals as approval_routes
from ensemble_scheduler.handlers import content as content_routes
from ensemble_scheduler.handlers import kafka
from ensemble_scheduler.handlers.http import router
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.content import ContentService
from ensemble_scheduler.services.links import LinkSigner
from ensemble_scheduler.services.policies import PolicyService
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.storage import (
    INDEXES,
    ApprovalRepository,
    ContentRepository,
    PolicyRepository,
    ReplyTargetRepository,
)
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.storage.outbox import Outbox, OutboxRelay
from ensemble_shared.topics import APPROVALS, CONTENT
from ensemble_shared.web import create_service_app

VERSION = "0.2.0"


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "gone", "message": str(exc)}, status_code=410)


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        db = infra.database
        publisher = EventPublisher(infra.broker, infra.topics, [APPROVALS, CONTENT])
        outbox = Outbox(publisher, infra.topics, db)
        targets = ReplyTargetService(
            ReplyTargetRepository(db["reply_targets"], db["mention_triage"])
        )
        kafka.register(infra, targets)
        content_repository = ContentRepository(
            db["content_versions"], db["content_comments"], outbox
        )
        approvals = ApprovalService(
            ApprovalRepository(
                db["approvals"],
                db["approval_decisions"],
                db["approval_outcomes"],
                db["approval_notices"],
                db["approval_link_uses"],
                outbox,
            ),
            content_repository,
            PolicyRepository(db["approval_policies"]),
            targets,
            signer=LinkSigner(settings.auth.secret.get_secret_value()),
            public_url=settings.public_url,
            link_ttl=timedelta(hours=settings.approval_link_ttl_hours),
        )
        app.state.reply_targets = targets
        app.state.approvals = approvals
        app.state.policies = PolicyService(PolicyRepository(db["approval_policies"]))
        app.state.content = ContentService(content_repository, approvals, targets)
        yield [OutboxRelay.from_settings(outbox, publisher, settings).run]

    app = create_service_app(
        service="scheduler",
        version=VERSION,
        description="Internal collaboration: approvals with deadlines, the calendar, publishing.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[router, content_routes.router, approval_routes.router],
    )
    app.add_exception_handler(Gone, _gone)
    return app
