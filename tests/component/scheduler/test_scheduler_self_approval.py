"""The person who requests approval does not approve their own item, signed in or through a
link, and gets no decision link, unless the policy says so (`allow_self_approval`)."""

from __future__ import annotations

from typing import Any

from component.scheduler.test_scheduler_approvals import api_path, decide, setup
from ensemble_scheduler.services.links import LinkClaims, LinkSigner
from ensemble_shared.events import utcnow
from ensemble_shared.topics import APPROVALS
from support.scheduler import Scheduler
from support.waiting import eventually

REVIEW: dict[str, Any] = {"steps": [{"name": "review", "people": ["maya", "mia"]}]}


async def person_links(s: Scheduler, content_id: str) -> list[Any]:
    """The step's links, once its `approval.step_opened` is published (after the write)."""

    async def links() -> list[Any]:
        return [
            link
            for e in await s.events(APPROVALS)
            if e.type == "approval.step_opened.v1" and e.subject == content_id
            for link in e.data.person_links  # type: ignore[attr-defined]
        ]

    return await eventually(links, lambda found: len(found) > 0, what="the step's links")


async def test_the_requester_does_not_approve_their_own_item_unless_the_policy_allows_it(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    maya = s.manager  # maya writes the item, asks for approval, and is one of its approvers
    content_id = await setup(s, REVIEW)
    requested = await s.client.post(f"/content/{content_id}/approval", json={}, headers=maya)
    assert requested.status_code == 201, requested.text
    [mia_link] = await person_links(s, content_id)
    assert mia_link.approver == "person:mia"  # no link for maya

    refused = await decide(s, content_id, maya, "review")
    assert refused.status_code == 403, refused.text
    assert refused.json()["reason"] == "self_approval"
    assert "allow_self_approval" in refused.json()["message"]
    # a link made out to her (as one sent before the rule) is refused the same way
    signer = LinkSigner(s.settings.secret_key.get_secret_value())
    mine = signer.verify(api_path(mia_link.url).rsplit("/", 1)[1], now=utcnow())
    own = signer.sign(LinkClaims(**{**mine.__dict__, "approver": "person:maya", "link_id": "own"}))
    by_link = await s.client.post(f"/approval-links/{own}", json={"decision": "approve"})
    assert (by_link.status_code, by_link.json()["reason"]) == (403, "self_approval")
    state = await s.client.get(f"/content/{content_id}/approval", headers=maya)
    assert state.json()["status"] == "in_review"
    approved = await decide(s, content_id, s.staff("mia"), "review")
    assert approved.json()["status"] == "approved", approved.text

    trusting = {**REVIEW, "allow_self_approval": True}
    second = await setup(s, trusting)
    policy = await s.client.get("/approval-policies/standard", headers=s.admin)
    assert policy.json()["allow_self_approval"] is True
    assert (await s.client.post(f"/content/{second}/approval", json={}, headers=maya)).is_success
    assert [link.approver for link in await person_links(s, second)] == [
        "person:maya",
        "person:mia",
    ]
    own_approval = await decide(s, second, maya, "review")
    assert own_approval.status_code == 200, own_approval.text
    assert own_approval.json()["status"] == "approved"
