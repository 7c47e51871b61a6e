"""Notify's composition root: `create_app()` wires settings, clients, services and routes."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta

import httpx
from fastapi import FastAPI

from ensemble_notify.channels.base import Channel
from ensemble_notify.channels.chat import ChatChannel
from ensemble_notify.channels.email import EmailChannel, SmtpConfig
from ensemble_notify.channels.in_app import InAppChannel
from ensemble_notify.channels.templates import Templates
from ensemble_notify.channels.webhook import WebhookSender
from ensemble_notify.config import NotifySettings
from ensemble_notify.handlers import inbox as inbox_http
from ensemble_notify.handlers import kafka
from ensemble_notify.handlers import preferences as preferences_http
from ensemble_notify.handlers import replay as replay_http
from ensemble_notify.handlers import routing as routing_http
from ensemble_notify.handlers.http import router
from ensemble_notify.models.breaker import BreakerSettings
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.services.breaker import Breakers
from ensemble_notify.services.deliveries import DeliveryService
from ensemble_notify.services.digests import DigestService
from ensemble_notify.services.endpoints import EndpointService
from ensemble_notify.services.inbox import InboxFeed, InboxService
from ensemble_notify.services.log import DeliveryLog
from ensemble_notify.services.members import MemberDirectory
from ensemble_notify.services.people import Directory
from ensemble_notify.services.policy import DeliveryPolicy
from ensemble_notify.services.preferences import AttentionBudget, PreferenceService
from ensemble_notify.services.recipients import RoutedRecipients
from ensemble_notify.services.replay import ReplayService
from ensemble_notify.services.routing_rules import RoutingRuleService
from ensemble_notify.services.teams import Teams
from ensemble_notify.services.unsubscribe import UnsubscribeLinks, UnsubscribeService
from ensemble_notify.storage import (
    INDEXES,
    AttemptLog,
    BreakerLog,
    DeliveryQueue,
    DeliveryRepository,
    EndpointRepository,
    HeldRepository,
    InboxRepository,
    MemberRepository,
    PeopleRepository,
    PreferenceRepository,
    ReplayRepository,
    RoutingRepository,
    TeamRepository,
)
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.topics import NOTIFICATIONS
from ensemble_shared.web import create_service_app

VERSION = "0.1.0"


def smtp_config(settings: NotifySettings) -> SmtpConfig:
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return SmtpConfig(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.email_from,
        message_id_domain=settings.message_id_domain,
        username=settings.smtp_username,
        password=password,
        start_tls={"auto": None, "starttls": True, "tls": False, "none": False}[
            settings.smtp_security
        ],
        use_tls=settings.smtp_security == "tls",
        timeout=settings.smtp_timeout_seconds,
    )


def breaker_settings(settings: NotifySettings) -> BreakerSettings:
    return BreakerSettings(
        failure_threshold=settings.breaker_failure_threshold,
        window=settings.breaker_window,
        failure_rate=settings.breaker_failure_rate,
        min_calls=settings.breaker_min_calls,
        cool_down=timedelta(seconds=settings.breaker_cool_down_seconds),
        probe_lease=timedelta(seconds=settings.breaker_probe_lease_seconds),
    )


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or NotifySettings()

    @asynccontextmanager
    async def wire(app: FastAPI, infra: Infrastructure) -> AsyncIterator[Sequence[Loop]]:
        database = infra.database
        publisher = EventPublisher(infra.broker, infra.topics, [NOTIFICATIONS])
        outbox = Outbox(publisher, infra.topics, database)
        endpoints = EndpointRepository(database["endpoints"])
        deliveries = DeliveryRepository(
            database["deliveries"], database["delivery_outcomes"], outbox
        )
        queue = DeliveryQueue(database["delivery_queue"])
        attempts = AttemptLog(database["delivery_attempts"], database["delivery_attempt_results"])
        people = PeopleRepository(database["people"])
        inbox = InboxRepository(database["inbox"], database["inbox_reads"], outbox)
        feed = InboxFeed()
        templates = Templates()
        # --- wire: routing, preferences, digests ---
        teams = TeamRepository(database["teams"])
        members = MemberDirectory(MemberRepository(database["members"]))
        routing_rules = RoutingRuleService(RoutingRepository(database["routing_rules"]))
        preference_store = PreferenceRepository(database["preferences"])
        preferences = PreferenceService(preference_store)
        held = HeldRepository(database["held"], database["held_done"], database["digests"])
        links = UnsubscribeLinks(settings.auth.secret.get_secret_value(), settings.public_url)
        recipients = RoutedRecipients(
            endpoints=endpoints,
            people=people,
            teams=teams,
            members=members,
            rules=routing_rules,
            attention=AttentionBudget(
                preference_store, held, templates, links, digest_hour=settings.digest_hour
            ),
            feedback_url=settings.feedback_public_url,
        )
        owner = f"{socket.gethostname()}:{new_id()}"
        breakers = Breakers(
            BreakerLog(database["breaker_transitions"]),
            breaker_settings(settings),
            owner=owner,
            refresh_seconds=settings.breaker_refresh_seconds,
        )
        async with httpx.AsyncClient(
            timeout=settings.request_timeout_seconds,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=settings.concurrency * 2),
        ) as http:
            channels: dict[ChannelName, Channel] = {
                ChannelName.WEBHOOK: WebhookSender(http),
                ChannelName.SLACK: ChatChannel(ChannelName.SLACK, http, templates),
                ChannelName.TEAMS: ChatChannel(ChannelName.TEAMS, http, templates),
                ChannelName.EMAIL: EmailChannel(smtp_config(settings), templates),
                ChannelName.IN_APP: InAppChannel(templates, inbox, feed.delivered),
            }
            service = DeliveryService(
                endpoints=endpoints,
                recipients=recipients,
                deliveries=deliveries,
                queue=queue,
                attempts=attempts,
                channels=channels,
                policy=DeliveryPolicy(
                    max_attempts=settings.max_attempts,
                    base_seconds=settings.backoff_base_seconds,
                    max_seconds=settings.backoff_max_seconds,
                ),
                owner=owner,
                lease=timedelta(seconds=settings.lease_seconds),
                concurrency=settings.concurrency,
                breakers=breakers,
                backlog=settings.backlog,
            )
            replays = ReplayService(
                replays=ReplayRepository(database["replays"], database["replay_plans"]),
                deliveries=deliveries,
                endpoints=endpoints,
                queue=queue,
                start=service.submit,
            )
            app.state.breakers = breakers
            app.state.replays = replays
            digests = DigestService(
                held, inbox, links, service.deliver, digest_hour=settings.digest_hour
            )
            kafka.register(infra, service, members=members, digests_due=digests.release_once)
            app.state.teams = Teams(teams)
            app.state.members = members
            app.state.routing_rules = routing_rules
            app.state.preferences = preferences
            app.state.unsubscribe = UnsubscribeService(links, preferences)
            app.state.endpoints = EndpointService(endpoints)
            app.state.delivery_log = DeliveryLog(deliveries, queue, attempts)
            app.state.directory = Directory(people)
            app.state.inbox = InboxService(inbox, feed, poll_seconds=settings.inbox_poll_seconds)
            app.state.inbox_ping_seconds = settings.inbox_ping_seconds

            async def sweeps() -> None:
                await service.run_sweeps(settings.sweep_interval_seconds)

            async def queue_removals() -> None:
                # Each delete scans the queue on FerretDB: fewer, larger ones.
                await service.run_flushes(1.0)

            async def replay_sweeps() -> None:
                await repeat(
                    replays.resume_once,
                    every=settings.sweep_interval_seconds,
                    what="replay planning sweep",
                )

            async def digest_releases() -> None:
                await digests.run(settings.digest_interval_seconds)

            try:
                yield [
                    OutboxRelay.from_settings(outbox, publisher, settings).run,
                    sweeps,
                    queue_removals,
                    replay_sweeps,
                    digest_releases,
                ]
            finally:
                await infra.broker.stop()  # stop consuming before in-flight sends are cancelled
                await replays.drain()
                await service.drain()

    return create_service_app(
        service="notify",
        version=VERSION,
        description="Events to people, teams and integrators: routing, channels, delivery log.",
        settings=settings,
        indexes=INDEXES,
        wire=wire,
        routers=[
            router,
            inbox_http.router,
            replay_http.router,
            routing_http.router,
            preferences_http.router,
        ],
    )
