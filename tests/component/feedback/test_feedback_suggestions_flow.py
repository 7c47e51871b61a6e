"""From social to the board on the real store and broker: a `mention.triaged.v1` published on
feedback's mentions topic becomes a suggestion; a manager confirms it into a submission, or a
vote credited to the member linked to the author's handle, or dismisses it."""

from __future__ import annotations

from typing import Any

from ensemble_shared.auth import Role
from ensemble_shared.events import (
    Author,
    MentionData,
    MentionTriagedData,
    MentionTriagedV1,
    SuggestionCreatedV1,
    TriageData,
    utcnow,
)
from ensemble_shared.kafka import EventPublisher
from ensemble_shared.topics import SUBMISSIONS
from support.apps import bearer
from support.feedback import Feedback
from support.waiting import eventually


def triaged(
    mention_id: str,
    text: str,
    handle: str,
    kind: str | None = "request",
    workspace: str = "acme",
) -> MentionTriagedV1:
    return MentionTriagedV1(
        source="ensemble/ingest",
        subject=mention_id,
        workspace=workspace,
        data=MentionTriagedData(
            mention=MentionData(
                mention_id=mention_id,
                platform="mastodon",
                external_id=f"ext-{mention_id}",
                url=f"https://social.example/@x/{mention_id}",
                author=Author(id=f"id-{handle}", handle=handle),
                text=text,
                created_at=utcnow(),
            ),
            triage=TriageData(kind=kind),
        ),
    )


async def member_with_handle(feedback: Feedback, name: str, handle: str) -> str:
    member_id, _ = await feedback.join(name)
    linked = await feedback.client.post(
        f"/members/{member_id}/identities",
        json={"platform": "mastodon", "handle": handle},
        headers=feedback.manager,
    )
    assert linked.status_code == 200, linked.text
    return member_id


async def suggestions(feedback: Feedback, status: str | None = None) -> list[dict[str, Any]]:
    params = {"status": status} if status else {}
    answer = await feedback.client.get("/suggestions", params=params, headers=feedback.manager)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def wait_for_suggestion(feedback: Feedback, mention_id: str) -> dict[str, Any]:
    found = await eventually(
        lambda: suggestions(feedback),
        lambda items: any(i["mention_id"] == mention_id for i in items),
        what=f"a suggestion for {mention_id}",
    )
    return next(i for i in found if i["mention_id"] == mention_id)


async def test_a_request_becomes_a_submission_then_a_close_one_a_linked_members_vote(
    feedback: Feedback, ingest_stand_in: EventPublisher
) -> None:
    ann = await member_with_handle(feedback, "Ann", "ann@social.example")
    bob = await member_with_handle(feedback, "Bob", "bob@social.example")
    first = triaged("m-1", "Please add a dark mode to the mobile app", "ann@social.example")
    await ingest_stand_in.publish([first, first])  # a redelivery changes nothing

    proposed = await wait_for_suggestion(feedback, "m-1")
    assert (proposed["action"], proposed["kind"], proposed["member_id"], proposed["status"]) == (
        "new_submission",
        "idea",
        ann,
        "pending",
    )
    confirmed = await feedback.client.post(
        f"/suggestions/{proposed['id']}/confirm", headers=feedback.manager
    )
    again = await feedback.client.post(
        f"/suggestions/{proposed['id']}/confirm", headers=feedback.manager
    )
    dismissed = await feedback.client.post(
        f"/suggestions/{proposed['id']}/dismiss", headers=feedback.manager
    )

    assert confirmed.status_code == 200, confirmed.text
    assert (again.status_code, dismissed.status_code) == (409, 409)
    outcome = confirmed.json()["outcome"]
    assert (outcome["action"], outcome["member_id"], outcome["on_behalf"]) == (
        "new_submission",
        ann,
        False,
    )
    submission = (
        await feedback.client.get(
            f"/submissions/{outcome['submission_id']}", headers=feedback.manager
        )
    ).json()
    assert submission["author_member_id"] == ann
    assert submission["title"] == "Please add a dark mode to the mobile app"
    assert submission["origin"]["mention_id"] == "m-1"

    await ingest_stand_in.publish(
        [triaged("m-2", "dark mode for the mobile app please!", "bob@social.example", "feedback")]
    )
    vote = await wait_for_suggestion(feedback, "m-2")
    assert (vote["action"], vote["submission_id"], vote["member_id"]) == (
        "vote",
        outcome["submission_id"],
        bob,
    )
    voted = await feedback.client.post(
        f"/suggestions/{vote['id']}/confirm", headers=feedback.manager
    )
    assert voted.json()["outcome"]["member_id"] == bob
    after = (
        await feedback.client.get(
            f"/submissions/{outcome['submission_id']}", headers=feedback.manager
        )
    ).json()
    assert after["votes"] == voted.json()["outcome"]["votes"] >= 1

    assert [s["mention_id"] for s in await suggestions(feedback, "confirmed")] == ["m-2", "m-1"]
    assert await suggestions(feedback, "pending") == []
    created = [e for e in await feedback.events(SUBMISSIONS) if isinstance(e, SuggestionCreatedV1)]
    assert sorted((e.data.mention_id, e.data.action) for e in created) == [
        ("m-1", "new_submission"),
        ("m-2", "vote"),
    ]
    assert all(e.causation_id is not None for e in created)


