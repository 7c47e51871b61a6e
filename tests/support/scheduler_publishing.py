"""Steps the calendar, publishing, crisis and answers tests share: an approved item, a
Mastodon channel pointing at a fake, events produced onto the scheduler's input streams."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaProducer

from ensemble_shared.events import Event, utcnow
from ensemble_shared.kafka.publisher import record_for
from ensemble_shared.topics import Topics
from support.scheduler import Scheduler

ONE_STEP: dict[str, Any] = {
    "priority": 100,
    "steps": [{"name": "marketing", "teams": ["marketing"]}],
}


async def use_policy(s: Scheduler, policy: dict[str, Any] = ONE_STEP) -> None:
    put = await s.client.put("/approval-policies/standard", json=policy, headers=s.admin)
    assert put.status_code == 200, put.text


async def draft(s: Scheduler, **fields: Any) -> str:
    body = {"kind": "post", "channel": "mastodon", "title": "Launch", "body": "We launch today"}
    body.update(fields)
    created = await s.client.post("/content", json=body, headers=s.manager)
    assert created.status_code == 201, created.text
    content_id: str = created.json()["id"]
    return content_id


async def approve(s: Scheduler, content_id: str) -> None:
    requested = await s.client.post(f"/content/{content_id}/approval", json={}, headers=s.manager)
    assert requested.status_code == 201, requested.text
    decided = await s.client.post(
        f"/content/{content_id}/approval/decisions",
        json={"step": "marketing", "decision": "approve"},
        headers=s.staff("mia", teams=["marketing"]),
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "approved", decided.text


async def mastodon_channel(
    s: Scheduler,
    base_url: str,
    token: str,
    *,
    timeout_seconds: float = 5.0,
    channel: str = "mastodon",
) -> None:
    put = await s.client.put(
        f"/publishing/channels/{channel}",
        json={
            "connector": "mastodon",
            "base_url": base_url,
            "access_token": token,
            "visibility": "unlisted",
            "timeout_seconds": timeout_seconds,
        },
        headers=s.admin,
    )
    assert put.status_code == 200, put.text


async def schedule_in(s: Scheduler, content_id: str, seconds: float) -> dict[str, Any]:
    """Schedule `seconds` after the next whole second: slots are kept to the second, so
    `now + 1 s` truncated could already be past when the request arrives."""
    slot = (utcnow().replace(microsecond=0) + timedelta(seconds=1 + seconds)).isoformat()
    scheduled = await s.client.post(
        f"/content/{content_id}/schedule", json={"slot": slot}, headers=s.manager
    )
    assert scheduled.status_code == 200, scheduled.text
    view: dict[str, Any] = scheduled.json()
    return view


async def produce(s: Scheduler, *events: Event) -> None:
    """Put events on their streams as the producing service would."""
    topics = Topics(s.settings.kafka.topic_prefix)
    producer = AIOKafkaProducer(
        bootstrap_servers=s.settings.kafka.bootstrap_servers, enable_idempotence=True
    )
    await producer.start()
    try:
        for event in events:
            record = record_for(event, topics)
            await producer.send_and_wait(
                record.topic,
                record.value,
                key=record.key.encode(),
                headers=[(k, v.encode()) for k, v in record.headers.items()],
            )
    finally:
        await producer.stop()
