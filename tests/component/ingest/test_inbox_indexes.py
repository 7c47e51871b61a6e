"""The inbox's reads and what serves them: explained on a real MongoDB (index scans only), and
on the tests' store the reads FerretDB answers by key (an empty workspace, its marker)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from faststream.kafka import KafkaBroker

from ensemble_devtools.infra import Infra
from ensemble_ingest.models.mentions import InboxStatus, Mention
from ensemble_ingest.models.search import MentionQuery
from ensemble_ingest.storage import INDEXES, MentionRepository
from ensemble_ingest.storage.mentions import _document, inbox_find
from ensemble_ingest.storage.workspaces import COLLECTION as MARKS
from ensemble_shared.auth import Role
from ensemble_shared.events import Author, TriageData, utcnow
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.outbox import Outbox
from ensemble_shared.settings import MongoSettings
from ensemble_shared.storage import Client, Collection, Database, create_client, ensure_indexes
from ensemble_shared.topics import MENTIONS, Topics
from support.apps import bearer
from support.ingest import Ingest

MONGODB_URL = os.environ.get("ENSEMBLE_MONGODB_URL")
NOW = utcnow()
AFTER = (NOW - timedelta(hours=1), "m-0050")
QUERIES: dict[str, tuple[MentionQuery, bool]] = {
    # name: (filters, oldest first) — every filter the inbox offers, alone and combined
    "list": (MentionQuery(), False),
    "oldest_first": (MentionQuery(), True),
    "status": (MentionQuery(status="new"), False),
    "assignee": (MentionQuery(assignee="agent-1"), False),
    "team": (MentionQuery(team="support"), False),
    "platform": (MentionQuery(platform="mastodon"), False),
    "sentiment": (MentionQuery(sentiment="negative"), False),
    "priority": (MentionQuery(priority="urgent"), False),
    "tag": (MentionQuery(tag="delivery"), False),
    "kind": (MentionQuery(kind="request"), False),
    "date_range": (MentionQuery(since=NOW - timedelta(days=7), until=NOW), False),
    "combined": (
        MentionQuery(
            status="assigned",
            assignee="agent-1",
            platform="x",
            sentiment="negative",
            tag="delivery",
            since=NOW - timedelta(days=30),
            until=NOW,
        ),
        False,
    ),
    "text": (MentionQuery(text="parcel"), False),
    "with_deleted": (MentionQuery(include_deleted=True), False),
}


def _mentions(workspace: str, count: int) -> list[Mention]:
    platforms = ("x", "mastodon", "forum")
    statuses: tuple[InboxStatus, ...] = ("new", "assigned", "replied", "closed")
    return [
        Mention(
            id=f"{workspace}-{n:04d}",
            workspace=workspace,
            platform=platforms[n % 3],
            external_id=str(n),
            author=Author(id=str(n), handle=f"user{n}"),
            text=f"where is my parcel number {n}",
            created_at=NOW - timedelta(minutes=n),
            received_at=NOW - timedelta(minutes=n),
            triage=TriageData(
                sentiment="negative" if n % 4 == 0 else "neutral", tags=("delivery",)
            ),
            status=statuses[n % 4],
            assignee=None if n % 4 == 0 else f"agent-{n % 3}",
        )
        for n in range(count)
    ]


def _stages(plan: Any) -> list[str]:
    """Every stage of a MongoDB plan, however it nests (classic or slot-based engine)."""
    if isinstance(plan, list):
        return [stage for item in plan for stage in _stages(item)]
    if not isinstance(plan, dict):
        return []
    found = [plan["stage"]] if isinstance(plan.get("stage"), str) else []
    return found + [stage for value in plan.values() for stage in _stages(value)]


@pytest.fixture
async def mongodb(unique_name: Callable[[str], str]) -> AsyncIterator[Database]:
    if MONGODB_URL is None:
        pytest.skip(
            "no MongoDB: set ENSEMBLE_MONGODB_URL=mongodb://… (e.g. docker compose's) to explain "
            "the inbox's queries there; FerretDB has no query planner to assert index scans on"
        )
    client: Client = create_client(MongoSettings(url=MONGODB_URL))
    name = unique_name("inbox")
    try:
        yield client[name]
    finally:
        await client.drop_database(name)
        client.close()


async def test_on_mongodb_every_inbox_query_is_an_index_scan(mongodb: Database) -> None:
    await ensure_indexes(mongodb, INDEXES)
    collection = mongodb["mentions"]
    for workspace in ("acme", "globex"):
        await collection.insert_many([_document(m) for m in _mentions(workspace, 300)])
    for name, (query, oldest) in QUERIES.items():
        for after in (None, AFTER):
            filters, order = inbox_find("acme", query, after=after, oldest_first=oldest)
            plan = await collection.find(filters).sort(order).limit(50).explain()
            stages = _stages(plan["queryPlanner"]["winningPlan"])
            assert "COLLSCAN" not in stages, (name, after, stages)
            assert "IXSCAN" in stages, (name, after, stages)


async def _explain(collection: Collection, filters: dict[str, Any]) -> dict[str, Any]:
    command = {"explain": {"find": collection.name, "filter": filters}, "verbosity": "queryPlanner"}
    answer: dict[str, Any] = await collection.database.command(command)
    return answer


async def _is_ferretdb(client: Client) -> bool:
    return "ferretdbVersion" in await client.admin.command("buildInfo")


def _on_sqlite(explained: dict[str, Any]) -> bool:
    """FerretDB over SQLite explains with SQLite's plan rows ("id=… detail=…")."""
    plan = explained["queryPlanner"].get("Plan")
    return isinstance(plan, list) and all(str(row).startswith("id=") for row in plan)


