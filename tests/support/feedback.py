"""Driving the feedback service in tests: staff and member tokens, its store, its events."""

from __future__ import annotations

from typing import Any

import httpx

from ensemble_devtools.infra import Infra
from ensemble_feedback.config import FeedbackSettings
from ensemble_shared.auth import Role
from ensemble_shared.events import Event, parse_event
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Database, create_client
from ensemble_shared.topics import Stream, Topics
from support.apps import bearer, settings_for
from support.kafka import read_topic


def feedback_settings(
    infra: Infra, prefix: str, auth_secret: str, **overrides: Any
) -> FeedbackSettings:
    """Feedback on its own topics and database. Every in-process client has the same address,
    so the per-address write limit is lifted; per-member limits stay as configured."""
    return FeedbackSettings(
        **{
            **settings_for(infra, prefix, auth_secret),
            "rate_limit_ip_writes": "100000/minute",
            **overrides,
        }
    )


class Feedback:
    def __init__(self, client: httpx.AsyncClient, settings: FeedbackSettings, secret: str) -> None:
        self.client = client
        self.settings = settings
        self.secret = secret
        self.workspace = "acme"
        self.admin = bearer(secret, self.workspace, Role.ADMIN)
        self.manager = bearer(secret, self.workspace, Role.MANAGER, subject="maya")

    def member(self, member_id: str, workspace: str | None = None) -> dict[str, str]:
        """Headers for a member token (what sign-up hands out), for an existing member id."""
        return bearer(self.secret, workspace or self.workspace, Role.MEMBER, subject=member_id)

    def database(self) -> Database:
        return create_client(MongoSettings(url=self.settings.mongo.url))[self.settings.database]

    async def events(self, stream: Stream) -> list[Event]:
        """Every event feedback has published on `stream` so far (per key, oldest first)."""
        topic = Topics(self.settings.kafka.topic_prefix).topic(stream)
        records = await read_topic(self.settings.kafka.bootstrap_servers, topic)
        return [parse_event(r.value) for r in records]
