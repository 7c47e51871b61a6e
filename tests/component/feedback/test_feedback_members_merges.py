"""Identities and merges on the real store and broker: handle ownership, suggestions, merge,
canonical resolution (in this replica and another), unmerge, refusals; a merged person's
export and erasure cover every id they had."""

from __future__ import annotations

from typing import Any

import httpx

from ensemble_feedback.main import create_app
from ensemble_feedback.services.directory import Directory
from ensemble_shared.auth import Role
from ensemble_shared.events import MemberData, MemberMergeData
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.topics import MEMBERS
from support.apps import bearer, running
from support.feedback import Feedback, mention_from
from support.waiting import eventually


async def sign_up(feedback: Feedback, name: str, **extra: Any) -> tuple[str, dict[str, str]]:
    return await feedback.join(name, **extra)


async def link(feedback: Feedback, member_id: str, platform: str, handle: str) -> httpx.Response:
    """Staff linking a handle they checked another way (members prove theirs, see below)."""
    return await feedback.client.post(
        f"/members/{member_id}/identities",
        json={"platform": platform, "handle": handle},
        headers=feedback.manager,
    )


async def claim(
    feedback: Feedback, headers: dict[str, str], platform: str, handle: str
) -> httpx.Response:
    return await feedback.client.post(
        "/members/me/identities", json={"platform": platform, "handle": handle}, headers=headers
    )


def directory(client: httpx.AsyncClient) -> Directory:
    transport = client._transport
    assert isinstance(transport, httpx.ASGITransport)
    service: Directory = transport.app.state.services.directory  # type: ignore[attr-defined]
    return service


async def verify_email(feedback: Feedback, member_id: str) -> None:
    events = await feedback.events(MEMBERS)
    path = next(
        e.data.verify_email_path
        for e in events
        if e.subject == member_id
        and isinstance(e.data, MemberData)
        and e.data.verify_email_path is not None
    )
    assert (await feedback.client.post(path)).status_code == 200


async def test_a_handle_is_linked_only_when_its_owner_posts_the_code_from_it(
    feedback: Feedback, ingest_stand_in: EventPublisher
) -> None:
    """Anyone can type a handle; only its owner can post from it. One member per handle, one
    handle per platform per member."""
    ana, ana_headers = await sign_up(feedback, "Ana")
    bea, bea_headers = await sign_up(feedback, "Bea")
    first = await feedback.prove_handle(
        ingest_stand_in, ana_headers, "mastodon", "@ana@mastodon.social"
    )
    assert first["identities"][0]["platform"] == "mastodon"

    taken = await claim(feedback, bea_headers, "mastodon", "ANA@Mastodon.social")
    assert taken.status_code == 409
    assert "another member" in taken.json()["message"]
    second = await claim(feedback, ana_headers, "mastodon", "@ana2@mastodon.social")
    assert second.status_code == 409
    bad = await claim(feedback, ana_headers, "myspace", "x")
    assert bad.status_code == 422

    # Bea claims an X handle, and Mallory posts Bea's code from her own handle: nothing links.
    code = (await claim(feedback, bea_headers, "x", "bea_x")).json()["code"]
    assert code.startswith("ens-")
    await ingest_stand_in.publish([mention_from("mallory", "x", f"@acme {code}")])
    await feedback.prove_handle(ingest_stand_in, bea_headers, "bluesky", "bea.bsky.social")
    profile = (await feedback.client.get("/members/me", headers=bea_headers)).json()
    assert {i["platform"] for i in profile["identities"]} == {"bluesky"}
    await ingest_stand_in.publish([mention_from("bea_x", "x", f"That's me @acme {code.upper()}")])
    await eventually(
        lambda: feedback.client.get("/members/me", headers=bea_headers),
        lambda r: {i["platform"] for i in r.json()["identities"]} == {"bluesky", "x"},
        what="bea's X handle linked by her own post",
    )

    members = directory(feedback.client)
    assert await members.by_handle(feedback.workspace, "mastodon", "@Ana@mastodon.social") == ana
    assert await members.by_handle(feedback.workspace, "x", "bea_x") == bea
    assert await members.by_handle(feedback.workspace, "x", "mallory") is None
    assert await members.by_handle("globex", "mastodon", "ana@mastodon.social") is None

    unlinked = await feedback.client.delete("/members/me/identities/mastodon", headers=ana_headers)
    assert unlinked.status_code == 200
    assert unlinked.json()["identities"] == []
    now_free = await claim(feedback, bea_headers, "mastodon", "ana@mastodon.social")
    assert now_free.status_code == 202


