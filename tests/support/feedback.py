"""Driving the feedback service in tests: staff and member tokens, its store, its events."""

from __future__ import annotations

import secrets
from functools import cached_property
from typing import Any

import httpx

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.config import FeedbackSettings
from ensemble_shared.auth import Role
from ensemble_shared.events import (
    Author,
    Event,
    MentionData,
    MentionReceivedV1,
    parse_event,
    utcnow,
)
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Database, create_client
from ensemble_shared.topics import Stream, Topics
from support.apps import bearer, settings_for
from support.kafka import outbox_settled, read_topic
from support.waiting import eventually


def mention_from(handle: str, platform: str, text: str, workspace: str = "acme") -> Event:
    """`mention.received.v1` of a message `handle` posted, as ingest announces it."""
    mention_id = secrets.token_hex(8)
    return MentionReceivedV1(
        source="ensemble/ingest",
        subject=mention_id,
        workspace=workspace,
        data=MentionData(
            mention_id=mention_id,
            platform=platform,
            external_id=f"ext-{mention_id}",
            author=Author(id=f"id-{handle}", handle=handle),
            text=text,
            created_at=utcnow(),
        ),
    )


def feedback_settings(
    infra: Infra, prefix: str, issuer: LocalIssuer, **overrides: Any
) -> FeedbackSettings:
    """Feedback on its own topics and database. Every in-process client has the same address,
    so the per-address write limit is lifted; per-member limits stay as configured."""
    return FeedbackSettings(
        **{
            **settings_for(infra, prefix, issuer),
            "rate_limit_ip_writes": "100000/minute",
            **overrides,
        }
    )


class Feedback:
    def __init__(
        self, client: httpx.AsyncClient, settings: FeedbackSettings, issuer: LocalIssuer
    ) -> None:
        self.client = client
        self.settings = settings
        self.issuer = issuer
        self.workspace = "acme"
        self.admin = bearer(issuer, self.workspace, Role.ADMIN)
        self.manager = bearer(issuer, self.workspace, Role.MANAGER, subject="maya")

    def member(self, member_id: str, workspace: str | None = None) -> dict[str, str]:
        """Headers for a member token (what identity gives after a magic link) of `member_id`."""
        return bearer(self.issuer, workspace or self.workspace, Role.MEMBER, subject=member_id)

    async def sign_up(
        self, display_name: str, *, workspace: str | None = None, **body: Any
    ) -> httpx.Response:
        """A new person (a fresh member id, as identity's account id) creating their profile."""
        headers = self.member(f"acc_{secrets.token_hex(6)}", workspace)
        return await self.client.post(
            f"/workspaces/{workspace or self.workspace}/members",
            json={"display_name": display_name, **body},
            headers=headers,
        )

    async def join(
        self, display_name: str, *, workspace: str | None = None, **body: Any
    ) -> tuple[str, dict[str, str]]:
        """`sign_up`, checked: the member id and its headers."""
        response = await self.sign_up(display_name, workspace=workspace, **body)
        assert response.status_code == 201, response.text
        member_id: str = response.json()["member_id"]
        return member_id, self.member(member_id, workspace)

    async def prove_handle(
        self, publisher: EventPublisher, headers: dict[str, str], platform: str, handle: str
    ) -> dict[str, Any]:
        """Claim `handle`, then post its code from it as ingest would announce it; the
        member's profile once the handle is linked."""
        claimed = await self.client.post(
            "/members/me/identities", json={"platform": platform, "handle": handle}, headers=headers
        )
        assert claimed.status_code == 202, claimed.text
        code = claimed.json()["code"]
        await publisher.publish([mention_from(handle, platform, f"Hi @acme, it's me: {code}")])

        async def profile() -> dict[str, Any]:
            found: dict[str, Any] = (await self.client.get("/members/me", headers=headers)).json()
            return found

        return await eventually(
            profile,
            lambda p: any(i["platform"] == platform for i in p.get("identities", [])),
            timeout=90,
            what=f"{handle} linked",
        )

    @cached_property
    def _store(self) -> Database:
        """One client for the driver: `events()` reads the outbox before every topic read."""
        return create_client(MongoSettings(url=self.settings.mongo.url))[self.settings.database]

    def database(self) -> Database:
        return self._store

    async def events(self, stream: Stream) -> list[Event]:
        """Every event feedback has published on `stream` so far (per key, oldest first)."""
        await outbox_settled(self.database())
        topic = Topics(self.settings.kafka.topic_prefix).topic(stream)
        records = await read_topic(self.settings.kafka.bootstrap_servers, topic)
        return [parse_event(r.value) for r in records]
