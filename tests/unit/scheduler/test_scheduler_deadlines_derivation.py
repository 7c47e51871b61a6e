"""Deadline derivation: due times backwards from the slot, SLAs, reminders, backups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.content import ContentFields, ContentVersion
from ensemble_scheduler.models.deadlines import (
    backup_covers,
    due_time,
    offsets_of,
    plan_step,
    reminder_times,
)
from ensemble_scheduler.models.policies import Backup, Deadlines, PolicyIn, StepSpec
from ensemble_shared.auth import Principal, Role

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def steps(*slas: int | None) -> tuple[StepSpec, ...]:
    return tuple(
        StepSpec(name=f"s{i}", teams=("t",), sla_minutes=sla) for i, sla in enumerate(slas)
    )


def test_without_a_slot_a_step_is_due_its_sla_after_it_opens() -> None:
    policy = Deadlines(sla_minutes=240)
    path = steps(None, 30)
    assert due_time(path, 0, opened_at=T0, slot=None, policy=policy) == T0 + 4 * HOUR
    assert due_time(path, 1, opened_at=T0, slot=None, policy=policy) == T0 + timedelta(minutes=30)


def test_with_a_slot_each_step_is_due_before_the_slas_of_the_steps_after_it() -> None:
    policy = Deadlines(sla_minutes=120)
    path = steps(None, 60, None)  # 2 h, 1 h, 2 h
    slot = T0 + 10 * HOUR
    assert due_time(path, 2, opened_at=T0, slot=slot, policy=policy) == slot
    assert due_time(path, 1, opened_at=T0, slot=slot, policy=policy) == slot - 2 * HOUR
    assert due_time(path, 0, opened_at=T0, slot=slot, policy=policy) == slot - 3 * HOUR


def test_a_step_opening_after_its_derived_due_time_is_due_at_once() -> None:
    path = steps(600, 600)
    slot = T0 + HOUR
    assert due_time(path, 0, opened_at=T0, slot=slot, policy=Deadlines()) == T0


def test_reminders_are_offsets_before_due_and_only_those_still_ahead() -> None:
    due = T0 + 3 * HOUR
    assert reminder_times(due, (30, 120, 600), opened_at=T0) == [
        (30, due - timedelta(minutes=30)),
        (120, due - 2 * HOUR),
    ]


def test_a_step_overrides_the_policy_reminders_and_an_empty_tuple_means_none() -> None:
    policy = Deadlines(remind_before_minutes=(60, 15, 60))
    assert offsets_of(StepSpec(name="a", teams=("t",)), policy) == (15, 60)
    assert offsets_of(StepSpec(name="a", teams=("t",), remind_before_minutes=()), policy) == ()


def test_plan_fixes_due_reminders_backup_and_missed_slot_action() -> None:
    backup = Backup(people=("boss",))
    spec = StepSpec(name="legal", teams=("legal",), sla_minutes=60, backup=backup)
    record = ApprovalRecord(
        id="c1:a0001",
        number=1,
        content_id="c1",
        workspace="acme",
        policy="p",
        steps=(spec,),
        version=1,
        requested_by="maya",
        requested_at=T0,
    )
    latest = ContentVersion(
        content_id="c1",
        workspace="acme",
        kind="post",
        version=1,
        fields=ContentFields.model_construct(channel="m", body="b", slot=T0 + 5 * HOUR),
        author="maya",
        created_at=T0,
    )
    plan = plan_step(
        record,
        0,
        2,
        latest,
        Deadlines(on_missed_slot="expire", remind_before_minutes=(30,)),
        opened_at=T0,
    )
    assert plan.id == f"c1:a0001:legal:2:{(T0 + 5 * HOUR).isoformat()}"
    assert plan.due_at == T0 + 5 * HOUR
    assert [(r.minutes_before, r.at) for r in plan.reminders] == [
        (30, T0 + 5 * HOUR - timedelta(minutes=30))
    ]
    assert (plan.backup, plan.on_missed_slot) == (backup, "expire")
    assert plan.timer_id("remind") != plan.timer_id("escalate")


def test_a_backup_stands_in_for_every_slot_of_the_step() -> None:
    spec = StepSpec(name="legal", teams=("legal", "comms"), quorum="all")
    backup = Backup(teams=("directors",), roles=(Role.ADMIN,))

    def principal(**kw: Any) -> Principal:
        return Principal(
            subject=kw.get("subject", "x"),
            workspace="acme",
            **{k: frozenset(v) for k, v in kw.items() if k != "subject"},
        )

    assert backup_covers(spec, backup, principal(teams={"directors"})) == spec.slots()
    assert backup_covers(spec, backup, principal(roles={Role.ADMIN})) == spec.slots()
    assert backup_covers(spec, backup, principal(teams={"legal"})) == ()


def test_deadline_settings_refuse_nonsense() -> None:
    with pytest.raises(ValidationError, match="backup"):
        StepSpec.model_validate({"name": "a", "teams": ["t"], "backup": {}})
    with pytest.raises(ValidationError, match="members, viewers and services"):
        Backup(roles=(Role.MEMBER,))
    with pytest.raises(ValidationError, match="cannot approve"):
        Backup(roles=(Role.VIEWER,))
    with pytest.raises(ValidationError, match="on_missed_slot"):
        PolicyIn.model_validate(
            {"steps": [{"name": "a", "teams": ["t"]}], "deadlines": {"on_missed_slot": "panic"}}
        )
    with pytest.raises(ValidationError, match="sla_minutes"):
        StepSpec(name="a", teams=("t",), sla_minutes=0)
    assert PolicyIn.model_validate({"steps": [{"name": "a", "teams": ["t"]}]}).deadlines == (
        Deadlines()
    )
