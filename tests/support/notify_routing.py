"""Helpers for notify's routing, preference and digest tests: every stream, and a clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, Literal

from faststream.kafka import KafkaBroker

from ensemble_shared.events import (
    Event,
    MemberData,
    MemberRegisteredV1,
    SubmissionStatusChangedData,
    SubmissionStatusChangedV1,
    utcnow,
)
from ensemble_shared.kafka import EventPublisher, create_broker
from ensemble_shared.settings import KafkaSettings, MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import STREAMS, Topics
from support.notify import NotifyDriver


@asynccontextmanager
async def publishing(driver: NotifyDriver) -> AsyncIterator[EventPublisher]:
    """A producer for every stream (the driver's own covers mentions and approvals only)."""
    producer: KafkaBroker = create_broker(
        KafkaSettings(bootstrap_servers=driver.infra.kafka_bootstrap), client_id="all-streams"
    )
    publisher = EventPublisher(
        producer, Topics(driver.settings.kafka.topic_prefix), [s for s in STREAMS]
    )
    async with producer:
        await producer.start()
        yield publisher


async def fast_forward(driver: NotifyDriver, **query: Any) -> int:
    """Make held notifications due now, as if their digest period or wait had passed (the
    period arithmetic itself is unit-tested); returns how many moved."""
    client = create_client(MongoSettings(url=driver.infra.mongodb_url))
    try:
        held = client[driver.settings.database]["held"]
        result = await held.update_many(
            query, {"$set": {"due_at": utcnow() - timedelta(seconds=1)}}
        )
        return int(result.modified_count)
    finally:
        client.close()


async def held_count(driver: NotifyDriver) -> int:
    client = create_client(MongoSettings(url=driver.infra.mongodb_url))
    try:
        return int(await client[driver.settings.database]["held"].count_documents({}))
    finally:
        client.close()


def a_member(
    member_id: str,
    email: str,
    *consents: str,
    language: Literal["en", "fr"] = "en",
    verified: bool = True,
) -> Event:
    """A member's registration as feedback announces it; an unverified address comes with
    its confirmation path."""
    return MemberRegisteredV1(
        source="ensemble/feedback",
        subject=member_id,
        workspace="acme",
        data=MemberData(
            member_id=member_id,
            display_name=member_id.title(),
            email=email,
            email_verified=verified,
            verify_email_path=None if verified else f"/members/verify-email?token=v-{member_id}",
            language=language,
            consents=consents,
            unsubscribe_paths={
                t: f"/unsubscribe?token=tok-{member_id}-{t}"
                for t in ("ideas_followed", "status_changes", "events_nearby")
            },
        ),
    )


def a_status_change(*audience: str) -> Event:
    return SubmissionStatusChangedV1(
        source="ensemble/feedback",
        subject="sub-1",
        workspace="acme",
        data=SubmissionStatusChangedData(
            submission_id="sub-1",
            kind="idea",
            title="Dark mode",
            author_member_id=audience[0] if audience else "m-author",
            previous="under_review",
            status="planned",
            by="lea",
            audience=audience,
        ),
    )
