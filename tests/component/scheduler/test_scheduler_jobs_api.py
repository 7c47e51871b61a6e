"""Periodic jobs through the API on the real store and broker: 422s naming the field, a run
fired through the timers emitting its event once, the next run armed, revisions superseded."""

from __future__ import annotations

from typing import Any

import pytest

from ensemble_scheduler.models.timers import occurrence_id
from ensemble_shared.events import utcnow
from ensemble_shared.topics import SCHEDULES
from support.scheduler import Scheduler
from support.waiting import eventually


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"action": "digest.daily", "cron": "0 0 30 2 *"}, "cron", "never fires"),
        ({"action": "digest.daily", "cron": "0 25 * * *"}, "cron", "malformed"),
        ({"action": "digest.daily", "cron": "@daily"}, "cron", "5 fields"),
        (
            {"action": "digest.daily", "cron": "0 8 * * *", "time_zone": "Europe/Atlantis"},
            "time_zone",
            "unknown time zone",
        ),
        ({"action": "coffee", "cron": "0 8 * * *"}, "action", ""),
        ({"action": "digest.daily", "cron": "0 8 * * *", "revision": "r1"}, "revision", ""),
    ],
)
async def test_impossible_jobs_are_422_naming_the_field(
    scheduler: Scheduler, body: dict[str, Any], field: str, words: str
) -> None:
    response = await scheduler.client.put("/jobs/daily", json=body, headers=scheduler.admin)
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", field]
    assert words in error["msg"]
    assert (await scheduler.client.get("/jobs/daily", headers=scheduler.manager)).status_code == 404


async def test_only_admins_write_jobs(scheduler: Scheduler) -> None:
    body = {"action": "digest.daily", "cron": "0 8 * * *"}
    refused = await scheduler.client.put("/jobs/daily", json=body, headers=scheduler.manager)
    assert refused.status_code == 403


async def test_a_due_job_run_emits_its_request_once_and_arms_the_next(scheduler: Scheduler) -> None:
    s = scheduler
    body = {"action": "digest.daily", "cron": "0 8 * * *", "time_zone": "Europe/Paris"}
    first = (await s.client.put("/jobs/morning", json=body, headers=s.admin)).json()
    assert first["next_run_at"].endswith(("07:00:00Z", "06:00:00Z"))  # 08:00 Paris
    # Replace it: the first revision's timer is superseded (and cancelled).
    job = (await s.client.put("/jobs/morning", json=body, headers=s.admin)).json()
    assert job["revision"] != first["revision"]
    redrive = {"action": "ingest.redrive", "cron": "*/5 * * * *", "stuck_for_minutes": 30}
    assert (await s.client.put("/jobs/redrive", json=redrive, headers=s.admin)).status_code == 200

    # Fast-forward: the armed occurrences become occurrences due now (their key names their
    # due time, so they are re-keyed, as if the cron had said now).
    timers = s.database()["timers"]
    armed = await timers.find({"kind": "job"}).to_list(None)
    assert len(armed) == 3
    now = utcnow()
    await timers.delete_many({"kind": "job"})
    await timers.insert_many(
        [{**d, "_id": occurrence_id(d["timer_id"], now), "due_at": now} for d in armed]
    )

    async def requests() -> list[Any]:
        return await s.events(SCHEDULES)

    events = await eventually(requests, lambda found: len(found) >= 2, what="two job runs")
    digests = [e for e in events if e.type == "digest.requested.v1"]
    redrives = [e for e in events if e.type == "ingest.redrive_requested.v1"]
    assert len(digests) == 1  # the superseded revision ran nothing
    assert digests[0].data.period == "daily"
    assert digests[0].subject == "acme:morning"
    assert redrives[0].data.stuck_for_seconds == 1800
    # Each fired run armed the next one, in the future.
    upcoming = await eventually(
        lambda: timers.find({"kind": "job"}).to_list(None),
        lambda docs: len(docs) == 2 and all(d["due_at"] > utcnow() for d in docs),
        what="next runs armed",
    )
    assert {d["payload"]["job"] for d in upcoming} == {"morning", "redrive"}
    runs = (await s.client.get("/jobs/morning/runs", headers=s.manager)).json()
    assert [r["outcome"] for r in runs] == ["requested"]
    listed = (await s.client.get("/jobs", headers=s.manager)).json()
    assert [j["name"] for j in listed["items"]] == ["morning", "redrive"]
    assert (await s.client.delete("/jobs/redrive", headers=s.admin)).status_code == 204
    assert (await s.client.get("/jobs/redrive", headers=s.manager)).status_code == 404


async def test_the_stuck_publishing_job_runs_the_detector(scheduler: Scheduler) -> None:
    s = scheduler
    body = {"action": "publishing.stuck_check", "cron": "*/10 * * * *"}
    assert (await s.client.put("/jobs/stuck", json=body, headers=s.admin)).status_code == 200
    timers = s.database()["timers"]
    [armed] = await timers.find({"kind": "job"}).to_list(None)
    now = utcnow()
    await timers.delete_many({"kind": "job"})
    await timers.insert_one({**armed, "_id": occurrence_id(armed["timer_id"], now), "due_at": now})

    async def runs() -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = (
            await s.client.get("/jobs/stuck/runs", headers=s.manager)
        ).json()
        return found

    done = await eventually(runs, lambda found: len(found) == 1, what="the detector's run")
    assert done[0]["outcome"] == "checked"  # a registered detector, not "skipped"
