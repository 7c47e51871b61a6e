"""Approvals on the real store and broker: the whole flow, its events, races and links."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from ensemble_scheduler.services.links import LinkClaims, LinkSigner
from ensemble_shared.events import utcnow
from ensemble_shared.topics import APPROVALS, CONTENT
from support.scheduler import CONSOLE, Scheduler

TWO_STEPS: dict[str, Any] = {
    "priority": 100,
    "steps": [
        {"name": "marketing", "teams": ["marketing"], "owns": ["title", "tags", "media"]},
        {
            "name": "legal",
            "teams": ["legal", "communication"],
            "quorum": "all",
            "owns": ["body", "reply_to"],
        },
    ],
}


async def setup(s: Scheduler, policy: dict[str, Any] = TWO_STEPS) -> str:
    put = await s.client.put("/approval-policies/standard", json=policy, headers=s.admin)
    assert put.status_code == 200, put.text
    created = await s.client.post(
        "/content",
        json={"kind": "post", "channel": "mastodon", "title": "Launch", "body": "We launch today"},
        headers=s.manager,
    )
    assert created.status_code == 201, created.text
    content_id: str = created.json()["id"]
    return content_id


async def decide(
    s: Scheduler, content_id: str, headers: dict[str, str], step: str, decision: str = "approve"
) -> Any:
    body: dict[str, Any] = {"step": step, "decision": decision}
    if decision != "approve":
        body["comment"] = "not like this"
    return await s.client.post(
        f"/content/{content_id}/approval/decisions", json=body, headers=headers
    )


async def test_a_two_step_approval_end_to_end_with_partial_reapproval(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await setup(s)
    requested = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert requested.status_code == 201, requested.text
    assert requested.json()["current_step"] == "marketing"
    mia = s.staff("mia", teams=["marketing"])
    lea = s.staff("lea", teams=["legal"])
    cy = s.staff("cy", teams=["communication"])

    refused = await decide(s, content_id, lea, "marketing")
    assert refused.status_code == 403
    assert (await decide(s, content_id, mia, "legal")).status_code == 403
    assert (await decide(s, content_id, mia, "marketing")).status_code == 200
    assert (await decide(s, content_id, mia, "marketing")).status_code == 409  # not open any more
    after_lea = await decide(s, content_id, lea, "legal")
    assert after_lea.json()["status"] == "in_review"  # quorum all: communication still missing
    assert after_lea.json()["steps"][1]["missing"] == ["team:communication"]
    done = (await decide(s, content_id, cy, "legal")).json()
    assert (done["status"], done["publishable"]) == ("approved", True)
    item = (await s.client.get(f"/content/{content_id}", headers=s.manager)).json()
    assert item["status"] == "approved"

    edited = await s.client.patch(
        f"/content/{content_id}", json={"body": "We launch tomorrow"}, headers=s.manager
    )
    assert edited.json()["version"] == 2
    state = (await s.client.get(f"/content/{content_id}/approval", headers=mia)).json()
    assert [(x["name"], x["status"]) for x in state["steps"]] == [
        ("marketing", "approved"),
        ("legal", "open"),
    ]
    assert state["publishable"] is False
    await decide(s, content_id, lea, "legal")
    final = (await decide(s, content_id, cy, "legal")).json()
    assert (final["status"], final["version"], final["publishable"]) == ("approved", 2, True)

    diff = (
        await s.client.get(f"/content/{content_id}/versions/1/diff/2", headers=s.manager)
    ).json()
    assert [c["field"] for c in diff["changed"]] == ["body"]
    assert "+body: We launch tomorrow" in diff["unified"]

    events = await s.events(APPROVALS)
    mine = [e for e in events if e.subject == content_id]
    assert Counter(e.type for e in mine) == {
        "approval.requested.v1": 1,
        "approval.step_opened.v1": 3,  # marketing, legal, legal again after the edit
        "approval.step_decided.v1": 5,
        "approval.completed.v1": 2,
    }
    opened = [e.data.step for e in mine if e.type == "approval.step_opened.v1"]  # type: ignore[attr-defined]
    assert opened == ["marketing", "legal", "legal"]
    content_events = Counter(e.type for e in await s.events(CONTENT) if e.subject == content_id)
    assert content_events == {"content.drafted.v1": 1, "content.edited.v1": 1}


async def test_reject_needs_a_reason_and_sends_the_item_back_to_draft(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await setup(s)
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    mia = s.staff("mia", teams=["marketing"])
    no_reason = await s.client.post(
        f"/content/{content_id}/approval/decisions",
        json={"step": "marketing", "decision": "reject"},
        headers=mia,
    )
    assert no_reason.status_code == 422
    rejected = (await decide(s, content_id, mia, "marketing", "reject")).json()
    assert (rejected["status"], rejected["reason"]) == ("rejected", "not like this")
    item = (await s.client.get(f"/content/{content_id}", headers=s.manager)).json()
    assert item["status"] == "draft"
    again = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert again.status_code == 201
    assert again.json()["id"].endswith("a0002")
    types = [e.type for e in await s.events(APPROVALS) if e.subject == content_id]
    assert types.count("approval.rejected.v1") == 1


async def test_other_workspaces_see_nothing_and_bodies_are_strict(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await setup(s)
    outsider = s.staff("eve", teams=["marketing"], workspace="globex")
    assert (await s.client.get(f"/content/{content_id}", headers=outsider)).status_code == 404
    assert (await decide(s, content_id, outsider, "marketing")).status_code == 404
    sneaky = await s.client.patch(
        f"/content/{content_id}", json={"version": 9, "body": "x"}, headers=s.manager
    )
    assert sneaky.status_code == 422
    past = await s.client.post(
        "/content",
        json={
            "kind": "post",
            "channel": "x",
            "body": "b",
            "slot": (utcnow() - timedelta(hours=1)).isoformat(),
        },
        headers=s.manager,
    )
    assert past.status_code == 422
    assert "slot" in past.json()["message"]


async def test_concurrent_approvals_on_an_all_step_complete_it_once(scheduler: Scheduler) -> None:
    s = scheduler
    people = [f"p{i}" for i in range(6)]
    policy = {"steps": [{"name": "board", "people": people, "quorum": "all"}]}
    content_id = await setup(s, policy)
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    answers = await asyncio.gather(*(decide(s, content_id, s.staff(p), "board") for p in people))
    assert [a.status_code for a in answers] == [200] * len(people)
    state = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
    assert state["status"] == "approved"
    types = Counter(e.type for e in await s.events(APPROVALS) if e.subject == content_id)
    assert types["approval.completed.v1"] == 1
    assert types["approval.step_decided.v1"] == len(people)
    outcomes = await s.database()["approval_outcomes"].count_documents({})
    assert outcomes == 1


async def test_comments_name_people_and_teams(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await setup(s)
    posted = await s.client.post(
        f"/content/{content_id}/comments",
        json={"body": "@lea can you check? cc @team:legal"},
        headers=s.manager,
    )
    assert posted.status_code == 201
    assert (posted.json()["people"], posted.json()["teams"]) == (["lea"], ["legal"])
    [event] = [e for e in await s.events(CONTENT) if e.type == "content.commented.v1"]
    assert event.data.teams == ("legal",)  # type: ignore[attr-defined]
    page = (await s.client.get(f"/content/{content_id}/comments", headers=s.manager)).json()
    assert len(page["items"]) == 1


EXTERNAL: dict[str, Any] = {
    "steps": [
        {
            "name": "client",
            "external": [{"id": "acme-corp", "name": "ACME Corp", "email": "ok@acme.test"}],
        }
    ]
}


async def external_link(s: Scheduler, content_id: str) -> str:
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    opened = [
        e
        for e in await s.events(APPROVALS)
        if e.type == "approval.step_opened.v1" and e.subject == content_id
    ]
    [link] = opened[-1].data.links  # type: ignore[attr-defined]
    assert link.email == "ok@acme.test"
    return api_path(link.url)


def api_path(url: str) -> str:
    """The JSON route behind a decision link: the link opens the console's page, which calls
    scheduler's `/approval-links/{token}`."""
    assert url.startswith(f"{CONSOLE}/hooks/decisions/"), url
    return "/approval-links/" + urlparse(url).path.rsplit("/", 1)[1]


