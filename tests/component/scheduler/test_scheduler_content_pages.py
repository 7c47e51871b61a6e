"""Content lists on the real store: pages of drafts and comments walk every item once, a
cursor this API did not make is refused, and another workspace's item is not found."""

from __future__ import annotations

from typing import Any

from ensemble_shared.auth import Role
from support.apps import bearer
from support.scheduler import Scheduler


async def walk(s: Scheduler, path: str, limit: int) -> list[dict[str, Any]]:
    """Every page of a list, following next_cursor."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit}
    while True:
        page = await s.client.get(path, params=params, headers=s.manager)
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        if body["next_cursor"] is None:
            return items
        params = {"limit": limit, "cursor": body["next_cursor"]}


async def test_drafts_and_comments_page_through_every_item_once(scheduler: Scheduler) -> None:
    s = scheduler
    created = []
    for n in range(5):
        response = await s.client.post(
            "/content",
            json={"kind": "post", "channel": "mastodon", "title": f"Post {n}", "body": "Text"},
            headers=s.manager,
        )
        assert response.status_code == 201, response.text
        created.append(response.json()["id"])
    drafts = await walk(s, "/content", limit=2)
    assert [d["id"] for d in drafts] == created[::-1]  # newest first, each once

    content_id = created[0]
    for n in range(5):
        posted = await s.client.post(
            f"/content/{content_id}/comments", json={"body": f"note {n}"}, headers=s.manager
        )
        assert posted.status_code == 201, posted.text
    comments = await walk(s, f"/content/{content_id}/comments", limit=2)
    assert [c["body"] for c in comments] == [f"note {n}" for n in range(5)]  # oldest first


async def test_a_foreign_cursor_or_workspace_is_refused_with_a_reason(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    response = await s.client.post(
        "/content",
        json={"kind": "post", "channel": "mastodon", "title": "Mine", "body": "Text"},
        headers=s.manager,
    )
    content_id = response.json()["id"]
    for path in ("/content", f"/content/{content_id}/comments"):
        refused = await s.client.get(path, params={"cursor": "not-a-cursor"}, headers=s.manager)
        assert refused.status_code == 422, refused.text
        assert "cursor" in refused.json()["message"]
    other = bearer(s.issuer, "other", Role.MANAGER)
    for path in (f"/content/{content_id}", f"/content/{content_id}/comments"):
        elsewhere = await s.client.get(path, headers=other)
        assert elsewhere.status_code == 404, elsewhere.text
    assert (await s.client.get("/content", headers=other)).json()["items"] == []


async def test_a_page_shows_each_item_as_its_own_page_does_whatever_its_state(
    scheduler: Scheduler,
) -> None:
    """The list reads a page of items together; each row must be what the item's own route
    says: latest version, authors, approval status and id, for drafts, items in review,
    approved, rejected (a draft again) and edited after a request."""
    s = scheduler
    policy = {"steps": [{"name": "review", "people": ["mia"]}]}
    put = await s.client.put("/approval-policies/standard", json=policy, headers=s.admin)
    assert put.status_code == 200, put.text
    mia = s.staff("mia")
    ids: dict[str, str] = {}
    for name in ("draft", "in_review", "approved", "rejected", "edited"):
        created = await s.client.post(
            "/content", json={"kind": "post", "channel": "x", "body": name}, headers=s.manager
        )
        assert created.status_code == 201, created.text
        ids[name] = created.json()["id"]
    for name in ("in_review", "approved", "rejected", "edited"):
        asked = await s.client.post(f"/content/{ids[name]}/approval", json={}, headers=s.manager)
        assert asked.status_code == 201, asked.text
    for name, decision in (("approved", "approve"), ("rejected", "reject")):
        body: dict[str, Any] = {"step": "review", "decision": decision}
        if decision == "reject":
            body["comment"] = "no"
        decided = await s.client.post(
            f"/content/{ids[name]}/approval/decisions", json=body, headers=mia
        )
        assert decided.status_code == 200, decided.text
    edited = await s.client.patch(
        f"/content/{ids['edited']}",
        json={"base_version": 1, "body": "edited again"},
        headers=s.admin,
    )
    assert edited.status_code == 200, edited.text

    listed = {item["id"]: item for item in await walk(s, "/content", 2)}
    for name, content_id in ids.items():
        alone = await s.client.get(f"/content/{content_id}", headers=s.manager)
        assert listed[content_id] == alone.json(), name
    statuses = {name: listed[content_id]["status"] for name, content_id in ids.items()}
    assert statuses == {
        "draft": "draft",
        "in_review": "in_review",
        "approved": "approved",
        "rejected": "draft",
        "edited": "in_review",
    }
    assert listed[ids["edited"]]["version"] == 2
    assert listed[ids["edited"]]["fields"]["body"] == "edited again"
    assert listed[ids["edited"]]["updated_by"] != listed[ids["edited"]]["created_by"]
