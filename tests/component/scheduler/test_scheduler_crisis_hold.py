"""Crisis mode on the real store and broker: a negative spike holds the upcoming posts and adds
a communication + legal step; their approval releases the hold and the post goes out."""

from __future__ import annotations

from typing import Any

from ensemble_shared.events import (
    MentionSpikeDetectedV1,
    ScheduleHeldV1,
    ScheduleReleasedV1,
    SpikeData,
    utcnow,
)
from ensemble_shared.topics import CONTENT
from support.scheduler import Scheduler
from support.scheduler_mastodon import TOKEN, FakeMastodonOut
from support.scheduler_publishing import (
    ONE_STEP,
    approve,
    draft,
    mastodon_channel,
    produce,
    schedule_in,
    use_policy,
)
from support.waiting import eventually


def spike(workspace: str, *, negative: bool) -> MentionSpikeDetectedV1:
    return MentionSpikeDetectedV1(
        source="ensemble/ingest",
        subject=f"{workspace}:*",
        workspace=workspace,
        correlation_id="c1",
        data=SpikeData(
            topic="*",
            negative_only=negative,
            bucket_start=utcnow(),
            bucket_seconds=300,
            count=120,
            mean=4.0,
            stddev=2.0,
            threshold=10.0,
        ),
    )


async def crises(s: Scheduler) -> list[dict[str, Any]]:
    got = await s.client.get("/crises", headers=s.manager)
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()
    return items