async def test_an_external_link_decides_once_even_under_concurrent_use(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    content_id = await setup(s, EXTERNAL)
    path = await external_link(s, content_id)
    shown = await s.client.get(path)
    assert shown.status_code == 200
    assert shown.json()["fields"]["body"] == "We launch today"
    answers = await asyncio.gather(
        *(s.client.post(path, json={"decision": "approve"}) for _ in range(5))
    )
    codes = Counter(a.status_code for a in answers)
    assert codes[200] == 1
    assert set(codes) <= {200, 409, 410}
    assert (await s.client.post(path, json={"decision": "approve"})).status_code == 410
    assert "already used" in (await s.client.get(path)).json()["message"]
    state = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
    assert state["status"] == "approved"
    decided = [
        e
        for e in await s.events(APPROVALS)
        if e.type == "approval.step_decided.v1" and e.subject == content_id
    ]
    assert len(decided) == 1


async def test_forged_and_expired_links_are_refused(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await setup(s, EXTERNAL)
    path = await external_link(s, content_id)
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    answer = await s.client.post(forged, json={"decision": "approve"})
    assert answer.status_code == 401
    token = path.rsplit("/", 1)[1]
    claims = LinkSigner(s.settings.secret_key.get_secret_value()).verify(token, now=utcnow())
    expired = LinkSigner(s.settings.secret_key.get_secret_value()).sign(
        LinkClaims(**{**claims.__dict__, "expires": int(utcnow().timestamp()) - 1})
    )
    answer = await s.client.post(f"/approval-links/{expired}", json={"decision": "approve"})
    assert answer.status_code == 410
    assert "expired" in answer.json()["message"]
    no_reason = await s.client.post(path, json={"decision": "reject"})
    assert no_reason.status_code == 422


PEOPLE_AND_TEAM: dict[str, Any] = {
    "steps": [
        {
            "name": "review",
            "people": ["mia", "noa"],
            "teams": ["legal"],
            "quorum": "all",
        }
    ]
}


async def test_named_people_decide_through_their_own_links_as_themselves(
    scheduler: Scheduler,
) -> None:
    """Chat and email buttons for internal approvers: one link per person the step names,
    recorded as that user; a team gets none (only a sign-in says which member decides)."""
    s = scheduler
    content_id = await setup(s, PEOPLE_AND_TEAM)
    await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    [opened] = [
        e
        for e in await s.events(APPROVALS)
        if e.type == "approval.step_opened.v1" and e.subject == content_id
    ]
    assert opened.data.links == ()  # type: ignore[attr-defined]
    links = {link.approver: link for link in opened.data.person_links}  # type: ignore[attr-defined]
    assert set(links) == {"person:mia", "person:noa"}
    mia_path = api_path(links["person:mia"].url)
    shown = (await s.client.get(mia_path)).json()
    assert (shown["approver"], shown["approver_name"]) == ("person:mia", "mia")

    decided = await s.client.post(mia_path, json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    assert (await s.client.post(mia_path, json={"decision": "approve"})).status_code == 410
    # Mia's link decided as Mia: her signed-in decision is now a second one, refused.
    again = await decide(s, content_id, s.staff("mia"), "review")
    assert again.status_code == 409, again.text
    # Noa's slot and the team's are still missing: quorum "all" is not met by one link.
    state = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
    assert state["status"] == "in_review"
    noa = api_path(links["person:noa"].url)
    assert (await s.client.post(noa, json={"decision": "approve"})).status_code == 200
    assert (
        await decide(s, content_id, s.staff("lea", teams=["legal"]), "review")
    ).status_code == 200
    state = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
    assert state["status"] == "approved"
    deciders = [
        e.data.decided_by  # type: ignore[attr-defined]
        for e in await s.events(APPROVALS)
        if e.type == "approval.step_decided.v1" and e.subject == content_id
    ]
    assert sorted(deciders) == ["user:lea", "user:mia", "user:noa"]


async def test_links_and_feeds_with_non_ascii_text_are_refused_like_forged_ones(
    scheduler: Scheduler,
) -> None:
    """A token is opaque text from outside: letters no signer writes get the same 401 as any
    forgery, never a 500."""
    s = scheduler
    for token in ("%C3%A9", "abc.%C3%A9.def", "%E2%9C%93" * 4):
        shown = await s.client.get(f"/approval-links/{token}")
        assert shown.status_code == 401, shown.text
        decided = await s.client.post(f"/approval-links/{token}", json={"decision": "approve"})
        assert decided.status_code == 401, decided.text
    feed = await s.client.get("/calendar.ics", params={"token": "é" * 12})
    assert feed.status_code == 401, feed.text