async def test_suggested_merge_is_confirmed_resolved_everywhere_and_undone(
    feedback: Feedback,
) -> None:
    ana, ana_headers = await sign_up(feedback, "Ana", email="ana@example.org")
    bea, bea_headers = await sign_up(feedback, "Ana B.", email="ANA@example.org")
    await sign_up(feedback, "Cy", email="cy@example.org")
    assert (await link(feedback, ana, "github", "ana")).status_code == 200
    assert (await link(feedback, bea, "x", "@Ana")).status_code == 200

    suggested = await feedback.client.get("/members/merge-suggestions", headers=feedback.manager)
    assert suggested.status_code == 200
    [only] = suggested.json()["items"]  # unverified addresses do not count, handles do
    assert set(only["member_ids"]) == {ana, bea}
    assert len(only["reasons"]) == 1
    await verify_email(feedback, ana)
    await verify_email(feedback, bea)
    [both] = (
        await feedback.client.get("/members/merge-suggestions", headers=feedback.manager)
    ).json()["items"]
    assert len(both["reasons"]) == 2
    assert any("verified email" in r for r in both["reasons"])
    by_member = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=ana_headers,
    )
    assert by_member.status_code == 403

    # A second replica of the service, on the same store, with its own merge cache.
    async with running(create_app(feedback.settings)) as replica:
        assert await directory(replica).canonical(feedback.workspace, [bea]) == {bea: bea}
        merged = await feedback.client.post(
            "/members/merges",
            json={"survivor_member_id": ana, "merged_member_id": bea},
            headers=feedback.manager,
        )
        assert merged.status_code == 201, merged.text
        merge_id = merged.json()["merge_id"]
        here = directory(feedback.client)
        assert await here.canonical(feedback.workspace, [ana, bea]) == {ana: ana, bea: ana}
        await eventually(
            lambda: directory(replica).canonical(feedback.workspace, [bea]),
            lambda found: found == {bea: ana},
            timeout=60,
            what="the other replica resolving the merged member",
        )

    me = (await feedback.client.get("/members/me", headers=bea_headers)).json()
    assert me["member_id"] == ana  # the merged member's token acts as the survivor
    assert me["merged_member_ids"] == [bea]
    assert {i["platform"] for i in me["identities"]} == {"github", "x"}
    listed = (await feedback.client.get("/members", headers=feedback.manager)).json()["items"]
    assert bea not in {m["member_id"] for m in listed}
    assert (
        await feedback.client.get("/members/merge-suggestions", headers=feedback.manager)
    ).json()["items"] == []
    twice = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert twice.status_code == 409

    undone = await feedback.client.post(
        f"/members/merges/{merge_id}/undo", headers=feedback.manager
    )
    assert undone.status_code == 200
    assert undone.json()["undone_by"] == "maya"
    assert (
        await feedback.client.post(f"/members/merges/{merge_id}/undo", headers=feedback.manager)
    ).status_code == 200  # idempotent
    assert (await feedback.client.get("/members/me", headers=bea_headers)).json()[
        "member_id"
    ] == bea
    assert await directory(feedback.client).canonical(feedback.workspace, [bea]) == {bea: bea}
    # A manager split them: they are not suggested again.
    assert (
        await feedback.client.get("/members/merge-suggestions", headers=feedback.manager)
    ).json()["items"] == []

    events = await feedback.events(MEMBERS)
    about_bea = [e for e in events if e.type in ("member.merged.v1", "member.unmerged.v1")]
    assert [e.type for e in about_bea] == ["member.merged.v1", "member.unmerged.v1"]
    for event in about_bea:
        assert event.subject == bea
        assert isinstance(event.data, MemberMergeData)
        assert (event.data.merge_id, event.data.survivor_member_id) == (merge_id, ana)
        assert event.data.by == "maya"


