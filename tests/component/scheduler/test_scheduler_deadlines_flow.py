"""Deadlines of a real approval on the real store and broker: reminders, escalation to a
backup who may then decide, cancelled timers of decided steps, and an expired slot.

Time is fast-forwarded by moving the armed occurrences' due time to now in the store: the
timer loop, the claims and the handlers run for real.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ensemble_shared.auth import Role
from ensemble_shared.events import utcnow
from ensemble_shared.topics import APPROVALS
from support.scheduler import Scheduler
from support.waiting import eventually

POLICY: dict[str, Any] = {
    "steps": [
        {
            "name": "marketing",
            "teams": ["marketing"],
            "sla_minutes": 120,
            "backup": {"people": ["boss"]},
        },
        {"name": "legal", "teams": ["legal"], "remind_before_minutes": [5]},
    ],
    "deadlines": {"sla_minutes": 60, "remind_before_minutes": [30, 10]},
}


async def submit(s: Scheduler, policy: dict[str, Any], **fields: Any) -> str:
    put = await s.client.put("/approval-policies/standard", json=policy, headers=s.admin)
    assert put.status_code == 200, put.text
    created = await s.client.post(
        "/content",
        json={"kind": "post", "channel": "mastodon", "title": "Launch", "body": "Today", **fields},
        headers=s.manager,
    )
    assert created.status_code == 201, created.text
    content_id: str = created.json()["id"]
    requested = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert requested.status_code == 201, requested.text
    return content_id


async def fast_forward(s: Scheduler, prefix: str) -> int:
    """Make the armed occurrences whose timer id starts with `prefix` due now."""
    result = await s.database()["timers"].update_many(
        {"timer_id": {"$regex": f"^{re.escape(prefix)}"}}, {"$set": {"due_at": utcnow()}}
    )
    return result.modified_count


async def of_type(s: Scheduler, kind: str) -> list[Any]:
    return [e for e in await s.events(APPROVALS) if e.type == kind]


async def test_reminders_then_escalation_let_the_backup_decide(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await submit(s, POLICY)
    plans = (
        await s.client.get(f"/content/{content_id}/approval/deadlines", headers=s.manager)
    ).json()
    [plan] = plans
    assert plan["step"] == "marketing"
    opened, due = plan["opened_at"], plan["due_at"]
    assert utcnow() - timedelta(minutes=1) < _dt(opened)
    assert _dt(due) - _dt(opened) == timedelta(minutes=120)  # the step's own SLA
    assert [r["minutes_before"] for r in plan["reminders"]] == [10, 30]

    boss = s.staff("boss", teams=["directors"])
    body = {"step": "marketing", "decision": "approve"}
    early = await s.client.post(
        f"/content/{content_id}/approval/decisions", json=body, headers=boss
    )
    assert early.status_code == 403  # not escalated yet: not an approver

    assert await fast_forward(s, f"deadline:{plan['id']}") == 3  # 2 reminders + escalation
    reminders = await eventually(
        lambda: of_type(s, "approval.reminder_due.v1"),
        lambda found: len(found) >= 2,
        what="two reminders",
    )
    escalated = await eventually(
        lambda: of_type(s, "approval.escalated.v1"), lambda found: len(found) >= 1
    )
    assert sorted(e.data.minutes_before for e in reminders) == [10, 30]
    assert {(e.data.step, e.data.teams) for e in reminders} == {("marketing", ("marketing",))}
    assert escalated[0].data.backup_people == ("boss",)
    assert escalated[0].subject == content_id

    decided = await s.client.post(
        f"/content/{content_id}/approval/decisions", json=body, headers=boss
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["current_step"] == "legal"

    # The legal step got its own plan; approving it cancels its timers: fast-forwarded, they
    # finish as cancelled and announce nothing.
    plans = (
        await s.client.get(f"/content/{content_id}/approval/deadlines", headers=s.manager)
    ).json()
    legal = next(p for p in plans if p["step"] == "legal")
    assert _dt(legal["due_at"]) - _dt(legal["opened_at"]) == timedelta(minutes=60)
    lea = s.staff("lea", teams=["legal"])
    done = await s.client.post(
        f"/content/{content_id}/approval/decisions",
        json={"step": "legal", "decision": "approve"},
        headers=lea,
    )
    assert done.json()["status"] == "approved"
    assert await fast_forward(s, f"deadline:{legal['id']}") == 1
    results = s.database()["timer_results"]
    finished = await eventually(
        lambda: results.find(
            {"timer_id": {"$regex": f"^deadline:{re.escape(legal['id'])}"}}
        ).to_list(None),
        lambda docs: len(docs) == 1,
        what="the legal reminder finished",
    )
    assert finished[0]["outcome"] == "cancelled"
    assert len(await of_type(s, "approval.reminder_due.v1")) == 2  # nothing for legal
    assert len(await of_type(s, "approval.escalated.v1")) == 1


async def test_a_reminder_for_a_step_decided_meanwhile_does_nothing(scheduler: Scheduler) -> None:
    s = scheduler
    content_id = await submit(s, POLICY)
    mia = s.staff("mia", teams=["marketing"])
    await s.client.post(
        f"/content/{content_id}/approval/decisions",
        json={"step": "marketing", "decision": "reject", "comment": "no"},
        headers=mia,
    )
    # Bypass the cancellation: re-arm the marketing reminders as if they had just been made.
    plans = (
        await s.client.get(f"/content/{content_id}/approval/deadlines", headers=s.manager)
    ).json()
    await s.database()["timer_cancellations"].delete_many({})
    assert await fast_forward(s, f"deadline:{plans[0]['id']}") == 3
    finished = await eventually(
        lambda: s.database()["timer_results"].count_documents({}),
        lambda n: n >= 3,
        what="the stale timers fired",
    )
    assert finished == 3
    assert await of_type(s, "approval.reminder_due.v1") == []
    assert await of_type(s, "approval.escalated.v1") == []


async def test_a_missed_slot_expires_the_workflow_back_to_draft(scheduler: Scheduler) -> None:
    s = scheduler
    policy = {**POLICY, "deadlines": {"on_missed_slot": "expire", "sla_minutes": 60}}
    slot = (utcnow() + timedelta(hours=6)).replace(microsecond=0)
    content_id = await submit(s, policy, slot=slot.isoformat())
    [plan] = (
        await s.client.get(f"/content/{content_id}/approval/deadlines", headers=s.manager)
    ).json()
    # Derived backwards: legal gets the policy's 60 min before the slot, marketing is due then.
    assert _dt(plan["due_at"]) == slot - timedelta(minutes=60)
    assert _dt(plan["slot_at"]) == slot
    assert await fast_forward(s, f"deadline:{plan['id']}:slot") == 1
    expired = await eventually(
        lambda: of_type(s, "approval.expired.v1"), lambda found: len(found) == 1
    )
    assert expired[0].data.step == "marketing"
    assert _dt(expired[0].data.slot_at.isoformat()) == slot
    item = (await s.client.get(f"/content/{content_id}", headers=s.manager)).json()
    assert item["status"] == "draft"
    again = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert again.status_code == 201  # a new workflow may start


def _dt(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_deadlines_of_another_workspace_or_unknown_item_answer_404(
    scheduler: Scheduler,
) -> None:
    s = scheduler
    content_id = await submit(s, POLICY)
    ours = await s.client.get(f"/content/{content_id}/approval/deadlines", headers=s.manager)
    assert ours.status_code == 200
    assert len(ours.json()) == 1
    other = s.staff("olga", roles=(Role.MANAGER,), workspace="globex")
    theirs = await s.client.get(f"/content/{content_id}/approval/deadlines", headers=other)
    assert theirs.status_code == 404, theirs.text
    made_up = await s.client.get("/content/no-such-item/approval/deadlines", headers=s.manager)
    assert made_up.status_code == 404, made_up.text
    # An item of ours never submitted has no deadlines yet.
    draft = await s.client.post(
        "/content", json={"kind": "post", "channel": "mastodon", "body": "x"}, headers=s.manager
    )
    assert draft.status_code == 201, draft.text
    draft_id = draft.json()["id"]
    none = await s.client.get(f"/content/{draft_id}/approval/deadlines", headers=s.manager)
    assert none.status_code == 200
    assert none.json() == []
