"""The approval state machine: steps in order, quorum, reject/changes, partial re-approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ensemble_scheduler.models.approvals import ApprovalRecord, DecisionRecord, OutcomeRecord
from ensemble_scheduler.models.content import ContentFields, ContentVersion
from ensemble_scheduler.models.policies import StepSpec
from ensemble_scheduler.services.workflow import (
    ApprovalState,
    changed_fields,
    eligible_slots,
    evaluate,
    fold,
    publishable,
    quorum_met,
)
from ensemble_shared.auth import Role

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


class History:
    """Facts of one workflow, and the same `settle` loop the service runs, without a store."""

    def __init__(self, *steps: StepSpec, **fields: Any) -> None:
        self.clock = T0
        base = {"channel": "mastodon", "body": "Hello", **fields}
        self.versions = [self._version(1, ContentFields.model_validate(base))]
        self.record = ApprovalRecord(
            id="c1:a0001",
            number=1,
            content_id="c1",
            workspace="acme",
            policy="p",
            steps=steps,
            version=1,
            requested_by="maya",
            requested_at=T0,
        )
        self.decisions: list[DecisionRecord] = []
        self.outcomes: list[OutcomeRecord] = []

    def _tick(self) -> datetime:
        self.clock += timedelta(seconds=1)
        return self.clock

    def _version(self, number: int, fields: ContentFields) -> ContentVersion:
        return ContentVersion(
            content_id="c1",
            workspace="acme",
            kind="post",
            version=number,
            fields=fields,
            author="maya",
            created_at=T0,
        )

    @property
    def latest(self) -> ContentVersion:
        return self.versions[-1]

    def edit(self, **changes: Any) -> None:
        fields = ContentFields.model_validate({**self.latest.fields.model_dump(), **changes})
        self.versions.append(self._version(self.latest.version + 1, fields))
        self.settle()

    def state(self) -> ApprovalState:
        return evaluate(self.record, self.versions, self.decisions, self.outcomes)

    def decide(
        self, who: str, decision: str = "approve", *, covers: tuple[str, ...] | None = None
    ) -> None:
        state = self.state()
        step = state.open_step
        assert step is not None, f"no open step ({state.status})"
        self.decisions.append(
            DecisionRecord(
                approval_id=self.record.id,
                step=step.name,
                round=step.round,
                approver=f"user:{who}",
                covers=covers if covers is not None else (f"person:{who}",),
                decision=decision,
                comment=None if decision == "approve" else "because",
                version=state.version,
                decided_at=self._tick(),
            )
        )
        self.settle()

    def settle(self) -> ApprovalState:
        while (state := self.state()).candidate is not None:
            c = state.candidate
            assert not any((o.step, o.round) == (c.step, c.round) for o in self.outcomes)
            self.outcomes.append(
                OutcomeRecord(
                    approval_id=self.record.id,
                    step=c.step,
                    round=c.round,
                    outcome=c.outcome,
                    version=state.version,
                    decided_by=c.decided_by,
                    reason=c.reason,
                    at=self._tick(),
                )
            )
        return state

    def statuses(self) -> dict[str, str]:
        return {s.name: s.status for s in self.state().steps}


def step(name: str, *people: str, **kw: Any) -> StepSpec:
    return StepSpec(name=name, people=people or (f"{name}-lead",), **kw)


def test_steps_open_in_order_and_the_last_approval_completes() -> None:
    h = History(step("marketing", "mia"), step("legal", "lea"))
    assert h.statuses() == {"marketing": "open", "legal": "pending"}
    assert h.state().status == "in_review"
    h.decide("mia")
    assert h.statuses() == {"marketing": "approved", "legal": "open"}
    h.decide("lea")
    assert h.state().status == "approved"
    assert publishable(h.latest, h.state()).ok


def test_quorum_any_all_and_n() -> None:
    spec_all = StepSpec(name="s", people=("a", "b"), teams=("legal",), quorum="all")
    assert not quorum_met(spec_all, {"user:a": ("person:a",), "user:b": ("person:b",)})
    assert quorum_met(
        spec_all,
        {"user:a": ("person:a",), "user:b": ("person:b",), "user:x": ("team:legal",)},
    )
    # one person can fill several slots at once
    assert quorum_met(spec_all, {"user:a": ("person:a", "team:legal"), "user:b": ("person:b",)})
    spec_two = StepSpec(name="s", teams=("legal",), quorum=2)
    assert not quorum_met(spec_two, {"user:a": ("team:legal",)})
    assert quorum_met(spec_two, {"user:a": ("team:legal",), "user:b": ("team:legal",)})
    assert quorum_met(StepSpec(name="s", people=("a", "b")), {"user:b": ("person:b",)})
    assert not quorum_met(StepSpec(name="s", people=("a",)), {})


def test_all_quorum_needs_every_slot_before_the_next_step() -> None:
    h = History(StepSpec(name="legal", people=("lea", "leo"), quorum="all"), step("comms", "cy"))
    h.decide("lea")
    assert h.statuses()["legal"] == "open"
    h.decide("leo")
    assert h.statuses() == {"legal": "approved", "comms": "open"}


def test_n_quorum_counts_distinct_approvers() -> None:
    h = History(StepSpec(name="team", teams=("product",), quorum=2))
    h.decide("p1", covers=("team:product",))
    assert h.state().status == "in_review"
    h.decide("p2", covers=("team:product",))
    assert h.state().status == "approved"


def test_one_reject_ends_the_workflow_with_its_reason_even_after_approvals() -> None:
    h = History(StepSpec(name="legal", people=("lea", "leo"), quorum="all"))
    h.decide("lea")
    h.decide("leo", "reject")
    state = h.state()
    assert (state.status, state.reason, state.decided_by) == ("rejected", "because", "user:leo")
    h.edit(body="Hello again")  # a rejected workflow stays rejected: a new request is needed
    assert h.state().status == "rejected"
    assert not publishable(h.latest, h.state()).ok


def test_request_changes_holds_the_step_until_any_edit_then_reopens_it() -> None:
    h = History(
        step("marketing", "mia", owns=("body",)),
        step("legal", "lea", owns=("body",)),
        step("brand", "bo", owns=("tags",)),
    )
    h.decide("mia")
    h.decide("lea", "request_changes")
    assert h.state().status == "changes_requested"
    assert h.state().open_step is None
    h.edit(tags=("launch",))  # not legal's field, but changes were requested: legal looks again
    assert h.statuses() == {"marketing": "approved", "legal": "open", "brand": "pending"}
    current = h.state().current
    assert current is not None
    assert current.round == 1
    h.decide("lea")
    h.decide("bo")
    assert h.state().status == "approved"


def test_edit_after_approval_reopens_only_the_steps_owning_the_changed_fields() -> None:
    h = History(
        step("marketing", "mia", owns=("title", "tags", "media")),
        step("legal", "lea", owns=("body",)),
        step("brand", "bo", owns=("channel", "title")),
    )
    for who in ("mia", "lea", "bo"):
        h.decide(who)
    assert publishable(h.latest, h.state()).ok
    h.edit(body="Hello, with a disclaimer")
    assert h.statuses() == {"marketing": "approved", "legal": "open", "brand": "approved"}
    verdict = publishable(h.latest, h.state())
    assert not verdict.ok
    assert "legal" in verdict.reason
    h.decide("lea")
    assert h.state().status == "approved"
    assert publishable(h.latest, h.state()).ok


def test_edit_reopening_an_earlier_step_keeps_later_approved_steps() -> None:
    h = History(step("marketing", "mia", owns=("tags",)), step("legal", "lea", owns=("body",)))
    h.decide("mia")
    h.decide("lea")
    h.edit(tags=("promo",))
    assert h.statuses() == {"marketing": "open", "legal": "approved"}
    h.decide("mia")
    assert h.state().status == "approved"


def test_an_edit_during_review_voids_the_open_steps_partial_approvals() -> None:
    h = History(StepSpec(name="legal", people=("lea", "leo"), quorum="all"))
    h.decide("lea")
    h.edit(body="Changed")
    state = h.state()
    assert state.current is not None
    assert state.current.round == 1
    assert state.current.approvals == {}
    h.decide("leo")
    assert h.state().status == "in_review"  # lea must look at the new version too
    h.decide("lea")
    assert h.state().status == "approved"


def test_a_changed_field_no_step_owns_reopens_every_step() -> None:
    h = History(step("marketing", "mia", owns=("tags",)), step("legal", "lea", owns=("body",)))
    h.decide("mia")
    h.decide("lea")
    h.edit(title="A new title")  # nobody owns the title: fail safe
    assert h.statuses() == {"marketing": "open", "legal": "pending"}


def test_the_slot_reopens_only_steps_that_own_it() -> None:
    later = T0 + timedelta(days=30)
    h = History(step("marketing", "mia"), step("calendar", "cal", owns=("slot",)))
    h.decide("mia")
    h.decide("cal")
    h.edit(slot=later)
    assert h.statuses() == {"marketing": "approved", "calendar": "open"}


def test_a_stale_decision_from_before_an_edit_does_not_count() -> None:
    h = History(step("legal", "lea"))
    stale_round = h.state().open_step.round  # type: ignore[union-attr]
    h.edit(body="Changed before lea's click landed")
    h.decisions.append(
        DecisionRecord(
            approval_id=h.record.id,
            step="legal",
            round=stale_round,
            approver="user:lea",
            covers=("person:lea",),
            decision="approve",
            version=1,
            decided_at=h._tick(),
        )
    )
    assert h.settle().status == "in_review"


def test_an_outcome_racing_an_edit_lands_before_the_edit() -> None:
    h = History(step("legal", "lea"))
    h.edit(body="v2")  # the outcome below was fixed by someone who saw version 2
    h.edit(body="v3")
    h.outcomes.append(
        OutcomeRecord(
            approval_id=h.record.id,
            step="legal",
            round=1,
            outcome="approved",
            version=2,
            at=h._tick(),
        )
    )
    state = h.state()
    assert state.status == "in_review"  # v3 changed legal's field after that approval
    assert state.current is not None
    assert state.current.round == 2


def test_the_recorded_outcome_wins_over_what_decisions_would_say() -> None:
    h = History(step("legal", "lea", "leo"))
    h.outcomes.append(
        OutcomeRecord(
            approval_id=h.record.id,
            step="legal",
            round=0,
            outcome="approved",
            version=1,
            decided_by="user:lea",
            at=h._tick(),
        )
    )
    h.decisions.append(  # a reject that lost the race for the outcome
        DecisionRecord(
            approval_id=h.record.id,
            step="legal",
            round=0,
            approver="user:leo",
            covers=("person:leo",),
            decision="reject",
            comment="no",
            version=1,
            decided_at=h._tick(),
        )
    )
    state = h.state()
    assert state.status == "approved"
    assert state.candidate is None


def test_fold_refuses_missing_or_gapped_versions() -> None:
    h = History(step("legal"))
    h.edit(body="v2")
    h.edit(body="v3")
    with pytest.raises(ValueError, match="contiguous"):
        fold(h.record, [h.versions[0], h.versions[2]])
    with pytest.raises(ValueError, match="missing"):
        fold(h.record, h.versions[1:])


def test_eligibility_by_person_team_and_role() -> None:
    spec = StepSpec(name="s", people=("lea",), teams=("legal",), roles=(Role.ADMIN,))
    assert eligible_slots(spec, subject="lea", teams=(), roles=()) == ("person:lea",)
    assert eligible_slots(spec, subject="x", teams=("legal", "ops"), roles=()) == ("team:legal",)
    assert eligible_slots(spec, subject="x", teams=(), roles=(Role.ADMIN,)) == ("role:admin",)
    assert eligible_slots(spec, subject="x", teams=("comms",), roles=(Role.MANAGER,)) == ()


def test_changed_fields_ignore_tag_order() -> None:
    a = ContentFields(channel="x", body="b", tags=("a", "b"))
    assert changed_fields(a, a.model_copy(update={"tags": ("b", "a")})) == ()
    assert changed_fields(a, a.model_copy(update={"body": "c", "title": "t"})) == (
        "title",
        "body",
    )