async def test_nothing_reaches_the_board_before_a_manager_confirms_and_dismissed_stays_off(
    feedback: Feedback, ingest_stand_in: EventPublisher
) -> None:
    await ingest_stand_in.publish(
        [
            triaged("m-plain", "Nice weather today", "zoe@social.example", kind=None),
            triaged("m-3", "The checkout page is slow and confusing", "zoe@social.example"),
            triaged("m-4", "I would love a loyalty programme", "zoe@social.example"),
        ]
    )
    slow = await wait_for_suggestion(feedback, "m-3")
    await wait_for_suggestion(feedback, "m-4")
    board = (await feedback.client.get("/submissions", headers=feedback.manager)).json()
    assert board["items"] == []

    dismissed = await feedback.client.post(
        f"/suggestions/{slow['id']}/dismiss",
        json={"reason": "already tracked"},
        headers=feedback.manager,
    )
    confirm_after = await feedback.client.post(
        f"/suggestions/{slow['id']}/confirm", headers=feedback.manager
    )
    pending = await suggestions(feedback, "pending")
    assert dismissed.json()["status"] == "dismissed"
    assert confirm_after.status_code == 409
    assert [s["mention_id"] for s in pending] == ["m-4"]
    assert [s["mention_id"] for s in await suggestions(feedback, "dismissed")] == ["m-3"]
    assert {s["mention_id"] for s in await suggestions(feedback)} == {"m-3", "m-4"}

    # Nobody linked to the author: the manager puts it up in their own name, crediting the origin.
    on_behalf = await feedback.client.post(
        f"/suggestions/{pending[0]['id']}/confirm",
        json={"title": "Loyalty programme", "kind": "idea"},
        headers=feedback.manager,
    )
    outcome = on_behalf.json()["outcome"]
    assert (outcome["on_behalf"], outcome["member_id"]) == (True, "maya")
    created = (
        await feedback.client.get(
            f"/submissions/{outcome['submission_id']}", headers=feedback.manager
        )
    ).json()
    assert (created["title"], created["origin"]["author_handle"]) == (
        "Loyalty programme",
        "zoe@social.example",
    )


async def test_suggestions_are_staff_only_and_scoped_to_their_workspace(
    feedback: Feedback, ingest_stand_in: EventPublisher
) -> None:
    await ingest_stand_in.publish([triaged("m-5", "Add gift cards", "kim@social.example")])
    proposed = await wait_for_suggestion(feedback, "m-5")
    outsider = bearer(feedback.issuer, "globex", Role.MANAGER, subject="olga")
    url = f"/suggestions/{proposed['id']}"

    answers = [
        await feedback.client.get(url, headers=outsider),
        await feedback.client.post(f"{url}/confirm", headers=outsider),
        await feedback.client.post(f"{url}/dismiss", headers=outsider),
    ]
    as_member = await feedback.client.get("/suggestions", headers=feedback.member("someone"))
    forged = await feedback.client.post(
        f"{url}/confirm", json={"member_id": "me", "action": "vote"}, headers=feedback.manager
    )

    assert [a.status_code for a in answers] == [404, 404, 404]
    assert (await feedback.client.get("/suggestions", headers=outsider)).json()["items"] == []
    assert as_member.status_code == 403
    assert forged.status_code == 422
    assert (await feedback.client.get(url, headers=feedback.manager)).json()["status"] == "pending"
