"""Ingest's recovery and aggregate paths on the real store and broker: re-drive, spikes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app
from ensemble_ingest.models.mentions import GenericWebhook, Mention
from ensemble_ingest.models.raw import RawPayload
from ensemble_ingest.services.raw import RawService
from ensemble_ingest.services.spikes import SpikeDetection
from ensemble_ingest.storage.raw import RawArchive
from ensemble_ingest.storage.spikes import SpikeStore
from ensemble_shared.auth import Role
from ensemble_shared.events import (
    IngestRedriveRequestedV1,
    MentionSpikeDetectedV1,
    TriageData,
    parse_event,
)
from ensemble_shared.events.schedules import RedriveRequestData
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import Database
from ensemble_shared.topics import MENTIONS, SCHEDULES, Topics
from support.apps import bearer, running, settings_for
from support.ingest import Ingest
from support.kafka import read_topic
from support.mentions import mention_body, signed
from support.waiting import eventually


async def test_payloads_a_crash_left_pending_are_redriven_once(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    # The app's own periodic sweep only takes payloads pending for an hour, so on a slow
    # machine it cannot settle this 5-minute-old one before the explicit calls below.
    settings = IngestSettings(
        **settings_for(infra, unique_name("redrive"), issuer), redrive_after_seconds=3600
    )
    app = create_app(settings)
    async with running(app) as client:
        ingest = Ingest(client, settings, issuer)
        source = await ingest.source()
        body = mention_body("crashed-1", text="Stored by the re-drive")
        # What a crash right after archiving leaves: the payload, its pointer, nothing else.
        raws: RawService = app.state.ingest.raws
        archive: RawArchive = app.state.ingest.repositories.raws
        raw = RawPayload.webhook(
            workspace="acme", source_id=source["id"], platform="generic", headers={}, body=body
        )
        await archive.archive(
            [raw.model_copy(update={"received_at": datetime.now(UTC) - timedelta(minutes=5)})]
        )
        assert await ingest.count("mentions") == 0
        assert await raws.redrive(timedelta(minutes=1)) == 1
        assert await raws.redrive(timedelta(minutes=1)) == 0  # settled: never twice
        view = (await client.get(f"/raw/{raw.id}", headers=ingest.manager)).json()
        assert view["status"] == "processed"
        assert await ingest.count("mentions") == 1
        # The same mention then arriving by webhook is a repeat, not a second mention.
        again = await ingest.post(source, body, signed(source["secret"], body))
        assert again.json()["mentions"][0]["result"] == "unchanged"


async def test_a_source_lists_its_payloads_by_status_and_redrives_a_pending_one(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    settings = IngestSettings(
        **settings_for(infra, unique_name("rawlist"), issuer), redrive_after_seconds=3600
    )
    app = create_app(settings)
    async with running(app) as client:
        ingest = Ingest(client, settings, issuer)
        source = await ingest.source()
        await ingest.send(source, "ok-1")
        malformed = b'{"type": "mention.created", "data": {}}'
        assert (
            await ingest.post(source, malformed, signed(source["secret"], malformed))
        ).status_code == 422
        crashed = RawPayload.webhook(
            workspace="acme",
            source_id=source["id"],
            platform="generic",
            headers={},
            body=mention_body("crashed-2"),
        )
        await app.state.ingest.repositories.raws.archive([crashed])
        path = f"/sources/{source['id']}/raw"

        async def listed(**params: str | int) -> dict[str, Any]:
            answer = await client.get(path, params=params, headers=ingest.admin)
            assert answer.status_code == 200, answer.text
            page: dict[str, Any] = answer.json()
            return page

        everything = await listed()
        assert [i["status"] for i in everything["items"]] == ["pending", "rejected", "processed"]
        first = await listed(limit=2)
        rest = await listed(limit=2, cursor=str(first["next_cursor"]))
        assert [i["status"] for i in rest["items"]] == ["processed"]
        assert rest["next_cursor"] is None
        rejected = await listed(status="rejected")
        assert len(rejected["items"]) == 1
        assert "data" in rejected["items"][0]["reason"]
        assert ((await client.get(path, headers=ingest.manager)).status_code) == 403
        assert (
            await client.get(path, params={"cursor": "nope"}, headers=ingest.admin)
        ).status_code == 422
        assert await ingest.count("mentions") == 1
        redriven = await client.post(f"/raw/{crashed.id}/redrive", headers=ingest.admin)
        assert redriven.status_code == 200, redriven.text
        assert redriven.json()["status"] == "processed"
        assert await ingest.count("mentions") == 2
        again = await client.post(f"/raw/{crashed.id}/redrive", headers=ingest.admin)
        assert again.status_code == 409
        assert (await listed(status="pending"))["items"] == []


def mention_at(n: int, received_at: datetime, *, negative: bool = False) -> Mention:
    data = GenericWebhook.model_validate_json(mention_body(f"s{n}-{received_at.timestamp()}")).data
    mention = Mention.from_incoming("acme", "src", data)
    triage = TriageData(
        sentiment="negative" if negative else "neutral", tags=("bug",) if negative else ()
    )
    return mention.model_copy(update={"received_at": received_at, "triage": triage})


async def test_a_burst_is_announced_once_as_a_spike_and_a_flat_series_never(
    infra: Infra, database: Database, broker: KafkaBroker, topics: Topics
) -> None:
    publisher = EventPublisher(broker, topics, [MENTIONS])
    store = SpikeStore(database["obs"], database["spikes"], Outbox(publisher, topics, database))
    bucket = timedelta(minutes=5)
    now = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)
    replicas = [
        SpikeDetection(store, bucket=bucket, window=6, k=3.0, min_count=10) for _ in range(2)
    ]
    detection = replicas[0]
    start = detection.bucket_of(now) - bucket * 7
    n = 0
    for b in range(6):  # six quiet buckets of 3 mentions
        for _ in range(3):
            await detection.observe([mention_at(n, start + bucket * b + timedelta(seconds=n))])
            n += 1
    burst = [
        mention_at(n + i, start + bucket * 6 + timedelta(seconds=i), negative=True)
        for i in range(30)
    ]
    await detection.observe(burst)
    await detection.observe(burst)  # re-driven: counted once
    async with broker:
        await broker.start()
        announced = await asyncio.gather(*(r.evaluate_once(now) for r in replicas))
        assert sum(announced) == 4  # (all, negative) x (topic "*", topic "bug"), by one replica
        assert await detection.evaluate_once(now) == 0
    events = [
        parse_event(r.value or b"")
        for r in await read_topic(infra.kafka_bootstrap, topics.topic(MENTIONS))
    ]
    spikes = [e for e in events if isinstance(e, MentionSpikeDetectedV1)]
    assert sorted((s.data.topic, s.data.negative_only) for s in spikes) == [
        ("*", False),
        ("*", True),
        ("bug", False),
        ("bug", True),
    ]
    everything = next(s for s in spikes if s.data.topic == "*" and not s.data.negative_only)
    assert (everything.data.count, everything.data.mean) == (30, 3.0)
    assert everything.subject == "acme:*"


def redrive_request(workspace: str) -> IngestRedriveRequestedV1:
    """What a workspace's `ingest.redrive` job sends (stuck for a minute or more)."""
    now = datetime.now(UTC)
    return IngestRedriveRequestedV1(
        source="ensemble/scheduler",
        subject=f"{workspace}:redrive",
        workspace=workspace,
        data=RedriveRequestData(
            job="redrive",
            run_id=f"{workspace}:redrive:1@{now.isoformat()}",
            scheduled_for=now,
            stuck_for_seconds=60,
        ),
    )


