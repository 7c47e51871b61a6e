"""The publishing gate: never an item that is not fully approved for exactly this version."""

from __future__ import annotations

from dataclasses import replace

from ensemble_scheduler.models.policies import StepSpec
from ensemble_scheduler.services.workflow import publishable
from unit.scheduler.test_scheduler_workflow import History


def approved_history() -> History:
    h = History(
        StepSpec(name="marketing", people=("mia",), owns=("tags",)),
        StepSpec(name="legal", people=("lea",), owns=("body",)),
    )
    h.decide("mia")
    h.decide("lea")
    return h


def test_nothing_is_publishable_without_an_approval() -> None:
    h = History(StepSpec(name="legal", people=("lea",)))
    assert publishable(h.latest, None).reason == "never submitted for approval"
    verdict = publishable(h.latest, h.state())
    assert not verdict
    assert "in review" in verdict.reason


def test_a_fully_approved_latest_version_is_publishable() -> None:
    h = approved_history()
    assert publishable(h.latest, h.state())


def test_an_edit_after_approval_blocks_publishing_until_reapproved() -> None:
    h = approved_history()
    h.edit(body="new body")
    assert not publishable(h.latest, h.state())
    h.decide("lea")
    assert publishable(h.latest, h.state())


def test_a_state_folded_before_the_latest_edit_does_not_publish_the_new_version() -> None:
    h = approved_history()
    stale = h.state()
    h.edit(tags=("late",))
    verdict = publishable(h.latest, stale)
    assert not verdict
    assert "not the approved version" in verdict.reason


def test_content_that_differs_from_the_approved_digest_is_refused() -> None:
    h = approved_history()
    forged = h.latest.model_copy(
        update={"fields": h.latest.fields.model_copy(update={"body": "swapped"})}
    )
    verdict = publishable(forged, h.state())
    assert not verdict
    assert "differs" in verdict.reason


def test_another_items_approval_does_not_count() -> None:
    h = approved_history()
    other = h.latest.model_copy(update={"content_id": "c2"})
    assert not publishable(other, h.state())
    elsewhere = h.latest.model_copy(update={"workspace": "globex"})
    assert not publishable(elsewhere, h.state())


def test_rejected_and_changes_requested_are_not_publishable() -> None:
    h = History(StepSpec(name="legal", people=("lea",)))
    h.decide("lea", "request_changes")
    assert "changes requested" in publishable(h.latest, h.state()).reason
    h2 = History(StepSpec(name="legal", people=("lea",)))
    h2.decide("lea", "reject")
    assert "rejected" in publishable(h2.latest, h2.state()).reason


def test_an_approved_status_with_an_unapproved_step_is_still_refused() -> None:
    h = approved_history()
    state = h.state()
    broken = replace(state, steps=(replace(state.steps[0], status="open"), state.steps[1]))
    assert not publishable(h.latest, broken)
