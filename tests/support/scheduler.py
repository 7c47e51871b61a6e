"""Driving the scheduler service in tests: staff tokens with teams, its store, its events."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

import httpx
from fastapi import FastAPI

from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import SchedulerSettings
from ensemble_shared.auth import Role
from ensemble_shared.events import Event, parse_event
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Database, create_client
from ensemble_shared.topics import Stream, Topics
from support.apps import bearer
from support.kafka import outbox_settled, read_topic

CONSOLE = "http://127.0.0.1:8080"
"""Where approval links point in these tests (scheduler's default ENSEMBLE_PUBLIC_URL)."""


class Scheduler:
    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: SchedulerSettings,
        issuer: LocalIssuer,
        app: FastAPI | None = None,
    ) -> None:
        self.client = client
        self.app = app  # in-process: its object graph, for injecting faults
        self.settings = settings
        self.issuer = issuer
        self.workspace = "acme"
        self.admin = bearer(issuer, self.workspace, Role.ADMIN)
        self.manager = bearer(issuer, self.workspace, Role.MANAGER, subject="maya")

    def staff(
        self,
        subject: str,
        *,
        teams: Iterable[str] = (),
        roles: Iterable[Role] = (Role.APPROVER,),
        workspace: str | None = None,
    ) -> dict[str, str]:
        """Headers for a staff member of `teams` (tokens carry teams and roles)."""
        return bearer(
            self.issuer, workspace or self.workspace, *roles, subject=subject, teams=teams
        )

    @cached_property
    def _store(self) -> Database:
        """One client for the driver: `events()` reads the outbox before every topic read."""
        return create_client(MongoSettings(url=self.settings.mongo.url))[self.settings.database]

    def database(self) -> Database:
        return self._store

    async def events(self, stream: Stream) -> list[Event]:
        """Every event scheduler has published on `stream` so far (per key, oldest first)."""
        await outbox_settled(self.database())
        topic = Topics(self.settings.kafka.topic_prefix).topic(stream)
        records = await read_topic(self.settings.kafka.bootstrap_servers, topic)
        return [parse_event(r.value) for r in records]
