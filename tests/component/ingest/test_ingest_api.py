"""Ingest's API in-process, on the real store and broker: sources, webhooks, inbox, triage."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.auth import Role
from ensemble_shared.events import Event, MentionTriagedV1
from support.apps import bearer
from support.ingest import Ingest
from support.mentions import mention_body, signed
from support.waiting import eventually


def types(events: list[Event]) -> Counter[str]:
    return Counter(e.type for e in events)


async def test_a_signed_mention_is_archived_stored_triaged_and_announced_once(
    ingest: Ingest, infra: Infra
) -> None:
    source = await ingest.source()
    body = mention_body("1001", text="Bravo pour la nouvelle appli, merci !")
    first = await ingest.post(source, body, signed(source["secret"], body))
    again = await ingest.post(source, body, signed(source["secret"], body))  # the sender retries
    assert first.status_code == again.status_code == 202
    [created] = first.json()["mentions"]
    assert created["result"] == "created"
    assert again.json()["mentions"] == [{**created, "result": "unchanged"}]
    assert await ingest.count("mentions") == 1
    events = await ingest.announced(infra)
    assert types(events) == {"mention.received.v1": 1, "mention.triaged.v1": 1}
    triaged = next(e for e in events if e.type == "mention.triaged.v1")
    assert triaged.data.triage.language == "fr"  # type: ignore[attr-defined]
    assert triaged.data.triage.sentiment == "positive"  # type: ignore[attr-defined]

    mention = (
        await ingest.client.get(f"/mentions/{created['mention_id']}", headers=ingest.manager)
    ).json()
    assert (mention["external_id"], mention["status"], mention["triage"]["language"]) == (
        "1001",
        "new",
        "fr",
    )
    raw = (await ingest.client.get(f"/raw/{mention['raw_id']}", headers=ingest.manager)).json()
    assert raw["status"] == "processed"
    assert json.loads(raw["payload"]["body"])["data"]["external_id"] == "1001"
    assert raw["mention_ids"] == [created["mention_id"]]


async def test_an_edit_updates_the_mention_and_a_platform_delete_tombstones_it(
    ingest: Ingest, infra: Infra
) -> None:
    source = await ingest.source()
    mention_id = await ingest.send(source, "2001", text="Great app")
    edited = mention_body("2001", text="Great app, but the login is broken")
    response = await ingest.post(source, edited, signed(source["secret"], edited))
    assert response.json()["mentions"] == [{"mention_id": mention_id, "result": "updated"}]
    mention = (await ingest.client.get(f"/mentions/{mention_id}", headers=ingest.manager)).json()
    assert (mention["text"], mention["version"]) == ("Great app, but the login is broken", 2)

    deletion = json.dumps(
        {
            "type": "mention.deleted",
            "timestamp": mention["received_at"],
            "data": {"platform": "forum", "external_id": "2001"},
        }
    ).encode()
    response = await ingest.post(source, deletion, signed(source["secret"], deletion))
    assert response.json()["mentions"] == [{"mention_id": mention_id, "result": "deleted"}]
    listing = (await ingest.client.get("/mentions", headers=ingest.manager)).json()
    assert listing["items"] == []  # tombstoned mentions leave the inbox...
    kept = (
        await ingest.client.get(
            "/mentions", params={"include_deleted": True}, headers=ingest.manager
        )
    ).json()
    assert [m["deleted_at"] is not None for m in kept["items"]] == [True]  # ...but are never erased
    # Each change's event is published after its write (by the outbox relay when Kafka is slow).
    counted = await eventually(
        lambda: ingest.announced(infra),
        lambda events: {"mention.updated.v1", "mention.deleted.v1"} <= set(types(events)),
        what="the edit and the deletion announced",
    )
    assert types(counted)["mention.updated.v1"] == 1
    assert types(counted)["mention.deleted.v1"] == 1
    timeline = (
        await ingest.client.get(f"/mentions/{mention_id}/timeline", headers=ingest.manager)
    ).json()
    assert [e["type"] for e in timeline][:3] == [
        "mention.received.v1",
        "mention.triaged.v1",
        "mention.updated.v1",
    ]
    assert timeline[-1]["type"] == "mention.deleted.v1"


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
    body = mention_body("3003")
    response = await ingest.post(
        source, body, tamper(signed(source["secret"], body), body, source["secret"])
    )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"
    assert "signature refused" in response.json()["message"]
    assert await ingest.count("mentions") == 0
    assert await ingest.count("raw_payloads") == 0
    assert await ingest.announced(infra) == []


async def test_an_authentic_but_malformed_payload_is_422_and_archived_as_rejected(
    ingest: Ingest,
) -> None:
    source = await ingest.source()
    body = mention_body("4004").replace(b'"external_id": "4004"', b'"external_id": ""')
    response = await ingest.post(source, body, signed(source["secret"], body))
    assert response.status_code == 422
    assert "external_id" in response.json()["message"]
    not_json = b"{not json"
    response = await ingest.post(source, not_json, signed(source["secret"], not_json))
    assert response.status_code == 422
    assert await ingest.count("mentions") == 0
    assert await ingest.count("raw_payloads") == 2  # nothing lost: kept, with the reason
    assert await ingest.count("raw_outcomes", {"status": "rejected"}) == 2


async def test_a_concurrent_burst_gets_one_answer_per_request_and_each_event_its_requests_id(
    ingest: Ingest, infra: Infra
) -> None:
    """Requests arriving together share their store round trips (group commit), yet each is
    answered for itself: created once per mention (a repeat in the same burst is unchanged),
    a malformed one 422 and kept as rejected; every event carries its own request's id."""
    source = await ingest.source()
    bodies = [mention_body(f"burst-{n}") for n in range(40)]
    bodies += bodies[:5]  # the platform retries five while the burst is in flight
    bad = mention_body("burst-bad").replace(b'"external_id": "burst-bad"', b'"external_id": ""')

    async def send(body: bytes) -> httpx.Response:
        external_id = json.loads(body)["data"]["external_id"] or "bad"
        headers = {**signed(source["secret"], body), "x-correlation-id": f"cid-{external_id}"}
        return await ingest.post(source, body, headers)

    answers = await asyncio.gather(*(send(b) for b in [*bodies, bad]))
    assert [a.status_code for a in answers] == [202] * 45 + [422]
    results = Counter(a.json()["mentions"][0]["result"] for a in answers[:45])
    assert results == {"created": 40, "unchanged": 5}
    assert len({a.json()["raw_id"] for a in answers[:45]}) == 45
    assert await ingest.count("mentions") == 40
    assert await ingest.count("raw_payloads") == 46
    assert await ingest.count("raw_outcomes", {"status": "rejected"}) == 1
    assert await ingest.count("raw_pending") == 0
    events = await eventually(
        lambda: ingest.announced(infra),
        lambda es: len(es) >= 80,
        what="a received and a triaged event per mention",
    )
    assert types(events) == {"mention.received.v1": 40, "mention.triaged.v1": 40}
    for event in events:
        data = event.data.mention if isinstance(event, MentionTriagedV1) else event.data
        assert event.correlation_id == f"cid-{data.external_id}", event  # type: ignore[attr-defined]


