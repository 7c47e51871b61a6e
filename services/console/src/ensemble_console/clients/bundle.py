"""Every backend's client, built once per process on one HTTP connection pool."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from ensemble_console.clients.feedback import FeedbackClient
from ensemble_console.clients.identity import IdentityClient, WorkspaceIdentity
from ensemble_console.clients.ingest import IngestClient
from ensemble_console.clients.insights import InsightsClient
from ensemble_console.clients.notify import NotifyClient
from ensemble_console.clients.portal import PortalClient
from ensemble_console.clients.portal_events import PortalEventsClient
from ensemble_console.clients.scheduler import SchedulerClient
from ensemble_console.clients.tokens import AccessTokens
from ensemble_console.config import ConsoleSettings


@dataclass(frozen=True)
class Clients:
    identity: IdentityClient
    people: WorkspaceIdentity
    scheduler: SchedulerClient
    ingest: IngestClient
    feedback: FeedbackClient
    notify: NotifyClient
    insights: InsightsClient
    portal: PortalClient
    portal_events: PortalEventsClient
    tokens: AccessTokens

    @classmethod
    def build(cls, http: httpx.AsyncClient, settings: ConsoleSettings) -> Clients:
        identity = IdentityClient(http, settings.identity_url)
        tokens = AccessTokens(
            identity.mint,
            size=settings.token_cache_size,
            refresh_seconds=settings.token_refresh_seconds,
        )
        return cls(
            identity=identity,
            people=WorkspaceIdentity(http, settings.identity_url, tokens),
            scheduler=SchedulerClient(http, settings.scheduler_url, tokens),
            ingest=IngestClient(http, settings.ingest_url, tokens),
            feedback=FeedbackClient(http, settings.feedback_url, tokens),
            notify=NotifyClient(http, settings.notify_url, tokens),
            insights=InsightsClient(http, settings.insights_url, tokens),
            portal=PortalClient(http, settings.feedback_url, tokens),
            portal_events=PortalEventsClient(http, settings.feedback_url, tokens),
            tokens=tokens,
        )
