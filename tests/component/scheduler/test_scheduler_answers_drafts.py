"""Answer where it was asked: a roadmap move of an idea from a mention drafts a reply on the
original post from the workspace's template and asks for its approval."""

from __future__ import annotations

from typing import Any

from ensemble_shared.events import (
    ApprovalRequestedV1,
    SocialOrigin,
    SubmissionStatusChangedData,
    SubmissionStatusChangedV1,
)
from ensemble_shared.topics import APPROVALS
from support.scheduler import Scheduler
from support.scheduler_publishing import produce, use_policy
from support.waiting import eventually

REPLIES: dict[str, Any] = {
    "priority": 10,
    "when": {"kinds": ["reply"]},
    "steps": [{"name": "care", "teams": ["customer-service"]}],
}


def status_changed(
    workspace: str, *, origin: SocialOrigin | None, status: str = "planned"
) -> SubmissionStatusChangedV1:
    return SubmissionStatusChangedV1(
        source="ensemble/feedback",
        subject="sub-1",
        workspace=workspace,
        correlation_id="c1",
        data=SubmissionStatusChangedData(
            submission_id="sub-1",
            kind="idea",
            title="Dark mode",
            author_member_id="m1",
            previous="under_review",
            status=status,
            by="maya",
            origin=origin,
        ),
    )


async def test_a_status_change_of_an_idea_from_mastodon_drafts_a_reply_for_approval(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    await use_policy(s, REPLIES)
    template = await s.client.put(
        "/answer-templates/planned/fr",
        json={"body": "{author} merci ! « {title} » est {status}."},
        headers=s.admin,
    )
    assert template.status_code == 200, template.text
    bad = await s.client.put(
        "/answer-templates/planned/de", json={"body": "Danke"}, headers=s.admin
    )
    assert bad.status_code == 422

    origin = SocialOrigin(
        mention_id="men-1", platform="mastodon", external_id="4242", author_handle="ana"
    )
    with_origin = status_changed(s.workspace, origin=origin)
    without = status_changed(s.workspace, origin=None)
    untemplated = status_changed(s.workspace, origin=origin, status="done")
    await produce(s, without, with_origin, untemplated, with_origin)  # and a redelivery

    content_id = f"answer-{with_origin.id}"
    item = await eventually(
        lambda: s.client.get(f"/content/{content_id}", headers=s.manager),
        lambda r: r.status_code == 200 and r.json()["status"] == "in_review",
        what="reply draft in review",
    )
    body = item.json()
    assert body["kind"] == "reply"
    assert body["fields"]["body"] == "@ana merci ! « Dark mode » est planifiée."
    assert body["fields"]["reply_to"] == {
        "mention_id": "men-1",
        "platform": "mastodon",
        "external_id": "4242",
        "submission_id": "sub-1",
    }
    approval = (await s.client.get(f"/content/{content_id}/approval", headers=s.manager)).json()
    assert approval["policy"] == "standard"
    assert approval["current_step"] == "care"

    requested = await eventually(
        lambda: s.events(APPROVALS),
        lambda es: any(isinstance(e, ApprovalRequestedV1) for e in es),
        what="approval.requested",
    )
    assert [e.subject for e in requested if isinstance(e, ApprovalRequestedV1)] == [content_id]
    for other in (without, untemplated):
        missing = await s.client.get(f"/content/answer-{other.id}", headers=s.manager)
        assert missing.status_code == 404