async def test_an_empty_workspace_is_answered_from_its_missing_marker(
    ingest: Ingest, infra: Infra
) -> None:
    source = await ingest.source()
    await ingest.send(source, "1", text="Where is my parcel?")
    others = bearer(ingest.issuer, "globex", Role.MANAGER, subject="gus")
    answer = await ingest.client.get("/mentions", params={"limit": 50}, headers=others)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"items": [], "next_cursor": None}
    mine = await ingest.client.get("/mentions", headers=ingest.manager)
    assert [m["external_id"] for m in mine.json()["items"]] == ["1"]

    client = create_client(MongoSettings(url=ingest.settings.mongo.url))
    try:
        database = client[ingest.settings.database]
        assert await database[MARKS].find_one({"_id": "ws:acme"}) is not None
        ferretdb = await _is_ferretdb(client)
        keyed = await _explain(database[MARKS], {"_id": "ws:globex"})
        inbox, _ = inbox_find("acme", MentionQuery(), after=None)
        listed = await _explain(database["mentions"], inbox)
    finally:
        client.close()
    if not ferretdb:  # MongoDB: a read by _id, the inbox by its index
        assert {"IDHACK", "EXPRESS_IXSCAN", "IXSCAN"} & set(_stages(keyed["queryPlanner"]))
        assert "COLLSCAN" not in _stages(listed["queryPlanner"])
    else:  # FerretDB: the marker by primary key; the inbox's equality in SQL on PostgreSQL only
        assert keyed["filterPushdown"] is True
        assert listed["filterPushdown"] is not _on_sqlite(listed)


async def test_mentions_stored_before_markers_are_listed_and_then_marked(
    database: Database, broker: KafkaBroker
) -> None:
    await database["mentions"].insert_many([_document(m) for m in _mentions("acme", 3)])
    outbox = Outbox(EventPublisher(broker, Topics("t."), [MENTIONS]), Topics("t."), database)

    before = MentionRepository(database["mentions"], outbox)  # as the first read after upgrade
    assert len(await before.search("acme", MentionQuery(), after=None, limit=50)) == 3
    assert await before.search("globex", MentionQuery(), after=None, limit=50) == []

    await before.mark_workspaces()
    await before.mark_workspaces()  # once per database: the second is a keyed read
    assert {d["_id"] async for d in database[MARKS].find({})} == {"ws:acme", "complete"}
    after = MentionRepository(database["mentions"], outbox)  # another replica, caches empty
    assert len(await after.search("acme", MentionQuery(), after=None, limit=50)) == 3
    assert not await after.marks.may_hold_mentions("globex")
    assert await after.marks.may_hold_mentions("acme")
