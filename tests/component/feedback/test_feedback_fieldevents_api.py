"""Field events on the real store and broker: seats under concurrent sign-ups, the waitlist,
check-in codes, attendance, follow-up invitations, workspace isolation."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI

from ensemble_devtools.infra import Infra
from ensemble_devtools.issuer import LocalIssuer
from ensemble_feedback.main import create_app
from ensemble_feedback.services.event_followups import FollowupInvitations
from ensemble_shared.auth import Role
from ensemble_shared.events import (
    Event,
    EventCheckedInV1,
    EventFollowupInvitedV1,
    EventRsvpV1,
    utcnow,
)
from ensemble_shared.topics import FIELD_EVENTS
from support.apps import bearer, running
from support.feedback import Feedback, feedback_settings
from support.waiting import eventually


@pytest.fixture
async def field(
    infra: Infra, unique_name: Callable[[str], str], issuer: LocalIssuer
) -> AsyncIterator[tuple[Feedback, FastAPI]]:
    """The feedback app in-process, with a handle on the app for its background work."""
    settings = feedback_settings(infra, unique_name("feedback"), issuer)
    app = create_app(settings)
    async with running(app) as client:
        yield Feedback(client, settings, issuer), app


async def sign_up(feedback: Feedback, name: str, workspace: str = "acme") -> str:
    member_id, _ = await feedback.join(name, workspace=workspace)
    return member_id


async def plan(feedback: Feedback, capacity: int, **changes: Any) -> dict[str, Any]:
    start = utcnow() + timedelta(days=2)
    body = {
        "title": "Tasting night",
        "description": "Try the new recipes with us.",
        "place": {"name": "Atelier", "address": "3 rue du Bac, Paris", "lat": 48.85, "lon": 2.32},
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "timezone": "Europe/Paris",
        "capacity": capacity,
        "tags": ["paris", "tasting"],
        **changes,
    }
    response = await feedback.client.post("/field-events", json=body, headers=feedback.manager)
    assert response.status_code == 201, response.text
    event: dict[str, Any] = response.json()
    return event


async def rsvp(feedback: Feedback, event_id: str, member: str) -> dict[str, Any]:
    response = await feedback.client.post(
        f"/field-events/{event_id}/rsvp", headers=feedback.member(member)
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def rsvps(events: list[Event], event_id: str) -> list[tuple[str, str, int | None]]:
    return [
        (e.data.member_id, e.data.status, e.data.position)
        for e in events
        if isinstance(e, EventRsvpV1) and e.subject == event_id
    ]


async def test_forty_members_on_ten_seats_give_ten_seats_and_thirty_waiting_in_order(
    feedback: Feedback,
) -> None:
    event = await plan(feedback, capacity=10)
    members = await asyncio.gather(*(sign_up(feedback, f"m{i}") for i in range(40)))

    answers = await asyncio.gather(*(rsvp(feedback, event["id"], m) for m in members))

    statuses = Counter(a["status"] for a in answers)
    assert statuses == {"confirmed": 10, "waitlisted": 30}
    confirmed = [a for a in answers if a["status"] == "confirmed"]
    assert len({a["check_in_code"] for a in confirmed}) == 10
    assert sorted(a["position"] for a in answers if a["status"] == "waitlisted") == list(
        range(1, 31)
    )
    roster = (
        await feedback.client.get(f"/field-events/{event['id']}/rsvps", headers=feedback.manager)
    ).json()["items"]
    assert [r["member_id"] for r in roster if r["status"] == "confirmed"] == [
        r["member_id"] for r in roster[:10]
    ]
    waiting = [r for r in roster if r["status"] == "waitlisted"]
    by_member = {a["member_id"]: a for a in answers}
    assert [r["position"] for r in waiting] == list(range(1, 31))
    assert all(by_member[r["member_id"]]["position"] == r["position"] for r in waiting)
    assert {r["member_id"] for r in roster[:10]} == {a["member_id"] for a in confirmed}
    view = await feedback.client.get(f"/field-events/{event['id']}", headers=feedback.manager)
    assert view.json().items() >= {"confirmed": 10, "waitlisted": 30, "seats_left": 0}.items()

    announced = rsvps(await feedback.events(FIELD_EVENTS), event["id"])
    assert len(announced) == 40
    assert Counter(s for _, s, _ in announced) == {"confirmed": 10, "waitlisted": 30}
    assert sorted(p or 0 for _, s, p in announced if s == "waitlisted") == list(range(1, 31))


async def test_a_freed_seat_goes_to_the_first_waitlisted_member_and_is_announced(
    feedback: Feedback,
) -> None:
    event = await plan(feedback, capacity=1)
    ann, bob, cat = [await sign_up(feedback, n) for n in ("ann", "bob", "cat")]
    for member in (ann, bob, cat):
        await rsvp(feedback, event["id"], member)

    left = await feedback.client.delete(
        f"/field-events/{event['id']}/rsvp", headers=feedback.member(ann)
    )

    assert left.status_code == 200
    assert left.json()["status"] == "none"
    bob_now = (
        await feedback.client.get(
            f"/field-events/{event['id']}/my-rsvp", headers=feedback.member(bob)
        )
    ).json()
    assert bob_now["status"] == "confirmed"
    assert bob_now["check_in_code"]
    cat_now = (
        await feedback.client.get(
            f"/field-events/{event['id']}/my-rsvp", headers=feedback.member(cat)
        )
    ).json()
    assert (cat_now["status"], cat_now["position"], cat_now["check_in_code"]) == (
        "waitlisted",
        1,
        None,
    )
    announced = rsvps(await feedback.events(FIELD_EVENTS), event["id"])
    assert announced == [
        (ann, "confirmed", None),
        (bob, "waitlisted", 1),
        (cat, "waitlisted", 2),
        (ann, "cancelled", None),
        (bob, "promoted", None),
    ]


async def test_rsvp_twice_or_at_once_holds_one_seat_and_announces_it_once(
    feedback: Feedback,
) -> None:
    event = await plan(feedback, capacity=3)
    ann = await sign_up(feedback, "ann")

    answers = await asyncio.gather(*(rsvp(feedback, event["id"], ann) for _ in range(6)))
    again = await rsvp(feedback, event["id"], ann)

    assert {(a["status"], a["check_in_code"]) for a in [*answers, again]} == {
        ("confirmed", answers[0]["check_in_code"])
    }
    view = await feedback.client.get(f"/field-events/{event['id']}", headers=feedback.manager)
    assert view.json()["confirmed"] == 1
    assert rsvps(await feedback.events(FIELD_EVENTS), event["id"]) == [(ann, "confirmed", None)]


async def test_a_check_in_code_works_once_and_records_attendance(feedback: Feedback) -> None:
    event = await plan(feedback, capacity=2)
    ann = await sign_up(feedback, "ann")
    code = (await rsvp(feedback, event["id"], ann))["check_in_code"]
    url = f"/field-events/{event['id']}/check-in"

    first = await feedback.client.post(url, json={"code": code.lower()}, headers=feedback.manager)
    second = await feedback.client.post(url, json={"code": code}, headers=feedback.manager)
    unknown = await feedback.client.post(url, json={"code": "ZZZZZZZZZZ"}, headers=feedback.manager)
    by_member = await feedback.client.post(url, json={"code": code}, headers=feedback.member(ann))

    assert first.status_code == 200, first.text
    assert first.json()["member_id"] == ann
    assert (second.status_code, unknown.status_code, by_member.status_code) == (409, 404, 403)
    mine = await feedback.client.get(
        f"/field-events/{event['id']}/my-rsvp", headers=feedback.member(ann)
    )
    assert mine.json()["checked_in"] is True
    timeline = (
        await feedback.client.get(f"/members/{ann}/activity", headers=feedback.manager)
    ).json()
    assert [(i["kind"], i["ref"]) for i in timeline["items"]] == [("attendance", event["id"])]
    checked = [
        e
        for e in await feedback.events(FIELD_EVENTS)
        if isinstance(e, EventCheckedInV1) and e.subject == event["id"]
    ]
    assert [(e.data.member_id, e.data.title) for e in checked] == [(ann, "Tasting night")]


async def test_a_code_given_back_with_the_seat_no_longer_checks_in(feedback: Feedback) -> None:
    event = await plan(feedback, capacity=1)
    ann = await sign_up(feedback, "ann")
    code = (await rsvp(feedback, event["id"], ann))["check_in_code"]
    await feedback.client.delete(f"/field-events/{event['id']}/rsvp", headers=feedback.member(ann))

    answer = await feedback.client.post(
        f"/field-events/{event['id']}/check-in", json={"code": code}, headers=feedback.manager
    )

    assert answer.status_code == 404


async def test_capacity_raised_promotes_and_cancelling_the_event_cancels_every_rsvp(
    feedback: Feedback,
) -> None:
    event = await plan(feedback, capacity=1)
    ann, bob = [await sign_up(feedback, n) for n in ("ann", "bob")]
    await rsvp(feedback, event["id"], ann)
    await rsvp(feedback, event["id"], bob)
    url = f"/field-events/{event['id']}"

    too_small = await feedback.client.patch(url, json={"capacity": 1}, headers=feedback.manager)
    raised = await feedback.client.patch(
        url, json={"capacity": 2, "title": "Tasting night II"}, headers=feedback.manager
    )
    lowered = await feedback.client.patch(url, json={"capacity": 1}, headers=feedback.manager)
    status = await feedback.client.patch(
        url, json={"status": "cancelled"}, headers=feedback.manager
    )
    cancelled = await feedback.client.post(f"{url}/cancel", headers=feedback.manager)
    late = await feedback.client.post(f"{url}/rsvp", headers=feedback.member(ann))

    assert too_small.status_code == 200  # unchanged capacity: nothing to refuse
    assert (
        raised.json().items()
        >= {"capacity": 2, "confirmed": 2, "title": "Tasting night II"}.items()
    )
    assert lowered.status_code == 409
    assert status.status_code == 422
    assert (
        cancelled.json().items() >= {"status": "cancelled", "confirmed": 0, "waitlisted": 0}.items()
    )
    assert late.status_code == 409
    announced = rsvps(await feedback.events(FIELD_EVENTS), event["id"])
    assert announced[2:] == [
        (bob, "promoted", None),
        (ann, "cancelled", None),
        (bob, "cancelled", None),
    ]


async def test_attendees_are_invited_once_to_submit_ideas_after_the_event(
    field: tuple[Feedback, FastAPI],
) -> None:
    feedback, app = field
    event = await plan(feedback, capacity=5)
    ann, bob = [await sign_up(feedback, n) for n in ("ann", "bob")]
    code = (await rsvp(feedback, event["id"], ann))["check_in_code"]
    await rsvp(feedback, event["id"], bob)  # RSVPed, never came
    await feedback.client.post(
        f"/field-events/{event['id']}/check-in", json={"code": code}, headers=feedback.manager
    )
    service: FollowupInvitations = app.state.services.followups
    from datetime import datetime

    ended = datetime.fromisoformat(event["ends_at"])

    before = await service.invite(now=ended - timedelta(minutes=1))
    first, second = await asyncio.gather(
        service.invite(now=ended + timedelta(minutes=1)),
        service.invite(now=ended + timedelta(minutes=2)),
    )
    third = await service.invite(now=ended + timedelta(hours=1))

    assert (before, first + second, third) == (0, 1, 0)
    invited = [
        e
        for e in await feedback.events(FIELD_EVENTS)
        if isinstance(e, EventFollowupInvitedV1) and e.subject == event["id"]
    ]
    assert [(e.data.member_id, e.data.tag) for e in invited] == [(ann, f"event:{event['id']}")]
    assert event["submission_tag"] == f"event:{event['id']}"


async def test_another_workspace_sees_no_event_and_a_member_cannot_plan_one(
    feedback: Feedback,
) -> None:
    event = await plan(feedback, capacity=2)
    ann = await sign_up(feedback, "ann")
    code = (await rsvp(feedback, event["id"], ann))["check_in_code"]
    outsider = bearer(feedback.issuer, "globex", Role.MANAGER, subject="olga")
    stranger = await sign_up(feedback, "zed", workspace="globex")
    url = f"/field-events/{event['id']}"

    answers = [
        await feedback.client.get(url, headers=outsider),
        await feedback.client.patch(url, json={"title": "Mine"}, headers=outsider),
        await feedback.client.post(f"{url}/cancel", headers=outsider),
        await feedback.client.get(f"{url}/rsvps", headers=outsider),
        await feedback.client.post(f"{url}/check-in", json={"code": code}, headers=outsider),
        await feedback.client.post(
            f"{url}/rsvp", headers=feedback.member(stranger, workspace="globex")
        ),
    ]
    listed = await feedback.client.get("/field-events", headers=outsider)
    by_member = await feedback.client.post(
        "/field-events",
        json={"title": "x", "place": {"name": "a", "address": "b"}, "capacity": 1},
        headers=feedback.member(ann),
    )

    assert [a.status_code for a in answers] == [404] * 6
    assert listed.json()["items"] == []
    assert by_member.status_code == 403
    assert (await feedback.client.get(url, headers=feedback.manager)).json()["confirmed"] == 1


async def test_a_merged_person_keeps_the_earliest_seat_and_the_other_goes_to_the_waitlist(
    feedback: Feedback,
) -> None:
    event = await plan(feedback, capacity=2)
    url = f"/field-events/{event['id']}"
    ana, bea, cat, dan = [await sign_up(feedback, n) for n in ("ana", "bea", "cat", "dan")]
    first = await rsvp(feedback, event["id"], bea)  # seat 1
    await rsvp(feedback, event["id"], ana)  # seat 2
    await rsvp(feedback, event["id"], cat)  # waitlist 1
    await rsvp(feedback, event["id"], dan)  # waitlist 2

    merged = await feedback.client.post(
        "/members/merges",
        json={"survivor_member_id": ana, "merged_member_id": bea},
        headers=feedback.manager,
    )
    assert merged.status_code == 201, merged.text

    async def roster() -> list[tuple[str, str, int]]:
        got = await feedback.client.get(f"{url}/rsvps", headers=feedback.manager)
        return [(r["member_id"], r["status"], r["position"]) for r in got.json()["items"]]

    folded = await eventually(
        roster, lambda r: bea not in {m for m, _, _ in r}, what="the seats folded"
    )
    # One seat for the person, the earliest (bea's, with its code), under the survivor's id;
    # ana's later seat went to the first waitlisted member.
    assert folded == [(ana, "confirmed", 1), (cat, "confirmed", 2), (dan, "waitlisted", 1)]
    mine = (await feedback.client.get(f"{url}/my-rsvp", headers=feedback.member(ana))).json()
    assert (mine["status"], mine["check_in_code"]) == ("confirmed", first["check_in_code"])

    # The merged-away record withdraws: the person's one seat goes, to dan; cat keeps hers.
    left = await feedback.client.delete(f"{url}/rsvp", headers=feedback.member(bea))
    assert left.status_code == 200, left.text
    assert await roster() == [(cat, "confirmed", 1), (dan, "confirmed", 2)]
    announced = rsvps(await feedback.events(FIELD_EVENTS), event["id"])
    assert (bea, "cancelled", None) in announced
    assert [m for m, s, _ in announced if s == "promoted"] == [cat, dan]


async def test_anyone_lists_upcoming_and_past_events_without_a_token_and_never_who_holds_a_seat(
    feedback: Feedback,
) -> None:
    """The portal's public read: upcoming soonest first, past latest first in pages."""
    now = utcnow()
    past = [
        (await plan(feedback, 5, title=f"Past {n}", starts_at=(now - timedelta(days=n)).isoformat(),
                    ends_at=(now - timedelta(days=n) + timedelta(hours=1)).isoformat()))["id"]
        for n in (3, 1, 2)
    ]  # fmt: skip
    coming = await plan(feedback, capacity=2)
    ann = await sign_up(feedback, "ann")
    await rsvp(feedback, coming["id"], ann)
    elsewhere = bearer(feedback.issuer, "globex", Role.MANAGER, subject="olga")
    other = await feedback.client.post(
        "/field-events",
        json={**{k: coming[k] for k in ("title", "place", "starts_at", "ends_at")}, "capacity": 1},
        headers=elsewhere,
    )
    assert other.status_code == 201, other.text
    public = "/workspaces/acme/field-events"

    upcoming = (await feedback.client.get(public)).json()
    first = (await feedback.client.get(public, params={"when": "past", "limit": 2})).json()
    rest = await feedback.client.get(
        public, params={"when": "past", "limit": 2, "cursor": first["next_cursor"]}
    )
    one = await feedback.client.get(f"{public}/{coming['id']}")

    assert [e["id"] for e in upcoming["items"]] == [coming["id"]]
    assert [e["id"] for e in first["items"] + rest.json()["items"]] == [past[1], past[2], past[0]]
    assert rest.json()["next_cursor"] is None
    assert one.status_code == 200
    shown = one.json()
    assert (shown["confirmed"], shown["seats_left"], shown["submission_tag"]) == (
        1,
        1,
        f"event:{coming['id']}",
    )
    assert ann not in one.text  # seats are counted, never named
    assert (await feedback.client.get(f"{public}/{other.json()['id']}")).status_code == 404
    assert (await feedback.client.get(public, params={"when": "soon"})).status_code == 422
    assert (await feedback.client.get(public, params={"cursor": "made-up"})).status_code == 422


