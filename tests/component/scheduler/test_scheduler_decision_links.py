"""What a decision link shows the console's page: the content, what changed since the last
approved version, the path of steps and who else decides; and why a spent link is spent."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.errors import ConnectionFailure

from component.scheduler.test_scheduler_approvals import (
    EXTERNAL,
    api_path,
    decide,
    external_link,
    setup,
)
from ensemble_shared.topics import APPROVALS
from support.scheduler import CONSOLE, Scheduler

PATH: dict[str, Any] = {
    "steps": [
        {"name": "marketing", "people": ["mia"], "owns": ["title"]},
        {
            "name": "client",
            "people": ["lea"],
            "teams": ["legal"],
            "external": [{"id": "acme-corp", "name": "ACME Corp", "email": "ok@acme.test"}],
            "owns": ["body"],
        },
    ]
}


async def client_links(s: Scheduler, content_id: str) -> list[str]:
    """The external approver's link of each opening of the client step, oldest first."""
    return [
        link.url
        for e in await s.events(APPROVALS)
        if e.type == "approval.step_opened.v1" and e.subject == content_id
        for link in e.data.links  # type: ignore[attr-defined]
    ]


async def test_a_link_shows_the_changes_since_the_approved_version_and_who_else_decides(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    content_id = await setup(s, PATH)
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert (await decide(s, content_id, s.staff("mia"), "marketing")).status_code == 200
    [first] = await client_links(s, content_id)
    assert first.startswith(f"{CONSOLE}/hooks/decisions/")
    before = (await s.client.get(api_path(first))).json()
    assert (before["version"], before["approved_version"], before["changes"]) == (1, None, None)

    edited = await s.client.patch(
        f"/content/{content_id}", json={"body": "We launch tomorrow"}, headers=s.manager
    )
    assert edited.status_code == 200, edited.text
    first_again = await s.client.get(api_path(first))
    assert (first_again.status_code, first_again.json()["reason"]) == (410, "superseded")
    _, second = await client_links(s, content_id)
    shown = (await s.client.get(api_path(second))).json()
    assert (shown["version"], shown["approved_version"]) == (2, 1)
    assert [c["field"] for c in shown["changes"]["changed"]] == ["body"]
    assert "+body: We launch tomorrow" in shown["changes"]["unified"]
    assert shown["steps"] == [
        {"name": "marketing", "status": "approved"},
        {"name": "client", "status": "open"},
    ]
    assert (shown["step"], shown["approver_name"], shown["approval_status"]) == (
        "client",
        "ACME Corp",
        "in_review",
    )
    assert [(o["kind"], o["name"], o["approved"]) for o in shown["others"]] == [
        ("person", "lea", False),
        ("team", "legal", False),
    ]

    decided = await s.client.post(api_path(second), json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    used = await s.client.get(api_path(second))
    assert (used.status_code, used.json()["reason"]) == (410, "used")


async def test_a_person_who_decided_signed_in_finds_their_link_used(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await setup(s, {"steps": [{"name": "review", "people": ["mia", "noa"]}]})
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    [opened] = [
        e
        for e in await s.events(APPROVALS)
        if e.type == "approval.step_opened.v1" and e.subject == content_id
    ]
    links = {link.approver: link.url for link in opened.data.person_links}  # type: ignore[attr-defined]
    mia = api_path(links["person:mia"])
    assert (await s.client.get(mia)).json()["others"] == [
        {"slot": "person:noa", "kind": "person", "name": "noa", "approved": False}
    ]
    await decide(s, content_id, s.staff("mia"), "review", "request_changes")
    answer = await s.client.get(mia)
    assert (answer.status_code, answer.json()["reason"]) == (410, "used")


async def test_a_decision_that_fails_to_be_stored_leaves_its_link_usable(
    scheduler: Scheduler, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The decision spends the link in the same write: a store failure at that write (the
    store gone for a moment) is a 503, and the approver's retry with the same link decides."""
    s = scheduler
    content_id = await setup(s, EXTERNAL)
    path = await external_link(s, content_id)
    assert s.app is not None
    records = s.app.state.scheduler.link_decisions._records
    store_write = records.insert_decision
    failures = [ConnectionFailure("the store went away")]

    async def failing_once(*args: Any, **kwargs: Any) -> bool:
        if failures:
            raise failures.pop()
        return bool(await store_write(*args, **kwargs))

    monkeypatch.setattr(records, "insert_decision", failing_once)
    failed = await s.client.post(path, json={"decision": "approve"})
    assert failed.status_code == 503, failed.text
    assert (await s.client.get(path)).status_code == 200  # not spent: nothing was decided
    decided = await s.client.post(path, json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    again = await s.client.post(path, json={"decision": "approve"})
    assert (again.status_code, again.json()["reason"]) == (410, "used")
    state = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
    assert state["status"] == "approved"