async def test_unknown_sources_are_404_and_oversized_bodies_413(ingest: Ingest) -> None:
    body = mention_body("5005")
    response = await ingest.client.post(
        "/webhooks/generic/nope", content=body, headers=signed("whsec_QUJD", body)
    )
    assert response.status_code == 404
    source = await ingest.source()
    wrong_platform = source["webhook_path"].replace("/generic/", "/github/")
    assert (await ingest.client.post(wrong_platform, content=body)).status_code == 404
    assert (
        await ingest.client.post(
            source["webhook_path"].replace("/generic/", "/myspace/"), content=body
        )
    ).status_code == 422
    huge = b"x" * (ingest.settings.http.max_body_bytes + 1)
    response = await ingest.post(source, huge, signed(source["secret"], huge))
    assert response.status_code == 413
    assert await ingest.count("raw_payloads") == 0


async def test_staff_endpoints_need_a_token_and_the_right_role(ingest: Ingest) -> None:
    assert (await ingest.client.post("/sources", json={"name": "x"})).status_code == 401
    member = bearer(ingest.issuer, "acme", Role.MEMBER)
    assert (
        await ingest.client.post("/sources", json={"name": "x"}, headers=member)
    ).status_code == 403
    assert (await ingest.client.get("/mentions", headers=member)).status_code == 403
    forged = bearer(LocalIssuer(), "acme", Role.ADMIN)  # a key identity never published
    assert (await ingest.client.get("/sources", headers=forged)).status_code == 401
    bad = await ingest.client.post("/sources", json={"name": ""}, headers=ingest.admin)
    assert bad.status_code == 422
    assert "body.name" in bad.json()["message"]
    bad = await ingest.client.post(
        "/sources",
        json={"name": "m", "config": {"platform": "meta", "verify_token": "t"}},
        headers=ingest.admin,
    )
    assert bad.status_code == 422
    assert "app_secret" in bad.json()["message"]


async def test_a_mention_is_invisible_from_another_workspace(ingest: Ingest) -> None:
    source = await ingest.source()
    mention_id = await ingest.send(source, "6006")
    other = bearer(ingest.issuer, "globex", Role.ADMIN)
    assert (await ingest.client.get(f"/mentions/{mention_id}", headers=other)).status_code == 404
    assert (
        await ingest.client.post(
            f"/mentions/{mention_id}/status", json={"status": "closed"}, headers=other
        )
    ).status_code == 404
    assert (await ingest.client.get("/mentions", headers=other)).json()["items"] == []
    assert (await ingest.client.get(f"/sources/{source['id']}", headers=other)).status_code == 404


