"""Ingest's API in-process, on the real store and broker: sources, the signed webhook, reads."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_ingest.config import IngestSettings
from ensemble_ingest.main import create_app
from ensemble_shared.auth import Role
from ensemble_shared.events import MentionReceivedV1, parse_event
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import create_client
from ensemble_shared.topics import MENTIONS, Topics
from support.apps import bearer, running, settings_for
from support.kafka import read_topic
from support.mentions import mention_body, signed


class Ingest:
    def __init__(self, client: httpx.AsyncClient, settings: IngestSettings, secret: str) -> None:
        self.client = client
        self.settings = settings
        self.secret = secret
        self.admin = bearer(secret, "acme", Role.ADMIN)

    async def source(self) -> dict[str, str]:
        response = await self.client.post("/sources", json={"name": "forum"}, headers=self.admin)
        assert response.status_code == 201, response.text
        created: dict[str, str] = response.json()
        return created

    async def post(
        self, source: dict[str, str], body: bytes, headers: dict[str, str]
    ) -> httpx.Response:
        return await self.client.post(source["webhook_path"], content=body, headers=headers)

    async def stored(self) -> int:
        client = create_client(MongoSettings(url=self.settings.mongo.url))
        try:
            return await client[self.settings.database]["mentions"].count_documents({})
        finally:
            client.close()

    async def announced(self, infra: Infra) -> list[MentionReceivedV1]:
        topic = Topics(self.settings.kafka.topic_prefix).topic(MENTIONS)
        events = [
            parse_event(r.value or b"")
            for r in await read_topic(infra.kafka_bootstrap, topic, idle_ms=500)
        ]
        return [e for e in events if isinstance(e, MentionReceivedV1)]


@pytest.fixture
async def ingest(
    infra: Infra, unique_name: Callable[[str], str], auth_secret: str
) -> AsyncIterator[Ingest]:
    settings = IngestSettings(**settings_for(infra, unique_name("ingest"), auth_secret))
    async with running(create_app(settings)) as client:
        yield Ingest(client, settings, auth_secret)


async def test_a_signed_mention_is_stored_once_and_announced_once(
    ingest: Ingest, infra: Infra
) -> None:
    source = await ingest.source()
    body = mention_body("1001", text="Bravo pour la nouvelle appli")
    first = await ingest.post(source, body, signed(source["secret"], body))
    again = await ingest.post(source, body, signed(source["secret"], body))  # the sender retries
    assert (first.status_code, first.json()["duplicate"]) == (202, False)
    assert (again.status_code, again.json()) == (202, {**first.json(), "duplicate": True})
    assert await ingest.stored() == 1
    announced = await ingest.announced(infra)
    assert len(announced) == 1
    event = announced[0]
    assert (event.subject, event.workspace) == (first.json()["mention_id"], "acme")
    assert (event.data.text, event.data.source_id) == ("Bravo pour la nouvelle appli", source["id"])

    mention = await ingest.client.get(f"/mentions/{event.subject}", headers=ingest.admin)
    assert mention.status_code == 200
    assert mention.json()["external_id"] == "1001"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda headers, body, secret: {**headers, "webhook-signature": "v1,bm90IGEgc2lnbmF0dXJl"},
        lambda headers, body, secret: {
            k: v for k, v in headers.items() if k != "webhook-signature"
        },
        lambda headers, body, secret: {},
        lambda headers, body, secret: signed("whsec_" + "QUJD" * 8, body),
        lambda headers, body, secret: signed(secret, body, age=timedelta(minutes=6)),
    ],
    ids=["forged", "unsigned", "no-headers", "other-secret", "stale-replay"],
)
async def test_unverifiable_webhooks_are_401_and_leave_no_trace(
    ingest: Ingest, infra: Infra, tamper: Callable[[dict[str, str], bytes, str], dict[str, str]]
) -> None:
    source = await ingest.source()
    body = mention_body("2002")
    headers = tamper(signed(source["secret"], body), body, source["secret"])
    response = await ingest.post(source, body, headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert "signature refused" in response.json()["message"]
    assert await ingest.stored() == 0
    assert await ingest.announced(infra) == []


async def test_an_authentic_but_malformed_payload_is_422_naming_the_field(ingest: Ingest) -> None:
    source = await ingest.source()
    body = mention_body("3003").replace(b'"external_id": "3003"', b'"external_id": ""')
    response = await ingest.post(source, body, signed(source["secret"], body))
    assert response.status_code == 422
    assert "body.data.external_id" in response.json()["message"]
    not_json = b"{not json"
    response = await ingest.post(source, not_json, signed(source["secret"], not_json))
    assert response.status_code == 422
    assert await ingest.stored() == 0


async def test_unknown_sources_are_404_and_oversized_bodies_413(ingest: Ingest) -> None:
    body = mention_body("4004")
    response = await ingest.client.post(
        "/webhooks/generic/nope", content=body, headers=signed("whsec_QUJD", body)
    )
    assert response.status_code == 404
    huge = b"x" * (ingest.settings.http.max_body_bytes + 1)
    source = await ingest.source()
    response = await ingest.post(source, huge, signed(source["secret"], huge))
    assert response.status_code == 413
    assert await ingest.stored() == 0


async def test_staff_endpoints_need_a_token_and_the_right_role(ingest: Ingest) -> None:
    assert (await ingest.client.post("/sources", json={"name": "x"})).status_code == 401
    member = bearer(ingest.secret, "acme", Role.MEMBER)
    assert (
        await ingest.client.post("/sources", json={"name": "x"}, headers=member)
    ).status_code == 403
    forged = {
        "authorization": "Bearer "
        + bearer("another-secret-" + "x" * 32, "acme", Role.ADMIN)["authorization"][7:]
    }
    assert (await ingest.client.get("/sources", headers=forged)).status_code == 401
    bad = await ingest.client.post("/sources", json={"name": ""}, headers=ingest.admin)
    assert bad.status_code == 422
    assert "body.name" in bad.json()["message"]


async def test_a_mention_is_invisible_from_another_workspace(ingest: Ingest) -> None:
    source = await ingest.source()
    body = mention_body("5005")
    created = (await ingest.post(source, body, signed(source["secret"], body))).json()
    other = bearer(ingest.secret, "globex", Role.ADMIN)
    assert (
        await ingest.client.get(f"/mentions/{created['mention_id']}", headers=other)
    ).status_code == 404
    listing = await ingest.client.get("/mentions", headers=other)
    assert listing.json()["items"] == []


async def test_mentions_are_listed_newest_first_page_by_page(ingest: Ingest) -> None:
    source = await ingest.source()
    for n in range(5):
        body = mention_body(f"60{n}")
        assert (await ingest.post(source, body, signed(source["secret"], body))).status_code == 202
    seen: list[str] = []
    cursor: dict[str, str] = {}
    while True:
        page = (
            await ingest.client.get(
                "/mentions", params={"limit": 2, **cursor}, headers=ingest.admin
            )
        ).json()
        seen += [m["external_id"] for m in page["items"]]
        if page["next_before"] is None:
            break
        cursor = {"before": page["next_before"]}
    assert seen == ["604", "603", "602", "601", "600"]


async def test_operations_endpoints_answer(ingest: Ingest) -> None:
    assert (await ingest.client.get("/healthz")).json() == {"status": "ok", "service": "ingest"}
    ready = await ingest.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"mongodb": "ok", "kafka": "ok"}
    asyncapi = (await ingest.client.get("/asyncapi.json")).json()
    assert asyncapi["asyncapi"].startswith("3.")
    assert any(c["address"].endswith(".mentions") for c in asyncapi["channels"].values())
    assert "MentionReceivedV1" in asyncapi["components"]["schemas"]
    openapi = (await ingest.client.get("/openapi.json")).json()
    assert "GenericWebhook" in openapi["components"]["schemas"]
    assert "ensemble_http_request_seconds" in (await ingest.client.get("/metrics")).text
