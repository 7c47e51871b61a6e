"""`GET /approvals/awaiting-me` on the real store: the items whose open step the caller may
decide and has not decided, by the decision route's rules, paged, within one workspace."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from component.scheduler.test_scheduler_approvals import TWO_STEPS, decide, setup
from ensemble_scheduler.main import create_app
from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from support.apps import running
from support.scheduler import Scheduler
from support.waiting import eventually

AWAITING = "/approvals/awaiting-me"


async def draft_and_request(s: Scheduler, title: str) -> str:
    created = await s.client.post(
        "/content",
        json={"kind": "post", "channel": "mastodon", "title": title, "body": f"{title} body"},
        headers=s.manager,
    )
    assert created.status_code == 201, created.text
    content_id: str = created.json()["id"]
    requested = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert requested.status_code == 201, requested.text
    return content_id


async def awaiting(s: Scheduler, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every row, page after page (each page's `next_cursor`)."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    for _ in range(100):
        query = {**params, **({"cursor": cursor} if cursor else {})}
        answer = await s.client.get(AWAITING, params=query, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        rows.extend(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return rows
    raise AssertionError("the pages never ended")


def ids(rows: list[dict[str, Any]]) -> list[str]:
    return [row["content_id"] for row in rows]


async def test_an_item_beyond_the_newest_25_in_review_is_listed_and_pages_hold_each_once(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    first = await setup(s)  # the oldest item: 30 newer ones follow it into review
    requested = await s.client.post(f"/content/{first}/approval", json={}, headers=s.manager)
    assert requested.status_code == 201, requested.text
    newer = [await draft_and_request(s, f"Post {n}") for n in range(30)]
    listed = await s.client.get("/content", params={"limit": 25}, headers=s.manager)
    assert first not in [item["id"] for item in listed.json()["items"]]

    mia = s.staff("mia", teams=["marketing"])
    everything = await s.client.get(AWAITING, params={"limit": 200}, headers=mia)
    rows = everything.json()["items"]
    assert sorted(ids(rows)) == sorted([first, *newer])
    oldest = next(row for row in rows if row["content_id"] == first)
    assert (oldest["title"], oldest["step"], oldest["kind"], oldest["channel"]) == (
        "Launch",
        "marketing",
        "post",
        "mastodon",
    )
    assert (oldest["requested_by"], oldest["version"], oldest["as_backup"]) == ("maya", 1, False)
    assert oldest["due_at"] is not None
    assert oldest["requested_at"] > ""
    due = [row["due_at"] for row in rows]
    assert due == sorted(due)  # soonest due first

    paged = await awaiting(s, mia, limit=7)
    assert ids(paged) == ids(rows)  # same order, each row once, none lost between pages


async def test_only_the_approvers_of_the_open_step_see_it_until_they_decide(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    content_id = await setup(s)
    assert (
        await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    ).is_success
    mia = s.staff("mia", teams=["marketing"])
    lea = s.staff("lea", teams=["legal"])
    cy = s.staff("cy", teams=["communication"])
    outsider = s.staff("max", teams=["sales"])
    by_person = s.staff("mia", teams=[])  # the same person without the team names nothing

    assert ids(await awaiting(s, mia)) == [content_id]
    for other in (lea, cy, outsider, by_person):
        assert await awaiting(s, other) == []

    assert (await decide(s, content_id, mia, "marketing")).status_code == 200
    assert await awaiting(s, mia) == []  # decided: the step moved on to legal
    [row] = await awaiting(s, lea)
    assert (row["content_id"], row["step"]) == (content_id, "legal")
    assert ids(await awaiting(s, cy)) == [content_id]

    assert (await decide(s, content_id, lea, "legal")).json()["status"] == "in_review"
    assert await awaiting(s, lea) == []  # quorum all: lea decided, communication is missing
    assert ids(await awaiting(s, s.staff("leo", teams=["legal"]))) == []  # legal's slot is covered
    assert ids(await awaiting(s, cy)) == [content_id]
    assert (await decide(s, content_id, cy, "legal")).json()["status"] == "approved"
    assert await awaiting(s, cy) == []


async def test_the_requester_sees_their_own_item_only_when_the_policy_allows_self_approval(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    maya = s.manager  # she drafts, requests, and is named by the step
    review: dict[str, Any] = {"steps": [{"name": "review", "people": ["maya", "mia"]}]}
    guarded = await setup(s, review)
    assert (await s.client.post(f"/content/{guarded}/approval", json={}, headers=maya)).is_success
    assert await awaiting(s, maya) == []
    assert ids(await awaiting(s, s.staff("mia"))) == [guarded]

    trusting = await setup(s, {**review, "allow_self_approval": True})
    assert (await s.client.post(f"/content/{trusting}/approval", json={}, headers=maya)).is_success
    assert ids(await awaiting(s, maya)) == [trusting]  # the rule copied into each request
    assert sorted(ids(await awaiting(s, s.staff("mia")))) == sorted([guarded, trusting])


async def test_a_backup_sees_an_overdue_step_once_it_escalated_to_them(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    overdue: dict[str, Any] = {
        "steps": [
            {"name": "marketing", "teams": ["marketing"], "backup": {"people": ["boss"]}},
            {"name": "legal", "teams": ["legal"], "sla_minutes": 60},
        ]
    }
    put = await s.client.put("/approval-policies/standard", json=overdue, headers=s.admin)
    assert put.status_code == 200, put.text
    # legal needs 60 minutes before the slot: marketing is overdue from the start
    slot = (utcnow() + timedelta(minutes=10)).replace(microsecond=0).isoformat()
    created = await s.client.post(
        "/content",
        json={"kind": "post", "channel": "mastodon", "body": "Soon", "slot": slot},
        headers=s.manager,
    )
    content_id = created.json()["id"]
    assert (
        await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    ).is_success
    boss = s.staff("boss", teams=["directors"])
    [row] = await eventually(
        lambda: awaiting(s, boss), lambda rows: len(rows) == 1, what="the escalation"
    )
    assert (row["content_id"], row["step"], row["as_backup"]) == (content_id, "marketing", True)
    assert row["title"] is None
    assert row["excerpt"] == "Soon"
    [named] = await awaiting(s, s.staff("mia", teams=["marketing"]))
    assert named["as_backup"] is False
    assert (await decide(s, content_id, boss, "marketing")).status_code == 200
    assert await awaiting(s, boss) == []


async def test_steps_opened_before_the_index_existed_are_indexed_when_scheduler_starts(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    content_id = await setup(s)
    asked = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert asked.status_code == 201, asked.text
    db = s.database()
    await db["approval_open_steps"].delete_many({})  # as in a store from before the index
    await db["approval_open_steps_built"].delete_many({})
    mia = s.staff("mia", teams=["marketing"])
    assert await awaiting(s, mia) == []  # the list reads the index, nothing else
    async with running(create_app(s.settings)) as client:  # a restart (a second replica)
        restarted = Scheduler(client, s.settings, s.issuer)
        [row] = await awaiting(restarted, mia)
        assert (row["content_id"], row["step"]) == (content_id, "marketing")
        plans = await client.get(f"/content/{content_id}/approval/deadlines", headers=mia)
        assert len(plans.json()) == 1  # the step's plan stands: nothing planned twice
        assert row["due_at"] == plans.json()[0]["due_at"]
    assert await db["approval_open_steps_built"].count_documents({}) == 1


async def test_another_workspace_sees_nothing_and_the_route_refuses_what_it_should(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    content_id = await setup(s, TWO_STEPS)
    assert (
        await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    ).is_success
    elsewhere = s.staff("mia", teams=["marketing"], workspace="globex")
    assert await awaiting(s, elsewhere) == []
    mia = s.staff("mia", teams=["marketing"])
    assert ids(await awaiting(s, mia)) == [content_id]

    bad_cursor = await s.client.get(AWAITING, params={"cursor": "not-a-cursor"}, headers=mia)
    assert bad_cursor.status_code == 422, bad_cursor.text
    too_many = await s.client.get(AWAITING, params={"limit": 201}, headers=mia)
    assert too_many.status_code == 422
    assert (await s.client.get(AWAITING)).status_code == 401
    member = s.staff("mia", roles=(Role.MEMBER,), teams=["marketing"])
    assert (await s.client.get(AWAITING, headers=member)).status_code == 403

    document = (await s.client.get("/openapi.json")).json()
    operation = document["paths"][AWAITING]["get"]
    assert {"401", "403", "422"} <= set(operation["responses"])
    assert "awaits my decision" in operation["summary"]
    assert "self-approval" in operation["description"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/AwaitingPage")