async def test_a_page_of_events_reads_every_roster_log_in_one_query(
    field: tuple[Feedback, FastAPI], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The portal's events list shows each event's seats: from the roster logs of the whole
    page, read together, not one read per event."""
    feedback, app = field
    events = [(await plan(feedback, capacity=c, title=f"Night {c}"))["id"] for c in (1, 2, 3)]
    members = [await sign_up(feedback, name) for name in ("ann", "bob", "cy")]
    for member in members:
        await rsvp(feedback, events[0], member)  # one seat, two waiting
    await rsvp(feedback, events[1], members[0])
    store = app.state.services.field_events._events
    reads: list[set[str]] = []
    logs_of = store.logs_of

    async def counted(event_ids: list[str]) -> Any:
        reads.append(set(event_ids))
        return await logs_of(event_ids)

    async def one_by_one(event_id: str, seq: int = 0) -> Any:
        raise AssertionError(f"a log read for {event_id} alone")

    monkeypatch.setattr(store, "logs_of", counted)
    monkeypatch.setattr(store, "acts_after", one_by_one)
    listed = (await feedback.client.get("/workspaces/acme/field-events")).json()["items"]
    seats = {e["title"]: (e["confirmed"], e["waitlisted"], e["seats_left"]) for e in listed}
    assert seats == {"Night 1": (1, 2, 0), "Night 2": (1, 0, 1), "Night 3": (0, 0, 3)}
    assert reads == [set(events)]