async def test_a_redrive_requested_by_a_scheduled_job_settles_stuck_payloads(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    settings = IngestSettings(**settings_for(infra, unique_name("redrive_job"), issuer))
    app = create_app(settings)
    async with running(app) as client:
        ingest = Ingest(client, settings, issuer)
        source = await ingest.source()
        body = mention_body("crashed-2", text="Stored when the job asks")
        archive: RawArchive = app.state.ingest.repositories.raws
        raw = RawPayload.webhook(
            workspace="acme", source_id=source["id"], platform="generic", headers={}, body=body
        )
        await archive.archive(
            [raw.model_copy(update={"received_at": datetime.now(UTC) - timedelta(minutes=5)})]
        )
        request = redrive_request("acme")
        infrastructure = app.state.infra
        publisher = EventPublisher(infrastructure.broker, infrastructure.topics, [SCHEDULES])
        await publisher.publish([request, request])  # a redelivered request changes nothing
        # A loaded machine can take tens of seconds to assign the new group its partitions.
        await eventually(
            lambda: ingest.count("mentions"), lambda n: n == 1, timeout=120, what="re-driven"
        )

        async def status() -> str:
            view = (await client.get(f"/raw/{raw.id}", headers=ingest.manager)).json()
            return str(view["status"])

        # The raw payload is settled after its mention is stored (archive first, settle last).
        await eventually(status, lambda s: s == "processed", what="raw payload settled")
        await asyncio.sleep(1)
        assert await ingest.count("mentions") == 1


async def test_a_workspaces_redrive_job_leaves_other_workspaces_payloads_alone(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> None:
    """acme's re-drive job settles acme's stuck payload; globex's stays pending for globex's own
    job or the system's sweep (here an hour away)."""
    settings = IngestSettings(
        **settings_for(infra, unique_name("redrive_scope"), issuer),
        redrive_after_seconds=3600,
    )
    app = create_app(settings)
    async with running(app) as client:
        ingest = Ingest(client, settings, issuer)
        globex_admin = bearer(issuer, "globex", Role.ADMIN)
        globex_source = (
            await client.post("/sources", json={"name": "forum"}, headers=globex_admin)
        ).json()
        archive: RawArchive = app.state.ingest.repositories.raws
        stuck = datetime.now(UTC) - timedelta(minutes=5)
        ours = RawPayload.webhook(
            workspace="acme",
            source_id=(await ingest.source())["id"],
            platform="generic",
            headers={},
            body=mention_body("ours-1", text="acme's stuck mention"),
        )
        theirs = RawPayload.webhook(
            workspace="globex",
            source_id=globex_source["id"],
            platform="generic",
            headers={},
            body=mention_body("theirs-1", text="globex's stuck mention"),
        )
        await archive.archive([r.model_copy(update={"received_at": stuck}) for r in (ours, theirs)])
        request = redrive_request("acme")
        infrastructure = app.state.infra
        publisher = EventPublisher(infrastructure.broker, infrastructure.topics, [SCHEDULES])
        await publisher.publish([request])

        async def status(raw: RawPayload, headers: dict[str, str]) -> str:
            view = (await client.get(f"/raw/{raw.id}", headers=headers)).json()
            return str(view["status"])

        await eventually(
            lambda: status(ours, ingest.manager), lambda s: s == "processed", what="acme's"
        )
        await asyncio.sleep(2)  # the same sweep would have settled globex's by now
        globex_manager = bearer(issuer, "globex", Role.MANAGER)
        assert await status(theirs, globex_manager) == "pending"
        assert await ingest.count("mentions", {"workspace": "globex"}) == 0
