"""Scheduler's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.connectors.mastodon import MastodonConnector
from ensemble_scheduler.connectors.webhook import WebhookConnector
from ensemble_scheduler.exceptions import Gone
from ensemble_scheduler.handlers import approvals as approval_routes
from ensemble_scheduler.handlers import calendar as calendar_routes
from ensemble_scheduler.handlers import content as content_routes
from ensemble_scheduler.handlers import jobs as job_routes
from ensemble_scheduler.handlers import kafka
from ensemble_scheduler.handlers import publishing as publishing_routes
from ensemble_scheduler.handlers import timers as timer_routes
from ensemble_scheduler.handlers.http import router
from ensemble_scheduler.models.publishing import ReleaseResult
from ensemble_scheduler.services.answers import AnswerService
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.calendar import PUBLISH, CalendarService, FeedSigner
from ensemble_scheduler.services.content import ContentService
from ensemble_scheduler.services.crisis import CrisisService
from ensemble_scheduler.services.deadlines import DeadlineService
from ensemble_scheduler.services.jobs import JobService
from ensemble_scheduler.services.links import LinkSigner
from ensemble_scheduler.services.policies import PolicyService
from ensemble_scheduler.services.publishing import PublishingService
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.timers import TimerService
from ensemble_scheduler.storage import (
    INDEXES,
    ApprovalRepository,
    CalendarRepository,
    ContentRepository,
    DeadlineRepository,
    JobRepository,
    PolicyRepository,
    PublicationRepository,
    ReplyTargetRepository,
    TimerRepository,
)
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.topics import APPROVALS, CONTENT, SCHEDULES
from ensemble_shared.web import create_service_app

log = logging.getLogger(__name__)

VERSION = "0.2.0"


async def _gone(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "gone", "message": str(exc)}, status_code=410)


async def _outcome(result: Awaitable[ReleaseResult]) -> str:
    return (await result).outcome


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        db = infra.database
        publisher = EventPublisher(infra.broker, infra.topics, [APPROVALS, CONTENT, SCHEDULES])
        outbox = Outbox(publisher, infra.topics, db)
        # --- wire: timers, deadlines, jobs ---
        timers = TimerService(
            TimerRepository(
                db["timers"], db["timer_claims"], db["timer_results"], db["timer_cancellations"]
            ),
            lease=timedelta(seconds=settings.timer_lease_seconds),
            poll_seconds=settings.timer_poll_seconds,
            batch=settings.timer_batch,
            concurrency=settings.timer_concurrency,
            max_attempts=settings.timer_max_attempts,
        )
        deadlines = DeadlineService(
            DeadlineRepository(
                db["approval_deadlines"],
                db["approval_deadline_notices"],
                db["approval_escalations"],
                outbox,
            ),
            PolicyRepository(db["approval_policies"]),
            timers,
        )
        jobs = JobService(JobRepository(db["jobs"], db["job_runs"], outbox), timers)
        app.state.timers, app.state.deadlines, app.state.jobs = timers, deadlines, jobs
        # --- end wire: timers, deadlines, jobs ---
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
            clock=deadlines,
        )
        deadlines.bind(approvals)
        app.state.reply_targets = targets
        app.state.approvals = approvals
        app.state.policies = PolicyService(PolicyRepository(db["approval_policies"]))
        app.state.content = ContentService(content_repository, approvals, targets)
        # --- wire: calendar, publishing, crisis, answers ---
        http = httpx.AsyncClient(
            timeout=settings.publish_http_timeout_seconds, follow_redirects=False
        )
        approval_records = ApprovalRepository(
            db["approvals"],
            db["approval_decisions"],
            db["approval_outcomes"],
            db["approval_notices"],
            db["approval_link_uses"],
            outbox,
        )
        calendar_repository = CalendarRepository(
            db["calendar_plans"], db["schedule_entries"], db["slot_claims"], outbox
        )
        publications = PublicationRepository(db, outbox)
        calendar = CalendarService(
            calendar_repository,
            publications,
            app.state.content,
            timers,
            feeds=FeedSigner(settings.auth.secret.get_secret_value()),
            public_url=settings.public_url,
            feed_ttl=timedelta(days=settings.calendar_feed_ttl_days),
        )
        settle_after = timedelta(seconds=settings.publish_settle_seconds)
        publishing = PublishingService(
            publications,
            calendar_repository,
            content_repository,
            approvals,
            targets,
            {"mastodon": MastodonConnector(http), "webhook": WebhookConnector(http)},
            settle_after=settle_after,
        )
        crisis = CrisisService(
            publications,
            calendar_repository,
            calendar,
            approval_records,
            approvals,
            teams=settings.crisis_teams,
        )
        publishing.release_check = lambda hold: _outcome(crisis.settle_hold(hold, by="approval"))

        async def stuck_check(workspace: str, scheduled_for: datetime) -> None:
            # attempts in flight past the settle time are settled by asking the platform
            settled = await publishing.reconcile_stuck(settle_after)
            log.info("stuck-publishing check (%s): %s", workspace, settled or "nothing stuck")

        jobs.register("publishing.stuck_check", stuck_check)
        answers = AnswerService(
            publications,
            content_repository,
            app.state.content,
            approval_records,
            approvals,
            languages=[settings.answer_language],
        )
        timers.on(PUBLISH, publishing.fire)
        kafka.register_publishing(
            infra, on_mentions=crisis.on_mentions, on_submissions=answers.on_submissions
        )
        app.state.calendar, app.state.slot_finder = calendar, calendar.finder
        app.state.publishing, app.state.crisis, app.state.answers = publishing, crisis, answers
        # --- end wire: calendar, publishing, crisis, answers ---
        deadlines.use_reslotter(calendar)  # wire: timers — a missed slot re-slots here
        try:
            yield [OutboxRelay.from_settings(outbox, publisher, settings).run, timers.run]
        finally:
            await http.aclose()

    app = create_service_app(
        service="scheduler",
        version=VERSION,
        description="Internal collaboration: approvals with deadlines, the calendar, publishing.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[
            router,
            content_routes.router,
            approval_routes.router,
            calendar_routes.router,
            publishing_routes.router,
            timer_routes.router,
            job_routes.router,
        ],
    )
    app.add_exception_handler(Gone, _gone)
    return app