async def test_the_inbox_searches_pages_assigns_moves_and_notes(
    ingest: Ingest, infra: Infra
) -> None:
    source = await ingest.source()
    angry = await ingest.send(
        source, "7000", text="Terrible service, I am furious and want a refund"
    )
    for n in range(1, 5):
        await ingest.send(source, f"700{n}", text=f"Nice update number {n}, love it")
    seen: list[str] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        page = (await ingest.client.get("/mentions", params=params, headers=ingest.manager)).json()
        seen += [m["external_id"] for m in page["items"]]
        if page["next_cursor"] is None:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert seen == ["7004", "7003", "7002", "7001", "7000"]
    negative = (
        await ingest.client.get(
            "/mentions", params={"sentiment": "negative"}, headers=ingest.manager
        )
    ).json()
    assert [m["id"] for m in negative["items"]] == [angry]
    assert negative["items"][0]["triage"]["priority"] == "high"
    found = (
        await ingest.client.get("/mentions", params={"text": "REFUND"}, headers=ingest.manager)
    ).json()
    assert [m["id"] for m in found["items"]] == [angry]

    assigned = await ingest.client.post(
        f"/mentions/{angry}/assignment",
        json={"assignee": "lea", "team": "support"},
        headers=ingest.manager,
    )
    assert (assigned.json()["status"], assigned.json()["assignee"]) == ("assigned", "lea")
    await ingest.client.post(
        f"/mentions/{angry}/notes", json={"text": "Called the customer"}, headers=ingest.manager
    )
    closed = await ingest.client.post(
        f"/mentions/{angry}/status", json={"status": "closed"}, headers=ingest.manager
    )
    assert closed.json()["status"] == "closed"
    mine = (
        await ingest.client.get(
            "/mentions", params={"assignee": "lea", "status": "closed"}, headers=ingest.manager
        )
    ).json()
    assert [m["id"] for m in mine["items"]] == [angry]
    timeline = (
        await ingest.client.get(f"/mentions/{angry}/timeline", headers=ingest.manager)
    ).json()
    assert [e["type"] for e in timeline] == [
        "mention.received.v1",
        "mention.triaged.v1",
        "mention.assigned.v1",
        "mention.status_changed.v1",
        "mention.note_added.v1",
        "mention.status_changed.v1",
    ]
    assert timeline[2]["data"]["by"] == "maya"
    counted = types(await ingest.announced(infra))
    assert (counted["mention.assigned.v1"], counted["mention.status_changed.v1"]) == (1, 2)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"cursor": "bm9wZQ"}, "cursor"),
        ({"platform": "$ne"}, "platform"),
        ({"limit": 500}, "limit"),
    ],
)
async def test_bad_search_input_is_refused_with_the_field_named(
    ingest: Ingest, params: dict[str, Any], field: str
) -> None:
    response = await ingest.client.get("/mentions", params=params, headers=ingest.manager)
    assert response.status_code == 422
    assert field in response.json()["message"]


async def test_triage_rules_apply_to_new_mentions_and_bad_rules_are_422(ingest: Ingest) -> None:
    rules = {
        "rules": [
            {
                "name": "bugs",
                "query": '(bug OR "login is broken") AND NOT spam',
                "actions": {
                    "tags": ["bug"],
                    "priority": "urgent",
                    "team": "product",
                    "mark_as": "feedback",
                },
            },
        ],
        "vip_authors": ["forum:camille"],
    }
    response = await ingest.client.put("/triage/settings", json=rules, headers=ingest.admin)
    assert response.status_code == 200, response.text
    source = await ingest.source()
    mention_id = await ingest.send(source, "8001", text="The login is broken again")
    triage = (await ingest.client.get(f"/mentions/{mention_id}", headers=ingest.manager)).json()[
        "triage"
    ]
    assert (triage["tags"], triage["priority"], triage["team"], triage["kind"], triage["vip"]) == (
        ["bug"],
        "urgent",
        "product",
        "feedback",
        True,
    )
    bad = await ingest.client.put(
        "/triage/settings",
        json={"rules": [{"name": "x", "query": "bug AND (", "actions": {}}]},
        headers=ingest.admin,
    )
    assert bad.status_code == 422
    assert "query" in bad.json()["message"]


async def test_operations_endpoints_answer(ingest: Ingest) -> None:
    assert (await ingest.client.get("/healthz")).json() == {"status": "ok", "service": "ingest"}
    ready = await ingest.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"mongodb": "ok", "kafka": "ok"}
    asyncapi = (await ingest.client.get("/asyncapi.json")).json()
    assert asyncapi["asyncapi"].startswith("3.")
    assert any(c["address"].endswith(".mentions") for c in asyncapi["channels"].values())
    for schema in ("MentionReceivedV1", "MentionTriagedV1", "MentionSpikeDetectedV1"):
        assert schema in asyncapi["components"]["schemas"]
    openapi = (await ingest.client.get("/openapi.json")).json()
    assert "GenericWebhook" in openapi["components"]["schemas"]
    assert "ensemble_http_request_seconds" in (await ingest.client.get("/metrics")).text