async def test_a_negative_spike_holds_posts_until_communication_and_legal_release_them(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    with FakeMastodonOut() as fake:
        await use_policy(s)
        await mastodon_channel(s, fake.base_url, TOKEN)
        content_id = await draft(s, body="Our summer offer is here")
        await approve(s, content_id)
        await schedule_in(s, content_id, 6)

        await produce(s, spike(s.workspace, negative=False), spike(s.workspace, negative=True))
        found = await eventually(lambda: crises(s), lambda cs: len(cs) == 1, what="crisis")
        crisis_id = found[0]["id"]
        view = await eventually(
            lambda: s.client.get(f"/crises/{crisis_id}", headers=s.manager),
            lambda r: len(r.json().get("holds", [])) == 1,
            what="hold",
        )
        assert view.json()["holds"][0]["content_id"] == content_id
        approval = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
        assert approval["current_step"] == "crisis"
        assert [st["name"] for st in approval["steps"]] == ["crisis", "marketing"]
        assert approval["steps"][1]["status"] == "approved"  # carried over
        assert approval["publishable"] is False
        item = await s.client.get(f"/content/{content_id}/schedule", headers=s.manager)
        assert item.json()["status"] == "held"

        marketer = s.staff("mia", teams=["marketing"])
        refused = await s.client.post(
            f"/crises/{crisis_id}/decisions", json={"decision": "approve"}, headers=marketer
        )
        assert refused.status_code == 403
        comms = s.staff("cy", teams=["communication"])
        first = await s.client.post(
            f"/crises/{crisis_id}/decisions", json={"decision": "approve"}, headers=comms
        )
        assert first.status_code == 200, first.text
        assert first.json()[0]["outcome"] == "waiting"  # quorum all: legal still missing
        legal = s.staff("lea", teams=["legal"])
        second = await s.client.post(
            f"/crises/{crisis_id}/decisions", json={"decision": "approve"}, headers=legal
        )
        assert second.json()[0]["outcome"] == "released", second.text

        await eventually(lambda: _published(s, content_id), bool, what="publication")
        assert len(fake.created()) == 1
        events = [e for e in await s.events(CONTENT) if e.subject == content_id]
        assert sum(isinstance(e, ScheduleHeldV1) for e in events) == 1
        released = [e for e in events if isinstance(e, ScheduleReleasedV1)]
        assert len(released) == 1
        assert released[0].data.crisis_id == crisis_id


async def _published(s: Scheduler, content_id: str) -> bool:
    got = await s.client.get(f"/content/{content_id}/publication", headers=s.manager)
    return bool(got.json()["status"] == "published")


async def test_a_hold_released_through_the_items_own_approval_after_its_slot_settles_once(
    scheduler: Scheduler,
) -> None:
    """The publish timer fires while the post is held; communication and legal then approve the
    `crisis` step through the item's own approval. The hold is settled as the crisis route
    would; the slot passed, so the policy's missed-slot rule (hold) leaves the new slot to a
    person, and the post goes out once at the slot they pick."""
    s = scheduler
    with FakeMastodonOut() as fake:
        policy = {**ONE_STEP, "deadlines": {"on_missed_slot": "hold"}}
        content_id, _, crisis = await a_held_post(s, fake, "Held past its slot", 3, policy)
        await eventually(
            lambda: s.database()["timer_results"].count_documents(
                {"timer_id": {"$regex": f"^publish:{content_id}:"}}
            ),
            lambda n: n >= 1,
            what="the publish timer fired while held",
        )
        assert (await approve_the_crisis_step(s, content_id))["status"] == "approved"

        [hold] = await eventually(
            lambda: held(s, crisis["id"]),
            lambda hs: hs[0]["resolution"] is not None,
            what="the hold settled",
        )
        assert hold["resolution"] == "released"
        assert hold["released_by"] == "user:lea"
        schedule = await s.client.get(f"/content/{content_id}/schedule", headers=s.manager)
        assert schedule.json()["status"] == "scheduled"
        assert fake.created() == []  # past its slot, rule `hold`: a person picks the next one

        await schedule_in(s, content_id, 1)
        await eventually(lambda: _published(s, content_id), bool, what="publication")
        events = [e for e in await s.events(CONTENT) if e.subject == content_id]
        assert sum(isinstance(e, ScheduleReleasedV1) for e in events) == 1
        assert len(fake.created()) == 1


async def held(s: Scheduler, crisis_id: str) -> list[dict[str, Any]]:
    got = await s.client.get(f"/crises/{crisis_id}", headers=s.manager)
    holds: list[dict[str, Any]] = got.json().get("holds", [])
    return holds


async def test_a_hold_released_through_the_items_own_approval_before_its_slot_publishes_there(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    with FakeMastodonOut() as fake:
        content_id, slot, crisis = await a_held_post(s, fake, "Released in time", 8, ONE_STEP)
        await approve_the_crisis_step(s, content_id)
        await eventually(lambda: _published(s, content_id), bool, what="publication")
        [status] = fake.created()
        assert status["created_at"] >= slot["slot_at"][:19]  # at its slot, not before
        [hold] = await held(s, crisis["id"])
        assert hold["resolution"] == "released"
        events = [e for e in await s.events(CONTENT) if e.subject == content_id]
        assert sum(isinstance(e, ScheduleReleasedV1) for e in events) == 1


async def a_held_post(
    s: Scheduler, fake: FakeMastodonOut, body: str, seconds: float, policy: dict[str, Any]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """An approved post scheduled `seconds` ahead, then held by a negative spike: its id, its
    schedule and the crisis."""
    await use_policy(s, policy)
    await mastodon_channel(s, fake.base_url, TOKEN)
    content_id = await draft(s, body=body)
    await approve(s, content_id)
    schedule = await schedule_in(s, content_id, seconds)
    await produce(s, spike(s.workspace, negative=True))
    [crisis] = await eventually(lambda: crises(s), lambda cs: len(cs) == 1, what="crisis")
    await eventually(lambda: held(s, crisis["id"]), lambda hs: len(hs) == 1, what="post held")
    return content_id, schedule, crisis


async def approve_the_crisis_step(s: Scheduler, content_id: str) -> dict[str, Any]:
    """Communication and legal approve the `crisis` step through the item's own approval."""
    view: dict[str, Any] = {}
    for team, person in (("communication", "cy"), ("legal", "lea")):
        decided = await s.client.post(
            f"/content/{content_id}/approval/decisions",
            json={"step": "crisis", "decision": "approve"},
            headers=s.staff(person, teams=[team]),
        )
        assert decided.status_code == 200, decided.text
        view = decided.json()
    return view
