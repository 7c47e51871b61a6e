"""Steps the publishing-connector tests share: a scheduler whose unknown outcomes settle within
a second, a channel account put through the API, an item taken out at once, and what scheduler
then says about its publication (the view, the events, a refusal's reason)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_scheduler.config import SchedulerSettings
from ensemble_scheduler.main import create_app as create_scheduler_app
from ensemble_shared.events import Author, MentionData, MentionReceivedV1, utcnow
from ensemble_shared.sealing import Sealer
from ensemble_shared.topics import CONTENT
from support.apps import SECRET_KEY, running, settings_for
from support.scheduler import Scheduler
from support.scheduler_publishing import approve, draft, produce, schedule_in, use_policy
from support.stored import stored
from support.waiting import eventually

KAFKA = 90  # s: anything that crosses Kafka on a loaded machine


@asynccontextmanager
async def connecting(
    infra: Infra, issuer: LocalIssuer, name: str, **overrides: Any
) -> AsyncIterator[Scheduler]:
    """One scheduler for a test file (its topics deleted after); an unknown outcome may post
    again 1 s after its try; `overrides`: more of its settings."""
    prefix = f"t{secrets.token_hex(4)}_{name}"
    settings = SchedulerSettings(
        **{**settings_for(infra, prefix, issuer), "publish_settle_seconds": 1.0, **overrides}
    )
    app = create_scheduler_app(settings)
    async with running(app) as client:
        scheduler = Scheduler(client, settings, issuer, app)
        await use_policy(scheduler)
        yield scheduler
    admin = AIOKafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    await admin.start()
    try:
        mine = [t for t in await admin.list_topics() if t.startswith(f"{prefix}.")]
        if mine:
            await admin.delete_topics(mine, timeout_ms=60_000)
    finally:
        await admin.close()


async def channel(s: Scheduler, name: str, **account: Any) -> None:
    put = await s.client.put(f"/publishing/channels/{name}", json=account, headers=s.admin)
    assert put.status_code == 200, put.text


async def sealed(s: Scheduler, name: str, field: str) -> str:
    """A credential of the channel's account as stored: sealed, and opened by scheduler's key."""
    url, database = s.settings.mongo.url, s.settings.database
    at_rest = await stored(url, database, "publishing_accounts", f"acme:{name}:000001")
    assert at_rest[field].startswith("sealed:v1:")
    return Sealer.of(SECRET_KEY).open(at_rest[field])


async def publication(s: Scheduler, content_id: str) -> dict[str, Any]:
    got = await s.client.get(f"/content/{content_id}/publication", headers=s.manager)
    assert got.status_code == 200, got.text
    view: dict[str, Any] = got.json()
    return view


async def published(s: Scheduler, content_id: str, *, reconcile: bool = False) -> dict[str, Any]:
    """The publication once out; `reconcile` asks scheduler to settle unknown attempts meanwhile
    (what its stuck-publishing job does), for a 5xx that took nothing."""

    async def probe() -> dict[str, Any]:
        if reconcile:
            settled = await s.client.post(
                "/publishing/reconcile", json={"older_than_seconds": 0}, headers=s.admin
            )
            assert settled.status_code == 200, settled.text
        return await publication(s, content_id)

    return await eventually(probe, lambda v: v["status"] == "published", what=f"{content_id} out")


async def go_out(s: Scheduler, **fields: Any) -> str:
    """Draft, approve and schedule an item one second from now (a reply is scheduled by
    scheduler itself once approved)."""
    content_id = await draft(s, **fields)
    await approve(s, content_id)
    if fields.get("kind") != "reply":
        await schedule_in(s, content_id, 1)
    return content_id


async def refusal(s: Scheduler, content_id: str) -> str:
    view = await eventually(
        lambda: publication(s, content_id),
        lambda v: v["status"] == "refused",
        what=f"{content_id} refused",
    )
    return str(view["reason"])


async def content_events(s: Scheduler, content_ids: list[str], kind: type) -> list[Any]:
    events = await eventually(
        lambda: s.events(CONTENT),
        lambda es: {e.subject for e in es if isinstance(e, kind)} >= set(content_ids),
        timeout=KAFKA,
        what=f"{kind.__name__} of {content_ids}",
    )
    return [e for e in events if isinstance(e, kind) and e.subject in content_ids]


def mention(
    s: Scheduler, platform: str, external_id: str, text: str, parent: str | None = None
) -> MentionReceivedV1:
    mention_id = f"men-{secrets.token_hex(4)}"
    return MentionReceivedV1(
        source="ensemble/ingest",
        subject=mention_id,
        workspace=s.workspace,
        data=MentionData(
            mention_id=mention_id,
            platform=platform,
            external_id=external_id,
            author=Author(id="member-1", handle="ada"),
            text=text,
            created_at=utcnow(),
            in_reply_to=parent,
        ),
    )


async def known_target(s: Scheduler, mention_id: str) -> None:
    async def targets() -> list[str]:
        got = await s.client.get("/reply-targets", headers=s.manager)
        return [t["mention_id"] for t in got.json()]

    await eventually(targets, lambda ids: mention_id in ids, timeout=KAFKA, what="reply target")


async def heard(
    s: Scheduler, platform: str, external_id: str, text: str, parent: str | None = None
) -> str:
    """A mention ingest announced, once scheduler knows it as a reply target: its id."""
    event = mention(s, platform, external_id, text, parent)
    await produce(s, event)
    await known_target(s, event.data.mention_id)
    return event.data.mention_id
