"""Activity timeline and engagement score on the real store: recorded once, counted once per
merged member, mentions linked through handles, paginated, weighted per workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from ensemble_feedback.models.activity import Activity
from ensemble_feedback.services.activity import ActivityService
from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.wiring import Services
from ensemble_shared.auth import Role
from ensemble_shared.engagement import EngagementWeights
from ensemble_shared.events import Author, MentionData, MentionReceivedV1
from ensemble_shared.events.members import EngagementWeightsChangedV1 as WeightsChanged
from ensemble_shared.topics import MEMBERS
from support.apps import bearer
from support.feedback import Feedback

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def services(feedback: Feedback) -> Services:
    transport = feedback.client._transport
    assert isinstance(transport, httpx.ASGITransport)
    built: Services = transport.app.state.services  # type: ignore[attr-defined]
    return built


async def sign_up(feedback: Feedback, name: str) -> tuple[str, dict[str, str]]:
    return await feedback.join(name)


def did(member_id: str, kind: Any, ref: str, minutes: int, workspace: str = "acme") -> Activity:
    return Activity(
        workspace=workspace,
        member_id=member_id,
        kind=kind,
        ref=ref,
        at=T0 + timedelta(minutes=minutes),
    )


def mention(mention_id: str, handle: str, minutes: int) -> MentionReceivedV1:
    return MentionReceivedV1(
        source="ensemble/ingest",
        subject=mention_id,
        workspace="acme",
        time=T0 + timedelta(minutes=minutes),
        data=MentionData(
            mention_id=mention_id,
            platform="mastodon",
            external_id=f"ext-{mention_id}",
            author=Author(id=f"id-{handle}", handle=handle),
            text=f"about the app ({mention_id})",
            created_at=T0,
        ),
    )


async def test_timeline_and_score_count_a_merged_member_once(feedback: Feedback) -> None:
    ana, ana_headers = await sign_up(feedback, "Ana")
    bea, bea_headers = await sign_up(feedback, "Bea")
    assert (
        await feedback.client.post(
            f"/members/{bea}/identities",
            json={"platform": "mastodon", "handle": "@bea@mastodon.social"},
            headers=feedback.manager,
        )
    ).status_code == 200
    activity: ActivityService = services(feedback).activity
    social: SocialMentionService = services(feedback).social
    recorded = [
        did(ana, "submission", "idea-1", 1),
        did(ana, "vote", "idea-2", 2),
        did(bea, "vote", "idea-2", 3),  # the same person voting twice, once per identity
        did(bea, "comment", "comment-1", 4),
        did(bea, "attendance", "event-1", 5),
        did(ana, "vote", "idea-9", 6, workspace="globex"),  # another workspace's activity
    ]
    await activity.record(recorded)
    await activity.record(recorded[:3])  # a redelivery changes nothing
    await social.record(
        [
            mention("m-1", "bea@mastodon.social", 7),
            mention("m-2", "someone@else.social", 8),
        ]
    )

    alone = (await feedback.client.get("/members/me/activity", headers=ana_headers)).json()
    assert alone["counts"] == {"submission": 1, "vote": 1}
    assert alone["engagement"] == 5 + 1
    bea_alone = (
        await feedback.client.get(f"/members/{bea}/activity", headers=feedback.manager)
    ).json()
    assert bea_alone["counts"] == {"vote": 1, "comment": 1, "attendance": 1, "mention": 1}
    assert bea_alone["engagement"] == 1 + 3 + 8 + 2

    merged = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert merged.status_code == 201
    together = (await feedback.client.get("/members/me/activity", headers=bea_headers)).json()
    assert together["member_id"] == ana
    assert together["counts"] == {
        "submission": 1,
        "vote": 1,
        "comment": 1,
        "attendance": 1,
        "mention": 1,
    }
    assert together["engagement"] == 5 + 1 + 3 + 8 + 2
    assert [(i["kind"], i["ref"]) for i in together["items"]] == [
        ("mention", "m-1"),
        ("attendance", "event-1"),
        ("comment", "comment-1"),
        ("vote", "idea-2"),
        ("vote", "idea-2"),
        ("submission", "idea-1"),
    ]
    assert together["items"][0]["detail"] == "about the app (m-1)"

    pages: list[tuple[str, str]] = []
    cursor: str | None = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await feedback.client.get(
                f"/members/{ana}/activity", params=params, headers=feedback.manager
            )
        ).json()
        pages.extend((i["kind"], i["ref"]) for i in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == [(i["kind"], i["ref"]) for i in together["items"]]
    bad_cursor = await feedback.client.get(
        f"/members/{ana}/activity", params={"cursor": "nope"}, headers=feedback.manager
    )
    assert bad_cursor.status_code == 422
    too_many = await feedback.client.get(
        f"/members/{ana}/activity", params={"limit": 1000}, headers=feedback.manager
    )
    assert too_many.status_code == 422

    listed = (await feedback.client.get("/members", headers=feedback.manager)).json()
    [row] = listed["items"]
    assert (row["member_id"], row["engagement"]) == (ana, 19)

    undone = await feedback.client.post(
        f"/members/merges/{merged.json()['merge_id']}/undo", headers=feedback.manager
    )
    assert undone.status_code == 200
    split = (await feedback.client.get("/members/me/activity", headers=ana_headers)).json()
    assert split["engagement"] == 6


async def test_engagement_weights_are_per_workspace(feedback: Feedback) -> None:
    ana, ana_headers = await sign_up(feedback, "Ana")
    activity: ActivityService = services(feedback).activity
    await activity.record([did(ana, "vote", "idea-1", 1), did(ana, "comment", "c-1", 2)])
    defaults = await feedback.client.get("/members/engagement-weights", headers=feedback.manager)
    assert defaults.json()["vote"] == 1
    changed = await feedback.client.put(
        "/members/engagement-weights", json={"vote": 10, "comment": 0}, headers=feedback.manager
    )
    assert changed.status_code == 200
    same = await feedback.client.put(
        "/members/engagement-weights", json={"vote": 10, "comment": 0}, headers=feedback.manager
    )
    assert same.status_code == 200  # the same weights again: nothing changes, nothing announced
    refused = await feedback.client.put(
        "/members/engagement-weights", json={"karma": 10}, headers=feedback.manager
    )
    assert refused.status_code == 422
    by_member = await feedback.client.put(
        "/members/engagement-weights", json={"vote": 100}, headers=ana_headers
    )
    assert by_member.status_code == 403
    mine = (await feedback.client.get("/members/me/activity", headers=ana_headers)).json()
    assert mine["engagement"] == 10
    elsewhere = bearer(feedback.issuer, "globex", Role.MANAGER)
    other = await feedback.client.get("/members/engagement-weights", headers=elsewhere)
    assert other.json()["vote"] == 1
    assert (
        await feedback.client.get(f"/members/{ana}/activity", headers=elsewhere)
    ).status_code == 404
    [announced] = [e for e in await feedback.events(MEMBERS) if isinstance(e, WeightsChanged)]
    assert (announced.workspace, announced.subject) == ("acme", "acme")
    assert announced.data.weights == {**EngagementWeights().model_dump(), "vote": 10, "comment": 0}
    assert EngagementWeights.announced(announced.data.weights) == EngagementWeights(
        vote=10, comment=0
    )
