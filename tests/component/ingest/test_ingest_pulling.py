"""Pulled sources through the real ingest service: a fake Mastodon, the real store and broker."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app
from support.apps import running, settings_for
from support.fake_platforms.jetstream import FakeJetstream
from support.fake_platforms.mastodon import TOKEN, FakeMastodon
from support.ingest import Ingest
from support.waiting import eventually


@pytest.fixture
async def fast_ingest(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[Ingest]:
    settings = IngestSettings(
        **settings_for(infra, unique_name("pull"), issuer),
        pull_scan_seconds=0.2,
        pull_lease_seconds=5,
        poll_interval_seconds=0.2,
    )
    async with running(create_app(settings)) as client:
        yield Ingest(client, settings, issuer)


async def mastodon_source(ingest: Ingest, fake: FakeMastodon) -> dict[str, Any]:
    config = {"platform": "mastodon", "base_url": fake.base_url, "access_token": TOKEN}
    response = await ingest.client.post(
        "/sources", json={"name": "brand account", "config": config}, headers=ingest.admin
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    assert created["webhook_path"] is None

    async def state() -> dict[str, Any] | None:
        detail = await ingest.client.get(f"/sources/{created['id']}", headers=ingest.admin)
        found: dict[str, Any] | None = detail.json()["state"]
        return found

    # A new source starts from "now" (no backfill): wait for its first read before seeding.
    await eventually(state, lambda s: s is not None and s["cursor"] is not None, what="first read")
    return created


async def test_a_pulled_source_is_read_without_gaps_or_repeats_and_reports_its_health(
    fast_ingest: Ingest, infra: Infra
) -> None:
    with FakeMastodon(rate_limit=10_000) as fake:
        source = await mastodon_source(fast_ingest, fake)
        for n in range(95):
            fake.mention(f"Mention {n} of @brand, great service")
        await eventually(lambda: fast_ingest.count("mentions"), lambda n: n == 95, what="95 stored")
        for n in range(95, 100):
            fake.mention(f"Late mention {n} of @brand, the app crashes")
        await eventually(
            lambda: fast_ingest.count("mentions"), lambda n: n == 100, what="100 stored"
        )
        detail = (
            await fast_ingest.client.get(f"/sources/{source['id']}", headers=fast_ingest.admin)
        ).json()
    state = detail["state"]
    assert state["cursor"] == fake.notifications[-1]["id"]
    assert state["items"] == 100
    assert state["last_success_at"] is not None
    assert state["lag_seconds"] is not None
    assert state["last_error"] is None
    received = Counter(
        e.subject for e in await fast_ingest.announced(infra) if e.type == "mention.received.v1"
    )
    assert len(received) == 100
    assert set(received.values()) == {1}
    crashing = await fast_ingest.client.get(
        "/mentions",
        params={"platform": "mastodon", "sentiment": "negative"},
        headers=fast_ingest.manager,
    )
    assert len(crashing.json()["items"]) == 5


async def test_a_rate_limited_source_pauses_and_resumes_without_losing_items(
    fast_ingest: Ingest,
) -> None:
    with FakeMastodon(rate_limit=10_000) as fake:
        await mastodon_source(fast_ingest, fake)
        fake.mention("First")
        await eventually(
            lambda: fast_ingest.count("mentions"), lambda n: n == 1, what="first stored"
        )
        fake.throttle(times=2, retry_after=1)
        for n in range(3):
            fake.mention(f"During the limit {n}")
        await eventually(
            lambda: fast_ingest.count("mentions"), lambda n: n == 4, timeout=60, what="all stored"
        )
        refused = [r for r in fake.requests() if r.status == 429]
    assert len(refused) == 2


async def test_a_streamed_source_is_consumed_and_resumes_from_its_cursor(
    fast_ingest: Ingest,
) -> None:
    brand = "did:plc:brandbrandbrand"
    with FakeJetstream() as jetstream:
        config = {"platform": "bluesky", "jetstream_url": jetstream.url, "brand_did": brand}
        response = await fast_ingest.client.post(
            "/sources", json={"name": "bluesky", "config": config}, headers=fast_ingest.admin
        )
        assert response.status_code == 201, response.text
        source_id = response.json()["id"]
        await eventually(
            lambda: asyncio.sleep(0, jetstream.live()), lambda n: n >= 1, what="connected"
        )
        jetstream.publish(
            *(jetstream.post("did:plc:camille", f"post {n}", mentions=(brand,)) for n in range(20))
        )
        jetstream.publish(jetstream.post("did:plc:other", "nothing about the brand"))
        await eventually(lambda: fast_ingest.count("mentions"), lambda n: n == 20, what="20 stored")

        async def cursor() -> Any:
            state = (
                await fast_ingest.client.get(f"/sources/{source_id}", headers=fast_ingest.admin)
            ).json()["state"]
            return state["cursor"] if state else None

        await eventually(cursor, lambda c: c is not None, what="cursor saved")
        # The lease ends, the stream is reopened from the saved cursor: nothing twice.
        await eventually(
            lambda: asyncio.sleep(0, [c.param("cursor") for c in jetstream.connections]),
            lambda cursors: any(c is not None for c in cursors),
            timeout=60,
            what="a resumed connection",
        )
        assert await fast_ingest.count("mentions") == 20
