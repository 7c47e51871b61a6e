"""Replay jobs: idempotency keys, copies that keep the webhook-id, progress."""

from __future__ import annotations

from datetime import UTC, datetime

from ensemble_notify.models.deliveries import ChannelName, Delivery
from ensemble_notify.models.replay import (
    ReplayJob,
    ReplayKind,
    ReplayPlan,
    ReplayProgress,
    replay_id,
)

SINCE = datetime(2026, 11, 1, 8, 30, 15, 123456, tzinfo=UTC)


def a_job(**changes: object) -> ReplayJob:
    fields: dict[str, object] = {
        "id": "rp_1",
        "workspace": "acme",
        "kind": ReplayKind.ENDPOINT,
        "endpoint": "ep-1",
        "since": SINCE,
        "requested_by": "alice",
        **changes,
    }
    return ReplayJob.model_validate(fields)


def test_a_key_names_one_job_per_workspace_and_no_key_a_fresh_one() -> None:
    assert replay_id("acme", "k") == replay_id("acme", "k")
    assert replay_id("acme", "k") != replay_id("globex", "k")
    assert replay_id("acme", None) != replay_id("acme", None)
    assert replay_id("acme", "k").startswith("rp_")


def test_a_retried_request_is_the_same_request_as_stored() -> None:
    job = a_job()
    assert job.since == SINCE.replace(microsecond=123000)  # what the store keeps
    assert job.same_request(a_job(id="other", requested_by="bob"))
    assert not job.same_request(a_job(endpoint="ep-2"))
    assert not job.same_request(a_job(since=datetime(2026, 11, 2, tzinfo=UTC)))


def test_a_replay_copy_keeps_the_payload_and_event_under_a_new_id() -> None:
    original = Delivery(
        id="ev-1:ep-1",
        workspace="acme",
        channel=ChannelName.WEBHOOK,
        recipient="ep-1",
        address="https://hooks.example/x",
        event_id="ev-1",
        event_type="mention.received.v1",
        correlation_id="c-1",
        payload='{"type":"mention.received.v1"}',
    )
    copy = a_job().copy_of(original)
    assert copy.id == "ev-1:ep-1~rp_1"
    assert (copy.replay_of, copy.replay) == ("ev-1:ep-1", "rp_1")
    # the webhook sender signs with the event id as webhook-id: receivers dedupe on it
    assert (copy.event_id, copy.payload, copy.address) == (
        original.event_id,
        original.payload,
        original.address,
    )


def test_progress_goes_planning_running_finished() -> None:
    job = a_job()
    assert ReplayProgress.of(job, None, 3, 1, 0).status == "planning"
    running = ReplayProgress.of(job, ReplayPlan(id="rp_1", total=5, skipped=1), 5, 3, 1)
    assert (running.status, running.total, running.skipped) == ("running", 5, 1)
    done = ReplayProgress.of(job, ReplayPlan(id="rp_1", total=5, skipped=1), 5, 4, 1)
    assert done.status == "finished"
    empty = ReplayProgress.of(job, ReplayPlan(id="rp_1", total=0, skipped=0), 0, 0, 0)
    assert empty.status == "finished"
