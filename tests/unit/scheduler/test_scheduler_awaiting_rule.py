"""`workflow.awaits`: whose decision an open step still waits for (the awaiting list's rule)."""

from __future__ import annotations

from ensemble_scheduler.models.policies import StepSpec
from ensemble_scheduler.services.workflow import awaits, eligible_slots, evaluate
from unit.scheduler.test_scheduler_workflow import History


def waits_for(h: History, who: str, *, teams: tuple[str, ...] = ()) -> str | None:
    state = h.state()
    step = state.open_step
    covers = eligible_slots(step.spec, subject=who, teams=teams, roles=()) if step else ()
    found = awaits(state, h.decisions, approver=f"user:{who}", covers=covers)
    return found.name if found else None


def test_the_open_step_waits_for_its_approvers_until_they_decide() -> None:
    h = History(
        StepSpec(name="legal", people=("lea", "leo"), quorum="all"),
        StepSpec(name="comms", people=("cy",)),
    )
    assert waits_for(h, "lea") == waits_for(h, "leo") == "legal"
    assert waits_for(h, "cy") is None  # comms is not open yet
    h.decide("lea")
    assert waits_for(h, "lea") is None  # decided this round
    assert waits_for(h, "leo") == "legal"
    h.decide("leo")
    assert (waits_for(h, "leo"), waits_for(h, "cy")) == (None, "comms")


def test_under_quorum_all_a_covered_team_slot_waits_for_nobody_else_in_the_team() -> None:
    h = History(StepSpec(name="legal", people=("lea",), teams=("legal",), quorum="all"))
    h.decide("lex", covers=("team:legal",))
    assert waits_for(h, "lou", teams=("legal",)) is None  # their approval would add nothing
    assert waits_for(h, "lea") == "legal"
    assert waits_for(h, "lea", teams=("legal",)) == "legal"  # person:lea is still missing


def test_an_outcome_already_called_for_waits_for_nobody() -> None:
    h = History(StepSpec(name="review", people=("mia", "max")))
    h.decide("mia")  # settles: approved
    assert waits_for(h, "max") is None
    pending = History(StepSpec(name="review", people=("mia", "max")))
    pending.decide("mia")
    pending.outcomes.clear()  # the decision is stored, its outcome not yet
    assert evaluate(pending.record, pending.versions, pending.decisions, []).candidate
    assert waits_for(pending, "max") is None


def test_the_requester_is_waited_for_only_when_the_policy_allows_self_approval() -> None:
    h = History(StepSpec(name="review", people=("maya", "mia")))
    assert (waits_for(h, "maya"), waits_for(h, "mia")) == (None, "review")
    h.record = h.record.model_copy(update={"allow_self_approval": True})
    assert waits_for(h, "maya") == "review"


def test_a_step_holding_for_changes_waits_for_nobody() -> None:
    h = History(StepSpec(name="review", people=("mia", "max")))
    h.decide("mia", "request_changes")
    assert waits_for(h, "max") is None
    h.edit(body="Hello again")
    assert waits_for(h, "max") == waits_for(h, "mia") == "review"  # a new round
