"""A two-step approval across real processes: scheduler opens each step, notify tells that
step's approver in Slack (and their in-app inbox), the approver decides (signed in, or by the
Slack message's approve button), and the item becomes publishable only when the last step is
approved."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from e2e.conftest import System
from ensemble_devtools.issuer import LocalIssuer
from ensemble_shared.auth import Role
from support.apps import bearer
from support.receiver import Receiver
from support.waiting import eventually

POLICY: dict[str, Any] = {
    "priority": 100,
    "steps": [
        {"name": "marketing", "people": ["mia"], "owns": ["title", "tags", "media"]},
        {"name": "legal", "people": ["lea"], "owns": ["body", "reply_to"]},
    ],
}


def texts(receiver: Receiver) -> list[str]:
    return [json.dumps(json.loads(r.body)) for r in receiver.delivered()]


async def test_each_step_reaches_its_approver_who_decides_until_publishable(
    system: System, issuer: LocalIssuer
) -> None:
    scheduler, notify = system.url("scheduler"), system.url("notify")
    mia = bearer(issuer, "acme", Role.APPROVER, subject="mia")
    lea = bearer(issuer, "acme", Role.APPROVER, subject="lea")
    with Receiver() as mia_slack, Receiver() as lea_slack:
        for person, receiver, own in (("mia", mia_slack, mia), ("lea", lea_slack, lea)):
            put = await system.http.put(
                f"{notify}/people/{person}", json={"name": person.title()}, headers=system.admin
            )
            assert put.status_code in (200, 201), put.text
            # each sets her own Slack, and confirms it from the message it receives
            mine = await system.http.put(
                f"{notify}/people/{person}/addresses",
                json={"slack_webhook_url": receiver.url},
                headers=own,
            )
            assert mine.status_code == 200, mine.text
            [verification] = receiver.verifications
            token = button_of(verification.body, "confirm").rsplit("/", 1)[1]
            confirmed = await system.http.post(
                f"{notify}/addresses/verification", params={"token": token}
            )
            assert confirmed.status_code == 200, confirmed.text
        policy = await system.http.put(
            f"{scheduler}/approval-policies/standard", json=POLICY, headers=system.admin
        )
        assert policy.status_code == 200, policy.text
        created = await system.http.post(
            f"{scheduler}/content",
            json={"kind": "post", "channel": "mastodon", "title": "Launch", "body": "We launch"},
            headers=system.manager,
        )
        assert created.status_code == 201, created.text
        content = created.json()["id"]
        requested = await system.http.post(
            f"{scheduler}/content/{content}/approval", json={}, headers=system.manager
        )
        assert requested.status_code == 201, requested.text

        await eventually(lambda: _count(mia_slack), lambda n: n >= 1, what="mia told in Slack")
        assert lea_slack.delivered() == []  # the legal step is not open yet
        assert "marketing" in texts(mia_slack)[0]

        async def decide(headers: dict[str, str], step: str) -> dict[str, Any]:
            response = await system.http.post(
                f"{scheduler}/content/{content}/approval/decisions",
                json={"step": step, "decision": "approve"},
                headers=headers,
            )
            assert response.status_code == 200, response.text
            decided: dict[str, Any] = response.json()
            return decided

        refused = await system.http.post(
            f"{scheduler}/content/{content}/approval/decisions",
            json={"step": "marketing", "decision": "approve"},
            headers=lea,
        )
        assert refused.status_code == 403  # not an approver of that step
        assert (await decide(mia, "marketing"))["publishable"] is False
        await eventually(lambda: _count(lea_slack), lambda n: n >= 1, what="lea told in Slack")
        assert "legal" in texts(lea_slack)[0]
        # Lea decides from Slack: the approve button opens the console's decision page with
        # her own signed link; the page calls scheduler's link API (as here).
        page = button(lea_slack, "approve")
        assert page.startswith(f"{system.url('console')}/hooks/decisions/"), page
        token = page.split("/hooks/decisions/", 1)[1].split("?", 1)[0]
        approve = f"{scheduler}/approval-links/{token}"
        shown = await system.http.get(approve)
        assert (shown.status_code, shown.json()["approver"]) == (200, "person:lea"), shown.text
        clicked = await system.http.post(approve, json={"decision": "approve"})
        assert clicked.status_code == 200, clicked.text
        assert (await system.http.post(approve, json={"decision": "approve"})).status_code == 410
        done = (
            await system.http.get(f"{scheduler}/content/{content}/approval", headers=lea)
        ).json()
        assert (done["status"], done["publishable"]) == ("approved", True)

        await asyncio.sleep(2)  # room for a duplicate to arrive, were there one
        assert (len(mia_slack.delivered()), len(lea_slack.delivered())) == (1, 1)
    inbox = await system.http.get(f"{notify}/inbox", headers=lea)
    assert inbox.status_code == 200, inbox.text
    assert [i["event_type"] for i in inbox.json()["items"]] == ["approval.step_opened.v1"]


def button(receiver: Receiver, action: str) -> str:
    """The URL of the first delivered Slack message's button for `action`."""
    return button_of(receiver.delivered()[0].body, action)


def button_of(body: bytes, action: str) -> str:
    blocks = json.loads(body)["blocks"]
    [actions] = [b for b in blocks if b["type"] == "actions"]
    [url] = [e["url"] for e in actions["elements"] if e["action_id"] == action]
    return str(url)


async def _count(receiver: Receiver) -> int:
    return len(receiver.delivered())