async def test_members_with_identities_on_the_same_platform_are_never_merged(
    feedback: Feedback,
) -> None:
    ana, _ana_headers = await sign_up(feedback, "Ana")
    bea, _bea_headers = await sign_up(feedback, "Bea")
    cy, cy_headers = await sign_up(feedback, "Cy")
    await link(feedback, ana, "bluesky", "ana.bsky.social")
    await link(feedback, bea, "bluesky", "bea.bsky.social")
    await link(feedback, cy, "reddit", "u/cy")
    refused = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert refused.status_code == 409
    assert "same platform" in refused.json()["message"]
    assert "bluesky" in refused.json()["message"]

    # Chains keep the rule: once Cy is folded into Ana, Bea still cannot join.
    folded = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": cy, "merged_member_id": ana},
        headers=feedback.manager,
    )
    assert folded.status_code == 201
    still = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": cy, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert still.status_code == 409
    into_merged = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert into_merged.status_code == 409
    # A second bluesky handle cannot be linked into the merged group either.
    assert (await claim(feedback, cy_headers, "bluesky", "cy.bsky.social")).status_code == 409

    events = await feedback.events(MEMBERS)
    assert [e.type for e in events if e.type == "member.merged.v1"] == ["member.merged.v1"]


async def test_merges_are_scoped_to_the_workspace(feedback: Feedback) -> None:
    ana, _ = await sign_up(feedback, "Ana")
    bea, _ = await sign_up(feedback, "Bea")
    other = bearer(feedback.issuer, "globex", Role.MANAGER)
    response = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=other,
    )
    assert response.status_code == 404
    merged = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    merge_id = merged.json()["merge_id"]
    undo = await feedback.client.post(f"/members/merges/{merge_id}/undo", headers=other)
    assert undo.status_code == 404
    assert (await feedback.client.get("/members/merges", headers=other)).json() == []


async def test_a_merged_person_exports_and_erases_every_id_they_had(feedback: Feedback) -> None:
    ana, ana_headers = await sign_up(feedback, "Ana", email="ana@fans.example")
    old, old_headers = await sign_up(feedback, "Ana (old)", email="ana.old@fans.example")
    other, _ = await sign_up(feedback, "Bo", email="bo@fans.example")
    await link(feedback, old, "mastodon", "ana_old")
    await link(feedback, other, "mastodon", "bo")
    merged = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": old},
        headers=feedback.manager,
    )
    assert merged.status_code == 201, merged.text
    export = await feedback.client.get("/members/me/export", headers=old_headers)
    assert export.status_code == 200, export.text
    assert export.json()["member_id"] == ana
    assert [h["handle"] for h in export.json()["records"]["member_handles"]] == ["ana_old"]
    assert "bo@fans.example" not in export.text

    erased = await feedback.client.delete("/members/me", headers=old_headers)
    assert erased.status_code == 200, erased.text
    assert sorted(erased.json()["erased_member_ids"]) == sorted([ana, old])
    assert erased.json()["removed"]["member_handles"] == 1
    for headers in (ana_headers, old_headers):
        assert (await feedback.client.get("/members/me", headers=headers)).status_code == 410
    for member in (ana, old):
        seen = await feedback.client.get(f"/members/{member}", headers=feedback.manager)
        assert (seen.json()["display_name"], seen.json()["email"]) == ("Former member", None)
    bo = await feedback.client.get(f"/members/{other}", headers=feedback.manager)
    assert bo.json()["email"] == "bo@fans.example"  # nobody else is touched
    assert [i["handle"] for i in bo.json()["identities"]] == ["bo"]
    [event] = [e for e in await feedback.events(MEMBERS) if e.type == "member.erased.v1"]
    assert event.subject == ana
