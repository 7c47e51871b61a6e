"""The inbox's order and each person's saved views, through ingest's API on the real store."""

from __future__ import annotations

import asyncio
from typing import Any

from ensemble_shared.auth import Role
from support.apps import bearer
from support.ingest import Ingest


async def pages(ingest: Ingest, params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Every page of a search: the external ids in order, and the cursors handed out."""
    seen: list[str] = []
    cursors: list[str] = []
    asked = dict(params)
    while True:
        answer = await ingest.client.get("/mentions", params=asked, headers=ingest.manager)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [m["external_id"] for m in page["items"]]
        if page["next_cursor"] is None:
            return seen, cursors
        cursors.append(page["next_cursor"])
        asked = {**params, "cursor": page["next_cursor"]}


async def test_the_inbox_pages_longest_waiting_first_and_a_cursor_keeps_its_order(
    ingest: Ingest,
) -> None:
    source = await ingest.source()
    for n in range(5):
        await ingest.send(source, f"80{n}", text=f"Question number {n}")
    oldest, forward = await pages(ingest, {"sort": "oldest", "limit": 2})
    assert oldest == ["800", "801", "802", "803", "804"]
    newest, backward = await pages(ingest, {"limit": 2})
    assert newest == ["804", "803", "802", "801", "800"]
    assert await pages(ingest, {"sort": "newest", "limit": 2}) == (newest, backward)
    assert (await pages(ingest, {"sort": "oldest", "limit": 2, "text": "number 3"}))[0] == ["803"]

    for cursor, wrong in ((forward[0], "newest"), (backward[0], "oldest")):
        mixed = await ingest.client.get(
            "/mentions", params={"sort": wrong, "cursor": cursor}, headers=ingest.manager
        )
        assert mixed.status_code == 422, mixed.text
        assert "cursor" in mixed.json()["message"]
    unknown = await ingest.client.get("/mentions", params={"sort": "sla"}, headers=ingest.manager)
    assert unknown.status_code == 422
    assert "sort" in unknown.json()["message"]


async def test_a_person_saves_lists_applies_and_deletes_only_their_own_views(
    ingest: Ingest,
) -> None:
    source = await ingest.source()
    angry = await ingest.send(source, "900", text="Terrible service, I am furious")
    await ingest.send(source, "901", text="Lovely update, thank you")
    body = {
        "name": "  Angry, waiting longest  ",
        "filters": {"sentiment": "negative", "status": "new"},
        "sort": "oldest",
    }
    saved = await ingest.client.post("/views", json=body, headers=ingest.manager)
    assert saved.status_code == 201, saved.text
    view = saved.json()
    assert (view["name"], view["sort"]) == ("Angry, waiting longest", "oldest")
    listed = (await ingest.client.get("/views", headers=ingest.manager)).json()
    assert [v["id"] for v in listed] == [view["id"]]
    filters = {k: v for k, v in listed[0]["filters"].items() if v not in (None, False)}
    applied = await ingest.client.get(
        "/mentions", params={**filters, "sort": listed[0]["sort"]}, headers=ingest.manager
    )
    assert [m["id"] for m in applied.json()["items"]] == [angry]

    again = {**body, "name": "Angry, waiting longest", "filters": {}}
    duplicate = await ingest.client.post("/views", json=again, headers=ingest.manager)
    assert duplicate.status_code == 409, duplicate.text
    for refused, field in (
        ({"name": "Lost", "filters": {"status": "lost"}}, "filters.status"),
        ({"name": "Injected", "filters": {"platform": "$ne"}}, "filters.platform"),
        ({"name": "x" * 81}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "Sorted", "sort": "sla"}, "sort"),
    ):
        answer = await ingest.client.post("/views", json=refused, headers=ingest.manager)
        assert answer.status_code == 422, (refused, answer.text)
        assert field in answer.json()["message"], answer.text

    colleague = bearer(ingest.issuer, "acme", Role.MANAGER, subject="lea")
    elsewhere = bearer(ingest.issuer, "globex", Role.MANAGER, subject="maya")
    for other in (colleague, elsewhere):
        assert (await ingest.client.get("/views", headers=other)).json() == []
        gone = await ingest.client.delete(f"/views/{view['id']}", headers=other)
        assert gone.status_code == 404, gone.text
    same_name = await ingest.client.post("/views", json=body, headers=colleague)
    assert same_name.status_code == 201, same_name.text  # names are unique per person only
    member = bearer(ingest.issuer, "acme", Role.MEMBER)
    assert (await ingest.client.get("/views", headers=member)).status_code == 403

    deleted = await ingest.client.delete(f"/views/{view['id']}", headers=ingest.manager)
    assert deleted.status_code == 204, deleted.text
    assert (await ingest.client.get("/views", headers=ingest.manager)).json() == []
    assert (
        await ingest.client.delete(f"/views/{view['id']}", headers=ingest.manager)
    ).status_code == 404
    assert len((await ingest.client.get("/views", headers=colleague)).json()) == 1


async def test_a_person_keeps_at_most_fifty_views_even_in_a_burst(ingest: Ingest) -> None:
    async def save(name: str) -> int:
        answer = await ingest.client.post("/views", json={"name": name}, headers=ingest.manager)
        return answer.status_code

    statuses = [await save(f"View {n:02}") for n in range(48)]
    statuses += await asyncio.gather(*(save(f"Burst {n}") for n in range(6)))
    assert set(statuses) <= {201, 422}
    listed = (await ingest.client.get("/views", headers=ingest.manager)).json()
    assert len(listed) == statuses.count(201) <= 50
    while len(listed) < 50:  # a burst may refuse more than needed; saving again works
        assert await save(f"Again {len(listed)}") == 201
        listed = (await ingest.client.get("/views", headers=ingest.manager)).json()
    past = await ingest.client.post("/views", json={"name": "One more"}, headers=ingest.manager)
    assert past.status_code == 422
    assert "at most 50" in past.json()["message"]
    names = [v["name"] for v in listed]
    assert names == sorted(names)
    await ingest.client.delete(f"/views/{listed[0]['id']}", headers=ingest.manager)
    assert await save("One more") == 201
