"""Notify's factory: each repository, channel and service built once, collaborators passed in.

`build` is read top to bottom: the stores, then the pieces recipient resolution needs, then the
channels and the delivery service they feed, then what sits on top of deliveries (replays,
digests) and the services the routes call. Nothing is bound or patched after construction;
`main.py` only turns the result into an app, and the routes and subscribers reach it through
`app.state.notify` (handlers/dependencies.py).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import timedelta

import httpx

from ensemble_notify.channels.base import Channel
from ensemble_notify.channels.chat import ChatChannel
from ensemble_notify.channels.email import EmailChannel, SmtpConfig
from ensemble_notify.channels.in_app import InAppChannel
from ensemble_notify.channels.templates import Templates
from ensemble_notify.channels.verification import VerificationMessages
from ensemble_notify.channels.webhook import WebhookSender
from ensemble_notify.config import NotifySettings
from ensemble_notify.models.breaker import BreakerSettings
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.services import address_proofs, stream_tickets, unsubscribe
from ensemble_notify.services import preference_links as preference_links_module
from ensemble_notify.services.accounts import AccountFollower
from ensemble_notify.services.address_proofs import AddressProofs, VerificationLinks
from ensemble_notify.services.attention import AttentionBudget
from ensemble_notify.services.breaker import Breakers
from ensemble_notify.services.deliveries import DeliveryService
from ensemble_notify.services.digests import DigestService
from ensemble_notify.services.endpoints import EndpointService
from ensemble_notify.services.inbox import InboxFeed, InboxService
from ensemble_notify.services.log import DeliveryLog
from ensemble_notify.services.members import MemberDirectory
from ensemble_notify.services.people import Directory
from ensemble_notify.services.policy import DeliveryPolicy
from ensemble_notify.services.preference_links import PreferenceLinks, PreferenceLinkService
from ensemble_notify.services.preferences import PreferenceService
from ensemble_notify.services.recipients import RecipientResolver
from ensemble_notify.services.replay import ReplayService
from ensemble_notify.services.routing_rules import RoutingRuleService
from ensemble_notify.services.stream_seats import StreamSeats
from ensemble_notify.services.stream_tickets import StreamTickets
from ensemble_notify.services.teams import Teams
from ensemble_notify.services.unsubscribe import UnsubscribeLinks, UnsubscribeService
from ensemble_notify.storage import (
    AddressChangeLog,
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
    RoutingRuleRepository,
    SpentTickets,
    TeamRepository,
)
from ensemble_notify.storage.member_erasure import ErasedMembers
from ensemble_shared.capabilities import Capabilities
from ensemble_shared.events import new_id
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbound import outbound_client
from ensemble_shared.outbox import Outbox, OutboxRelay
from ensemble_shared.retries import Backoff
from ensemble_shared.runtime import Infrastructure, Loop, repeat
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import Database
from ensemble_shared.topics import NOTIFICATIONS


@dataclass(frozen=True)
class Repositories:
    """Every store notify keeps (each repository names its own collections)."""

    endpoints: EndpointRepository
    deliveries: DeliveryRepository
    queue: DeliveryQueue
    attempts: AttemptLog
    breakers: BreakerLog
    replays: ReplayRepository
    inbox: InboxRepository
    people: PeopleRepository
    address_changes: AddressChangeLog
    teams: TeamRepository
    members: MemberRepository
    erased_members: ErasedMembers
    routing_rules: RoutingRuleRepository
    preferences: PreferenceRepository
    held: HeldRepository
    spent_tickets: SpentTickets

    @classmethod
    def on(cls, database: Database, outbox: Outbox, sealer: Sealer) -> Repositories:
        return cls(
            endpoints=EndpointRepository(database, sealer),
            deliveries=DeliveryRepository(database, outbox, sealer),
            queue=DeliveryQueue(database),
            attempts=AttemptLog(database),
            breakers=BreakerLog(database),
            replays=ReplayRepository(database),
            inbox=InboxRepository(database, outbox),
            people=PeopleRepository(database, sealer),
            address_changes=AddressChangeLog(database, sealer),
            teams=TeamRepository(database),
            members=MemberRepository(database),
            erased_members=ErasedMembers(database),
            routing_rules=RoutingRuleRepository(database),
            preferences=PreferenceRepository(database, outbox),
            held=HeldRepository(database),
            spent_tickets=SpentTickets(database),
        )


@dataclass(frozen=True)
class Notify:
    """What one notify process runs: the services its routes and subscribers call, and the
    loops beside them."""

    settings: NotifySettings
    relay: OutboxRelay
    deliveries: DeliveryService
    replays: ReplayService
    digests: DigestService
    delivery_log: DeliveryLog
    breakers: Breakers
    endpoints: EndpointService
    directory: Directory
    address_proofs: AddressProofs
    accounts: AccountFollower
    teams: Teams
    members: MemberDirectory
    routing_rules: RoutingRuleService
    preferences: PreferenceService
    unsubscribe: UnsubscribeService
    preference_links: PreferenceLinkService
    inbox: InboxService
    stream_tickets: StreamTickets
    stream_seats: StreamSeats

    def loops(self) -> list[Loop]:
        """The background loops: outbox relay, delivery sweeps and queue removals, replay
        planning, digest releases."""
        every = self.settings.sweep_interval_seconds

        async def sweeps() -> None:
            await repeat(self.deliveries.sweep_once, every=every, what="delivery sweep")

        async def queue_removals() -> None:
            # Each delete scans the queue on FerretDB: fewer, larger ones.
            await repeat(self.deliveries.flush_ended, every=1.0, what="queue removals")

        async def replay_planning() -> None:
            await repeat(self.replays.resume_once, every=every, what="replay planning sweep")

        async def digest_releases() -> None:
            await repeat(
                self.digests.release_once,
                every=self.settings.digest_interval_seconds,
                what="digest release",
            )

        return [self.relay.run, sweeps, queue_removals, replay_planning, digest_releases]

    async def drain(self) -> None:
        """Stop planning replays, then cancel in-flight attempts (their claims lapse and are
        retaken elsewhere). Call after consuming has stopped."""
        await self.replays.drain()
        await self.deliveries.drain()


def build(settings: NotifySettings, infra: Infrastructure, http: httpx.AsyncClient) -> Notify:
    publisher = EventPublisher(infra.broker, infra.topics, [NOTIFICATIONS])
    outbox = Outbox(publisher, infra.topics, infra.database)
    stores = Repositories.on(infra.database, outbox, settings.sealer())
    secret = settings.secret_key.get_secret_value()
    templates = Templates()
    preference_links = PreferenceLinks(
        Capabilities(secret, preference_links_module.PURPOSE), settings.console_url
    )
    links = UnsubscribeLinks(
        Capabilities(secret, unsubscribe.PURPOSE),
        settings.public_url,
        settings.console_url,
        preference_links,
    )
    members = MemberDirectory(stores.members, stores.erased_members)
    routing_rules = RoutingRuleService(stores.routing_rules)
    recipients = RecipientResolver(
        endpoints=stores.endpoints,
        people=stores.people,
        teams=stores.teams,
        members=members,
        rules=routing_rules,
        attention=AttentionBudget(
            stores.preferences, stores.held, templates, links, digest_hour=settings.digest_hour
        ),
        feedback_url=settings.feedback_public_url,
        console_url=settings.console_url,
    )
    owner = f"{socket.gethostname()}:{new_id()}"  # this process, in claims and breaker moves
    breakers = Breakers(
        stores.breakers,
        breaker_settings(settings),
        owner=owner,
        refresh_seconds=settings.breaker_refresh_seconds,
    )
    feed = InboxFeed()
    email = EmailChannel(smtp_config(settings), templates)
    channels: dict[ChannelName, Channel] = {
        ChannelName.WEBHOOK: WebhookSender(http),
        ChannelName.SLACK: ChatChannel(ChannelName.SLACK, http, templates),
        ChannelName.TEAMS: ChatChannel(ChannelName.TEAMS, http, templates),
        ChannelName.EMAIL: email,
        ChannelName.IN_APP: InAppChannel(templates, stores.inbox, feed.delivered),
    }
    deliveries = DeliveryService(
        endpoints=stores.endpoints,
        people=stores.people,
        recipients=recipients,
        deliveries=stores.deliveries,
        queue=stores.queue,
        attempts=stores.attempts,
        channels=channels,
        policy=DeliveryPolicy(
            max_attempts=settings.max_attempts,
            backoff=Backoff(settings.backoff_base_seconds, settings.backoff_max_seconds),
        ),
        breakers=breakers,
        owner=owner,
        lease=timedelta(seconds=settings.lease_seconds),
        concurrency=settings.concurrency,
        backlog=settings.backlog,
    )
    preferences = PreferenceService(stores.preferences)
    proofs = AddressProofs(
        stores.people,
        stores.address_changes,
        VerificationLinks(Capabilities(secret, address_proofs.PURPOSE), settings.console_url),
        VerificationMessages(email, http, templates),
        settings.outbound,
    )
    return Notify(
        settings=settings,
        relay=OutboxRelay.from_settings(outbox, publisher, settings),
        deliveries=deliveries,
        replays=ReplayService(
            replays=stores.replays,
            deliveries=stores.deliveries,
            endpoints=stores.endpoints,
            queue=stores.queue,
            start=deliveries.submit,
        ),
        digests=DigestService(
            stores.held, stores.inbox, links, deliveries.deliver, digest_hour=settings.digest_hour
        ),
        delivery_log=DeliveryLog(stores.deliveries, stores.queue, stores.attempts),
        breakers=breakers,
        endpoints=EndpointService(stores.endpoints, settings.outbound),
        directory=Directory(stores.people, proofs),
        address_proofs=proofs,
        accounts=AccountFollower(stores.people),
        teams=Teams(stores.teams),
        members=members,
        routing_rules=routing_rules,
        preferences=preferences,
        unsubscribe=UnsubscribeService(links, preferences),
        preference_links=PreferenceLinkService(preference_links, preferences),
        inbox=InboxService(
            stores.inbox,
            feed,
            poll_seconds=settings.inbox_poll_seconds,
            ping_seconds=settings.inbox_ping_seconds,
        ),
        stream_tickets=StreamTickets(
            Capabilities(secret, stream_tickets.PURPOSE), stores.spent_tickets
        ),
        stream_seats=StreamSeats(settings.inbox_max_streams_per_person),
    )


def http_client(settings: NotifySettings) -> httpx.AsyncClient:
    """The one HTTP client the webhook and chat channels share (no redirects: a receiver
    answers for itself)."""
    return outbound_client(
        settings.outbound,
        timeout=settings.request_timeout_seconds,
        follow_redirects=False,
        limits=httpx.Limits(max_connections=settings.concurrency * 2),
    )


def smtp_config(settings: NotifySettings) -> SmtpConfig:
    return SmtpConfig(
        server=settings.smtp_server(),
        sender=settings.email_from,
        message_id_domain=settings.message_id_domain,
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
