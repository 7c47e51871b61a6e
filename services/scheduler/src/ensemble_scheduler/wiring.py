"""Scheduler's composition root: every repository and service built once, in dependency order,
each handed its collaborators through its constructor.

The order breaks what would be cycles: the deadline planner (the workflow's `StepClock`) needs
no workflow, so the workflow is built on it; the deadline timers need the workflow and the
calendar, so they come after both. Crisis mode comes before publishing, which asks it whether
a hold keeps an item back; the jobs come last, since one of them runs publishing's check.
Services that handle timers register their kinds when built, before the timer loop starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

import httpx
from fastapi import FastAPI

from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.connectors.bluesky import BlueskyConnector
from ensemble_scheduler.connectors.facebook import FacebookConnector
from ensemble_scheduler.connectors.github import GitHubConnector
from ensemble_scheduler.connectors.instagram import InstagramConnector
from ensemble_scheduler.connectors.linkedin import LinkedInConnector
from ensemble_scheduler.connectors.mastodon import MastodonConnector
from ensemble_scheduler.connectors.oauth import OAuthCalls
from ensemble_scheduler.connectors.slack import SlackConnector
from ensemble_scheduler.connectors.webhook import WebhookConnector
from ensemble_scheduler.connectors.x import XConnector
from ensemble_scheduler.connectors.youtube import YouTubeConnector
from ensemble_scheduler.handlers import kafka
from ensemble_scheduler.services.accounts import ChannelAccountService
from ensemble_scheduler.services.answers import AnswerService
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.awaiting import AwaitingService
from ensemble_scheduler.services.calendar import CalendarService
from ensemble_scheduler.services.connections import ConnectionService
from ensemble_scheduler.services.content import ContentService
from ensemble_scheduler.services.crisis import CrisisService
from ensemble_scheduler.services.deadline_plans import DeadlinePlanner
from ensemble_scheduler.services.deadlines import DeadlineService
from ensemble_scheduler.services.feeds import FeedLinks, FeedSigner
from ensemble_scheduler.services.jobs import JobService
from ensemble_scheduler.services.link_decisions import LinkDecisionService
from ensemble_scheduler.services.links import ApprovalLinks, LinkSigner
from ensemble_scheduler.services.open_steps import IndexedClock
from ensemble_scheduler.services.policies import PolicyService
from ensemble_scheduler.services.post_checks import PostChecker
from ensemble_scheduler.services.publishing import PublishingService
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_scheduler.services.reply_release import ReplyRelease
from ensemble_scheduler.services.timers import TimerService
from ensemble_scheduler.services.tokens import TokenKeeper, fresh_tokens
from ensemble_scheduler.storage import (
    AnswerTemplateRepository,
    ApprovalRepository,
    CalendarRepository,
    ChannelAccountRepository,
    ConnectionRepository,
    ContentRepository,
    CrisisRepository,
    DeadlineRepository,
    FeedLinkRepository,
    JobRepository,
    OpenStepRepository,
    PolicyRepository,
    PublicationRepository,
    ReplyTargetRepository,
    TimerRepository,
)
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbound import outbound_client
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop
from ensemble_shared.storage import Database
from ensemble_shared.topics import APPROVALS, CONTENT, SCHEDULES


@dataclass(frozen=True)
class Scheduler:
    """Every service of one scheduler process (route handlers reach them by name)."""

    timers: TimerService
    reply_targets: ReplyTargetService
    policies: PolicyService
    approvals: ApprovalService
    awaiting: AwaitingService
    link_decisions: LinkDecisionService
    deadlines: DeadlineService
    content: ContentService
    calendar: CalendarService
    feeds: FeedLinks
    accounts: ChannelAccountService
    crisis: CrisisService
    publishing: PublishingService
    answers: AnswerService
    jobs: JobService
    replies: ReplyRelease
    connections: ConnectionService
    tokens: TokenKeeper


def build(
    db: Database, outbox: Outbox, settings: SchedulerSettings, http: httpx.AsyncClient
) -> Scheduler:
    secret = settings.secret_key.get_secret_value()
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
    policy_records = PolicyRepository(db["approval_policies"])
    approval_records = ApprovalRepository(
        db["approvals"],
        db["approval_decisions"],
        db["approval_outcomes"],
        db["approval_notices"],
        outbox,
    )
    deadline_records = DeadlineRepository(
        db["approval_deadlines"],
        db["approval_deadline_notices"],
        db["approval_escalations"],
        outbox,
    )
    content_records = ContentRepository(db["content_versions"], db["content_comments"], outbox)
    calendar_records = CalendarRepository(
        db["calendar_plans"], db["schedule_entries"], db["slot_claims"], outbox
    )
    publications = PublicationRepository(
        db["publication_attempts"],
        db["publication_outcomes"],
        db["publications"],
        db["publication_gate_failures"],
        outbox,
    )
    crisis_records = CrisisRepository(
        db["crises"], db["schedule_holds"], db["schedule_releases"], outbox
    )
    account_records = ChannelAccountRepository(db["publishing_accounts"], outbox, settings.sealer())
    connections, tokens = _oauth(db, settings, account_records, http)

    reply_targets = ReplyTargetService(
        ReplyTargetRepository(db["reply_targets"], db["mention_triage"])
    )
    signer = LinkSigner(secret)
    open_steps = OpenStepRepository(db["approval_open_steps"], db["approval_open_steps_built"])
    approvals = ApprovalService(
        approval_records,
        content_records,
        policy_records,
        reply_targets,
        links=ApprovalLinks(
            signer,
            console_url=settings.console_url,
            ttl=timedelta(hours=settings.approval_link_ttl_hours),
        ),
        clock=IndexedClock(DeadlinePlanner(deadline_records, policy_records, timers), open_steps),
        checks=PostChecker(account_records, http),
    )
    content = ContentService(content_records, approvals, reply_targets)
    feeds = FeedLinks(
        FeedLinkRepository(db["calendar_feed_links"], db["calendar_feed_revocations"]),
        FeedSigner(secret),
        public_url=settings.public_url,
        ttl=timedelta(days=settings.calendar_feed_ttl_days),
    )
    calendar = CalendarService(
        calendar_records,
        publications,
        crisis_records,
        content,
        timers,
        feeds=feeds,
        public_url=settings.public_url,
    )
    crisis = CrisisService(
        crisis_records,
        publications,
        calendar_records,
        calendar,
        approvals,
        policy_records,
        teams=settings.crisis_teams,
    )
    publishing = PublishingService(
        publications,
        account_records,
        calendar_records,
        content_records,
        approvals,
        reply_targets,
        crisis,
        fresh_tokens(
            tokens,
            {
                "mastodon": MastodonConnector(http),
                "bluesky": BlueskyConnector(http),
                "github": GitHubConnector(http),
                "slack": SlackConnector(http),
                "facebook": FacebookConnector(http),
                "instagram": InstagramConnector(http),
                "x": XConnector(http),
                "linkedin": LinkedInConnector(http),
                "youtube": YouTubeConnector(http),
                "webhook": WebhookConnector(http),
            },
        ),
        timers,
        settle_after=timedelta(seconds=settings.publish_settle_seconds),
    )
    return Scheduler(
        timers=timers,
        reply_targets=reply_targets,
        policies=PolicyService(policy_records),
        approvals=approvals,
        awaiting=AwaitingService(open_steps, approvals, approval_records),
        link_decisions=LinkDecisionService(approvals, approval_records, content_records, signer),
        deadlines=DeadlineService(deadline_records, approvals, calendar, timers),
        content=content,
        calendar=calendar,
        feeds=feeds,
        accounts=ChannelAccountService(account_records, settings.outbound),
        crisis=crisis,
        publishing=publishing,
        answers=AnswerService(
            AnswerTemplateRepository(db["answer_templates"], outbox),
            content,
            approvals,
            languages=[settings.answer_language],
        ),
        jobs=JobService(
            JobRepository(db["jobs"], db["job_runs"], outbox),
            timers,
            checks={"publishing.stuck_check": publishing.stuck_check},
        ),
        replies=ReplyRelease(content_records, calendar),
        connections=connections,
        tokens=tokens,
    )


def _oauth(
    db: Database,
    settings: SchedulerSettings,
    accounts: ChannelAccountRepository,
    http: httpx.AsyncClient,
) -> tuple[ConnectionService, TokenKeeper]:
    """Connecting accounts with OAuth, and keeping their tokens fresh (`services/tokens.py`)."""
    records = ConnectionRepository(
        db["oauth_connections"],
        db["oauth_exchanges"],
        db["oauth_uses"],
        db["oauth_refresh_claims"],
        settings.sealer(),
    )
    calls = {
        platform: OAuthCalls(
            client.client(platform), settings.outbound, settings.publish_http_timeout_seconds
        )
        for platform, client in settings.oauth.items()
    }
    connections = ConnectionService(
        records,
        accounts,
        calls,
        http,
        redirect_uri=settings.console_url.rstrip("/") + "/oauth/callback",
        ttl=timedelta(minutes=settings.oauth_connect_minutes),
    )
    keeper = TokenKeeper(
        accounts, records, calls, margin=timedelta(seconds=settings.oauth_refresh_margin_seconds)
    )
    return connections, keeper


@asynccontextmanager
async def wire(
    app: FastAPI, infra: Infrastructure, *, settings: SchedulerSettings
) -> AsyncIterator[Sequence[Loop]]:
    """The lifespan's part of the scheduler: build it on the process's clients, subscribe it,
    and hand back its background loops (the outbox relay, the timers)."""
    publisher = EventPublisher(infra.broker, infra.topics, [APPROVALS, CONTENT, SCHEDULES])
    outbox = Outbox(publisher, infra.topics, infra.database)
    async with outbound_client(
        settings.outbound, timeout=settings.publish_http_timeout_seconds, follow_redirects=False
    ) as http:
        scheduler = build(infra.database, outbox, settings, http)
        kafka.register(
            infra,
            reply_targets=scheduler.reply_targets.record,
            spikes=scheduler.crisis.on_mentions,
            crisis_approvals=scheduler.crisis.on_approvals,
            roadmap_moves=scheduler.answers.on_submissions,
            approved_replies=scheduler.replies.on_approvals,
        )
        app.state.scheduler = scheduler
        await scheduler.awaiting.index_existing()
        sweep = partial(
            scheduler.tokens.run,
            timedelta(seconds=settings.oauth_sweep_seconds),
            timedelta(days=settings.oauth_idle_refresh_days),
        )
        yield [
            OutboxRelay.from_settings(outbox, publisher, settings).run,
            scheduler.timers.run,
            sweep,
        ]
